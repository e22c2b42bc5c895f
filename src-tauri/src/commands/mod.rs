//! The IPC commands: each one call into the application layer.

pub mod accounts;
pub mod contacts;
pub mod edits;
pub mod review;
pub mod support;
pub mod sync;
pub mod updates;
