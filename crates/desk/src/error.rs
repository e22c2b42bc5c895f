//! The one error type of the application layer: a machine-readable kind the window acts
//! on and the CLI turns into its exit code (both decided here), a message written for
//! the user, and, for refused input, the field each problem belongs to.

use desk_auth::AuthError;
use desk_store::{FieldError, LayoutError, LockError, StoreError};
use desk_sync::SyncError;
use ghl::GhlError;
use serde::Serialize;

/// What went wrong, in terms the window and the CLI act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The input was refused; the message (and `fields`) say what to fix.
    Invalid,
    /// The record, change or location named does not exist.
    NotFound,
    /// The local data folder or database could not be used.
    Storage,
    /// The location's local database is damaged: start over from HighLevel (the
    /// damaged file is kept aside).
    Damaged,
    /// Signing in failed (denied, incomplete answer, timed out).
    SignIn,
    /// The user cancelled.
    Cancelled,
    /// HighLevel could not be reached.
    Offline,
    /// HighLevel refused the credentials: sign in again or use another token.
    Unauthorized,
    /// The sign-in may only read: edits are refused until a sign-in that may write.
    ReadOnly,
    /// The system keychain failed.
    Keychain,
    /// Another GHL Desk process is syncing this location.
    Busy,
    /// Something else failed; the message says what.
    Internal,
}

impl ErrorKind {
    /// The CLI's exit code for a failure of this kind (0 is success, 3 a sync that
    /// finished with changes waiting for the user).
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Invalid | Self::NotFound => 2,
            Self::SignIn | Self::Unauthorized | Self::ReadOnly => 4,
            Self::Offline => 5,
            Self::Busy => 6,
            Self::Storage | Self::Damaged | Self::Cancelled | Self::Keychain | Self::Internal => 1,
        }
    }
}

/// A failure of the application layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct DeskError {
    /// The class of failure, for the window to choose what to offer and the CLI its
    /// exit code.
    pub kind: ErrorKind,
    /// A sentence for the user; never holds a secret.
    pub message: String,
    /// For refused input: each problem beside its field.
    pub fields: Vec<FieldError>,
}

impl DeskError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    /// The error of a request that needs an open location.
    pub fn not_signed_in() -> Self {
        Self::new(
            ErrorKind::Unauthorized,
            "sign in to a HighLevel location first",
        )
    }
}

/// Results of the application layer.
pub type DeskResult<T> = Result<T, DeskError>;

/// A store failure, by reference (a sync failure may carry one).
fn store_error(err: &StoreError) -> DeskError {
    let kind = match err {
        StoreError::Invalid(_) | StoreError::InvalidState(_) => ErrorKind::Invalid,
        StoreError::NotFound(_) => ErrorKind::NotFound,
        StoreError::Corrupt { .. } => {
            return DeskError::new(
                ErrorKind::Damaged,
                format!(
                    "{err}. Start over from HighLevel (Settings → Account, or `ghl-desk-cli repair`): the damaged file is kept aside and everything is fetched again"
                ),
            )
        }
        _ => ErrorKind::Storage,
    };
    let mut out = DeskError::new(kind, err.to_string());
    if let StoreError::Invalid(fields) = err {
        out.fields = fields.clone();
    }
    out
}

impl From<StoreError> for DeskError {
    fn from(err: StoreError) -> Self {
        store_error(&err)
    }
}

impl From<LayoutError> for DeskError {
    fn from(err: LayoutError) -> Self {
        let kind = match err {
            LayoutError::InvalidLocationId(_) => ErrorKind::Invalid,
            _ => ErrorKind::Storage,
        };
        Self::new(kind, err.to_string())
    }
}

impl From<GhlError> for DeskError {
    fn from(err: GhlError) -> Self {
        let kind = match &err {
            GhlError::Offline(_) | GhlError::Timeout => ErrorKind::Offline,
            GhlError::Unauthorized(_) | GhlError::ScopeMissing | GhlError::Forbidden => {
                ErrorKind::Unauthorized
            }
            GhlError::NotFound(_) => ErrorKind::NotFound,
            GhlError::Rejected { .. } | GhlError::Config(_) => ErrorKind::Invalid,
            _ => ErrorKind::Internal,
        };
        Self::new(kind, err.to_string())
    }
}

impl From<AuthError> for DeskError {
    fn from(err: AuthError) -> Self {
        let kind = match &err {
            AuthError::Ghl(ghl) => return Self::from(ghl.clone()),
            AuthError::Cancelled => ErrorKind::Cancelled,
            AuthError::Vault(_) => ErrorKind::Keychain,
            AuthError::Denied(_) | AuthError::MissingCode | AuthError::TimedOut(_) => {
                ErrorKind::SignIn
            }
            AuthError::Demo(_) | AuthError::Browser(_) | AuthError::Listen { .. } => {
                ErrorKind::Internal
            }
        };
        Self::new(kind, err.to_string())
    }
}

impl From<SyncError> for DeskError {
    fn from(err: SyncError) -> Self {
        let kind = match &err {
            SyncError::Offline(_) => ErrorKind::Offline,
            SyncError::SignInNeeded(_) => ErrorKind::Unauthorized,
            SyncError::Cancelled => ErrorKind::Cancelled,
            SyncError::Store(store) => return store_error(store),
            SyncError::BudgetExhausted | SyncError::Ghl(_) => ErrorKind::Internal,
        };
        Self::new(kind, err.to_string())
    }
}

impl From<LockError> for DeskError {
    fn from(err: LockError) -> Self {
        match err {
            LockError::Held { pid } => Self::new(
                ErrorKind::Busy,
                if pid == 0 {
                    "another GHL Desk process is syncing this location; try again when it is done"
                        .to_owned()
                } else {
                    format!("another GHL Desk process is syncing this location (pid {pid}); try again when it is done")
                },
            ),
            other => Self::new(ErrorKind::Storage, other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_exit_codes_in_one_place() {
        let code = |err: DeskError| err.kind.exit_code();
        assert_eq!(code(StoreError::field("email", "bad").into()), 2);
        assert_eq!(code(StoreError::NotFound("contact x".into()).into()), 2);
        assert_eq!(code(GhlError::Offline("dns".into()).into()), 5);
        assert_eq!(code(GhlError::Unauthorized("expired".into()).into()), 4);
        assert_eq!(code(AuthError::TimedOut(5).into()), 4);
        assert_eq!(code(LockError::Held { pid: 7 }.into()), 6);
        assert_eq!(code(SyncError::Cancelled.into()), 1);
    }

    #[test]
    fn refused_input_keeps_its_fields_for_the_window() {
        let err = DeskError::from(StoreError::field("email", "enter a valid email address"));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], "invalid");
        assert_eq!(json["fields"][0]["field"], "email");
        let busy = DeskError::from(LockError::Held { pid: 4242 });
        assert!(busy.message.contains("pid 4242"), "{}", busy.message);
    }
}
