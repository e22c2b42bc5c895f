//! GHL Desk's local store: where the app keeps its files and, per signed-in location,
//! the SQLite cache the UI reads.

pub mod app_info;
pub mod layout;

pub use app_info::AppInfo;
pub use layout::{DataLayout, LayoutError};
