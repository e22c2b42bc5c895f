//! The one error type every command returns: a machine-readable kind the UI can act on
//! and a message written for the user.

use serde::Serialize;

/// What went wrong, in terms the UI can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// The local data directory or database could not be used.
    Storage,
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

impl From<desk_store::LayoutError> for CommandError {
    fn from(err: desk_store::LayoutError) -> Self {
        Self {
            kind: ErrorKind::Storage,
            message: err.to_string(),
        }
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
}
