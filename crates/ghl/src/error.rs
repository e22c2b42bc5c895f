//! What can go wrong talking to GHL, in kinds the app acts on.

/// A failed call to GHL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GhlError {
    /// GHL could not be reached (DNS, connection refused, network down).
    #[error("HighLevel cannot be reached: {0}")]
    Offline(String),
    /// GHL did not answer in time, for a request that changes nothing.
    #[error("HighLevel did not answer in time")]
    Timeout,
    /// Still rate limited after waiting and retrying.
    #[error("HighLevel's rate limit was reached; try again shortly")]
    RateLimited,
    /// The location's daily request budget is spent.
    #[error("the daily request budget for this location is used up")]
    DailyBudgetExhausted,
    /// The token is invalid or expired and could not be refreshed: sign in again.
    #[error("the HighLevel sign-in is no longer valid: {0}")]
    Unauthorized(String),
    /// The token lacks the scope this call needs.
    #[error("the HighLevel app was not granted the permission this needs")]
    ScopeMissing,
    /// The token may not act on this location.
    #[error("this sign-in has no access to that location")]
    Forbidden,
    /// The record does not exist (GHL answers 404, or 400 "… not found").
    #[error("not found in HighLevel: {0}")]
    NotFound(String),
    /// GHL refused the request (400/422) with its messages.
    #[error("HighLevel rejected the change: {}", messages.join("; "))]
    Rejected {
        /// HTTP status.
        status: u16,
        /// GHL's messages.
        messages: Vec<String>,
    },
    /// GHL failed (5xx) and retries did not help.
    #[error("HighLevel had a server error ({status})")]
    Server {
        /// HTTP status.
        status: u16,
    },
    /// A request that changes data may or may not have been applied (timeout, dropped
    /// connection, 5xx on a create): look the record up before trying again.
    #[error("it is unknown whether HighLevel applied the change: {0}")]
    OutcomeUnknown(String),
    /// GHL's answer could not be read.
    #[error("HighLevel's answer could not be read: {0}")]
    Decode(String),
    /// A paging cursor came back to one already seen: stopping instead of looping.
    #[error("HighLevel's page cursor went back to an earlier page; stopping instead of looping")]
    CursorLoop,
    /// An answer larger than the client reads into memory.
    #[error("HighLevel's answer was larger than the {limit_mb} MB this app reads; refused")]
    TooLarge {
        /// The limit, in megabytes.
        limit_mb: usize,
    },
    /// A bad base URL or similar configuration problem.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Shorthand for the client's results.
pub type GhlResult<T> = Result<T, GhlError>;
