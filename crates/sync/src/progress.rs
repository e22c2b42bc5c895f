//! What a running sync reports as it goes.

use serde::Serialize;

/// A progress event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "phase")]
pub enum Progress {
    /// Contacts pulled so far.
    Contacts {
        /// Contacts stored.
        done: u64,
    },
    /// Contacts whose notes, tasks and appointments were fetched.
    Children {
        /// Contacts done.
        done: u64,
        /// Contacts due in this sync.
        total: u64,
    },
    /// Queued changes sent.
    Push {
        /// Operations acknowledged or settled.
        done: u64,
    },
}
