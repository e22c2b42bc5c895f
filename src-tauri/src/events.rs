//! The runner's status as events to the webview.

use std::sync::OnceLock;

use desk::runner::{StatusSink, SyncStatus};
use serde::Serialize;
use tauri::AppHandle;
use tauri_specta::Event;

/// The sync status, sent whenever it changes.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
#[serde(transparent)]
pub struct SyncStatusEvent(pub SyncStatus);

/// Turns the runner's reports into [`SyncStatusEvent`]s, once the app is running.
#[derive(Default)]
pub struct WebviewSink(pub OnceLock<AppHandle>);

impl StatusSink for WebviewSink {
    fn status(&self, status: &SyncStatus) {
        let Some(app) = self.0.get() else {
            return;
        };
        if let Err(err) = SyncStatusEvent(status.clone()).emit(app) {
            tracing::debug!(%err, "the sync status did not reach the window");
        }
    }
}
