//! What can go wrong in the local store.

use serde::Serialize;

/// One problem with one field of a local edit, for the UI to show beside the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The field (`email`, `phone`, `title`, …).
    pub field: String,
    /// What is wrong, in words for the user.
    pub message: String,
}

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The edit was refused before it reached the outbox.
    #[error("{}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The record does not exist locally.
    #[error("{0} not found")]
    NotFound(String),
    /// The database was written by a newer GHL Desk.
    #[error("this database was written by a newer version of GHL Desk; update the app to open it")]
    TooNew,
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A migration failed.
    #[error("database upgrade failed: {0}")]
    Migration(String),
    /// Stored JSON could not be read.
    #[error("stored data is damaged: {0}")]
    Json(#[from] serde_json::Error),
    /// A stored row does not hold what its table promises.
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    /// Writing an export failed.
    #[error("export failed: {0}")]
    Export(String),
    /// The outbox operation cannot change state that way.
    #[error("{0}")]
    InvalidState(String),
    /// The database file is damaged (empty, not a database, or corrupt inside).
    #[error("the local database {path} is damaged ({why})")]
    Corrupt {
        /// The file.
        path: std::path::PathBuf,
        /// What SQLite said.
        why: String,
    },
    /// The disk refused: full, read-only, or the file cannot be opened.
    #[error("{problem}")]
    Disk {
        /// The file.
        path: std::path::PathBuf,
        /// What happened and what to do, in words.
        problem: String,
    },
}

impl StoreError {
    /// This error as it concerns the database file `path`: SQLite's codes for a full or
    /// read-only disk, a file that cannot be opened, or a damaged database become
    /// messages that name the file and say what to do.
    pub fn about_file(self, path: &std::path::Path) -> Self {
        use rusqlite::ErrorCode as C;
        let Self::Sqlite(err) = &self else {
            return self;
        };
        let shown = path.display();
        let problem = match err.sqlite_error_code() {
            Some(C::DiskFull) => format!(
                "the disk holding {shown} is full: free some space and try again (nothing was saved)"
            ),
            Some(C::ReadOnly) => format!(
                "{shown} cannot be written: the file or its folder is read-only; check their permissions (nothing was saved)"
            ),
            Some(C::CannotOpen | C::PermissionDenied) => format!(
                "{shown} cannot be opened: check that its folder exists and that you may write to it"
            ),
            Some(C::NotADatabase | C::DatabaseCorrupt) => {
                return Self::Corrupt {
                    path: path.to_owned(),
                    why: err.to_string(),
                }
            }
            _ => return self,
        };
        Self::Disk {
            path: path.to_owned(),
            problem,
        }
    }

    /// A single-field validation error.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;
