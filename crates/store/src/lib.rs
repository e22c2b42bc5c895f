//! GHL Desk's local store: where the app keeps its files and, per signed-in location,
//! the SQLite cache the UI reads. Server truth and the user's pending intent (the
//! outbox) are kept apart; the view the UI reads is their combination, rewritten in the
//! same transaction as every change.

pub mod app_info;
mod bookkeeping;
mod db;
mod edits;
pub mod error;
mod export;
pub mod layout;
mod migrations;
pub mod model;
mod outbox;
mod pull;
mod read;
mod settings;
pub mod validate;
mod view;

pub use app_info::AppInfo;
pub use db::{system_clock, Clock, Store};
pub use edits::{is_local_id, LOCAL_ID_PREFIX};
pub use error::{FieldError, StoreError, StoreResult};
pub use layout::{DataLayout, LayoutError};
pub use outbox::Ack;
pub use read::{MAX_PAGE, SEARCH_CAP};
