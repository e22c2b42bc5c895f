//! Why a sign-in failed, in words for the user.

/// A sign-in or vault failure.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The user chose Deny on HighLevel's page (or HighLevel refused the request).
    #[error("HighLevel did not grant access ({0})")]
    Denied(String),
    /// The browser came back without an authorization code.
    #[error("HighLevel's answer carried no authorization code; start the sign-in again")]
    MissingCode,
    /// Nobody finished the sign-in in time.
    #[error("the sign-in timed out after {0} minutes; start it again")]
    TimedOut(u64),
    /// The user cancelled.
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// The loopback port is taken or cannot be opened.
    #[error("cannot listen for HighLevel's answer on 127.0.0.1:{port}: {reason}")]
    Listen {
        /// The port.
        port: u16,
        /// The OS error.
        reason: String,
    },
    /// The system browser could not be opened.
    #[error("cannot open the browser: {0}")]
    Browser(String),
    /// HighLevel refused the code, the token or the request.
    #[error(transparent)]
    Ghl(#[from] ghl::GhlError),
    /// The OS keychain failed.
    #[error("the system keychain failed: {0}")]
    Vault(String),
    /// The demo sandbox could not start.
    #[error("the demo could not start: {0}")]
    Demo(String),
}
