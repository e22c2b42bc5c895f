//! GHL Desk's local store: where the app keeps its files and, per signed-in location,
//! the SQLite cache the UI reads. Server truth and the user's pending intent (the
//! outbox) are kept apart; the view the UI reads is their combination, rewritten in the
//! same transaction as every change.
//!
//! Two handles open a location's database: [`Store`] for the user's side (reads, edits,
//! review, settings) and [`SyncStore`] for the sync engine, which adds what only the
//! engine may do (write GHL's records, mark sends and record their outcomes).

pub mod app_info;
mod bookkeeping;
pub mod change;
mod db;
mod edits;
pub mod error;
mod export;
pub mod layout;
pub mod lock;
pub mod merge;
mod migrations;
pub mod model;
mod pull;
mod queue;
mod ranks;
mod read;
mod review;
mod sending;
mod settings;
pub mod validate;
mod view;

pub use app_info::AppInfo;
pub use change::{Base, Change, FieldChange};
pub use db::{system_clock, wall_clock_ms, Clock, Store, SyncStore};
pub use edits::{is_local_id, LOCAL_ID_PREFIX};
pub use error::{FieldError, StoreError, StoreResult};
pub use layout::{DataLayout, LayoutError};
pub use lock::{FileLock, LockError};
pub use read::MAX_PAGE;
pub use sending::{Ack, Clash};
