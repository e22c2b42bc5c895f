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
}

impl StoreError {
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
