//! A typed client for the HighLevel (GHL) API v2 as GHL Desk uses it: one method per
//! endpoint, GHL's `Version` headers, pacing under the rate limit, retries of idempotent
//! requests with jittered backoff, single-flight token refresh (through a
//! [`TokenSource`]), answers read record by record ([`fields`]) and errors in kinds the
//! sync engine acts on. Creates are never retried blindly.

mod children;
mod client;
mod contacts;
pub mod error;
pub mod fields;
mod liveness;
mod location;
pub mod models;
pub mod pacer;
pub mod paging;
pub mod retry;
pub mod tokens;

pub use children::{NoteInput, TaskInput};
pub use client::{
    ClientConfig, GhlClient, DEFAULT_API_BASE, DEFAULT_MARKETPLACE_BASE, MAX_BODY_BYTES,
    VERSION_CALENDARS, VERSION_CONTACTS,
};
pub use contacts::{SearchPage, SearchRequest};
pub use error::{GhlError, GhlResult};
pub use fields::{Carried, Listed, Observed, Record, Skipped};
pub use location::{EventSelector, TaskSearch};
pub use pacer::{Budget, Pacer};
pub use retry::RetryPolicy;
pub use tokens::{StaticToken, TokenPair, TokenSource};
