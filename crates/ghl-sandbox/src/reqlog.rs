//! The request log: every API request the sandbox answered (or dropped), so that tests
//! can assert on traffic.

use serde::Serialize;

/// One request as the sandbox saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    /// Position in the log, from 1.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Status answered; 0 when the connection was dropped instead.
    pub status: u16,
    /// Whether the connection was dropped (an injected reset).
    pub dropped: bool,
    /// When the request arrived, in epoch milliseconds.
    pub time_ms: i64,
    /// How long it took to answer, in milliseconds.
    pub duration_ms: u64,
    /// SHA-256 of the request body (hex), absent for an empty body.
    pub body_sha256: Option<String>,
    /// The app the token belongs to, when the request was authenticated.
    pub app_id: Option<String>,
    /// The location or company the token acts for.
    pub resource: Option<String>,
}

/// Who made an authenticated request; attached to responses for the log.
#[derive(Debug, Clone)]
pub struct Caller {
    /// App id.
    pub app_id: String,
    /// Location or company id.
    pub resource: String,
}
