//! Syncing on demand, stopping it, its status, and quitting (which stops it first).

use desk::{runner::SyncStatus, DeskError, SyncSummary};
use tauri::{AppHandle, State};

use crate::{guard::answer_async, state::AppState};

/// Pulls from HighLevel and pushes pending changes now (after a running cycle ends).
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Result<SyncSummary, DeskError> {
    let runner = state.runner.clone();
    answer_async(async move { runner.sync_now().await }).await
}

/// Stops the running sync; what it already did stays done, the rest stays queued.
#[tauri::command]
#[specta::specta]
pub fn cancel_sync(state: State<'_, AppState>) {
    state.runner.cancel();
}

/// Whether HighLevel answers, whether a sync runs and how the last one ended.
#[tauri::command]
#[specta::specta]
pub fn sync_status(state: State<'_, AppState>) -> SyncStatus {
    state.runner.status()
}

/// Quits the app (Ctrl+Q): the sync stops first and its sends in flight are answered.
#[tauri::command]
#[specta::specta]
pub fn quit(app: AppHandle) {
    app.exit(0);
}
