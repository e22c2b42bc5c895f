//! The one error type every command returns: a machine-readable kind the UI can act on
//! and a message written for the user.

use serde::Serialize;

/// What went wrong, in terms the UI can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The local data directory or database could not be used.
    Storage,
    /// The input was refused; the message says what to fix.
    Invalid,
    /// Signing in failed (denied, mismatched or incomplete answer, timeout).
    SignIn,
    /// The user cancelled.
    Cancelled,
    /// HighLevel could not be reached.
    Offline,
    /// HighLevel refused the credentials: sign in again or use another token.
    Unauthorized,
    /// The system keychain failed.
    Keychain,
    /// Something else failed; the message says what.
    Internal,
}

/// An error as the webview receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct CommandError {
    /// The class of failure, for the UI to choose what to offer (retry, sign in, …).
    pub kind: ErrorKind,
    /// A sentence for the user; never holds a secret.
    pub message: String,
}

impl CommandError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

impl From<desk_store::LayoutError> for CommandError {
    fn from(err: desk_store::LayoutError) -> Self {
        Self::new(ErrorKind::Storage, err.to_string())
    }
}

impl From<desk_auth::AuthError> for CommandError {
    fn from(err: desk_auth::AuthError) -> Self {
        use desk_auth::AuthError as A;
        use ghl::GhlError as G;
        let kind = match &err {
            A::Cancelled => ErrorKind::Cancelled,
            A::Vault(_) => ErrorKind::Keychain,
            A::Ghl(G::Offline(_) | G::Timeout) => ErrorKind::Offline,
            A::Ghl(G::Unauthorized(_) | G::ScopeMissing | G::Forbidden) => ErrorKind::Unauthorized,
            A::Ghl(_) | A::Demo(_) | A::Browser(_) | A::Listen { .. } => ErrorKind::Internal,
            A::Denied(_) | A::StateMismatch | A::MissingCode | A::TimedOut(_) => ErrorKind::SignIn,
        };
        Self::new(kind, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_kind_and_message_for_the_ui() {
        let err = CommandError::from(desk_store::LayoutError::InvalidLocationId("../x".into()));
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["kind"], "storage");
        assert_eq!(json["message"], "'../x' is not a valid location id");
    }

    #[test]
    fn sign_in_failures_map_to_kinds_the_ui_acts_on() {
        use desk_auth::AuthError;
        assert_eq!(
            CommandError::from(AuthError::Cancelled).kind,
            ErrorKind::Cancelled
        );
        assert_eq!(
            CommandError::from(AuthError::StateMismatch).kind,
            ErrorKind::SignIn
        );
        assert_eq!(
            CommandError::from(AuthError::Ghl(ghl::GhlError::Offline("dns".into()))).kind,
            ErrorKind::Offline
        );
        assert_eq!(
            CommandError::from(AuthError::Ghl(ghl::GhlError::Unauthorized(
                "bad token".into()
            )))
            .kind,
            ErrorKind::Unauthorized
        );
    }
}
