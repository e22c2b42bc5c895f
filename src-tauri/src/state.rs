//! What every command shares: the application layer and its background runner.

use std::sync::Arc;

use desk::{runner::Runner, Desk};

/// The shell's state for the lifetime of the process.
pub struct AppState {
    /// The application layer.
    pub desk: Arc<Desk>,
    /// The background sync runner of the open location.
    pub runner: Arc<Runner>,
}
