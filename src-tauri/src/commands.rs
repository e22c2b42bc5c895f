//! IPC commands: thin adapters from the webview into the core crates.

use desk_store::AppInfo;
use tauri::State;

use crate::{AppState, CommandError};

/// The app's version and where it keeps its data, for Settings and support requests.
#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, CommandError> {
    Ok(AppInfo::describe(
        env!("CARGO_PKG_VERSION"),
        &state.layout,
        None,
    )?)
}
