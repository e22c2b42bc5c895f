//! The state every command shares.

use desk_store::DataLayout;

/// What the shell knows for the lifetime of the process.
#[derive(Debug)]
pub struct AppState {
    /// Where this installation keeps its files.
    pub layout: DataLayout,
}

impl AppState {
    /// State for an app whose files live in `layout`.
    pub fn new(layout: DataLayout) -> Self {
        Self { layout }
    }
}
