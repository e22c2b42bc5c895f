//! Why a sync stopped.

/// A sync failure that stops the cycle (individual operations failing do not: they are
/// retried later or wait for the user).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// GHL cannot be reached; everything stays queued.
    #[error("HighLevel cannot be reached; changes stay queued: {0}")]
    Offline(String),
    /// The sign-in is no longer valid; everything stays queued.
    #[error("sign in again to continue syncing: {0}")]
    SignInNeeded(String),
    /// The location's daily request budget is spent.
    #[error("the daily request budget for this location is used up; syncing resumes tomorrow")]
    BudgetExhausted,
    /// The sync was cancelled.
    #[error("the sync was cancelled")]
    Cancelled,
    /// GHL answered in a way the engine cannot use.
    #[error(transparent)]
    Ghl(ghl::GhlError),
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] desk_store::StoreError),
}

impl From<ghl::GhlError> for SyncError {
    fn from(err: ghl::GhlError) -> Self {
        use ghl::GhlError as G;
        match err {
            G::Offline(m) => Self::Offline(m),
            G::Timeout => Self::Offline("HighLevel did not answer in time".into()),
            G::Unauthorized(m) => Self::SignInNeeded(m),
            G::DailyBudgetExhausted => Self::BudgetExhausted,
            other => Self::Ghl(other),
        }
    }
}
