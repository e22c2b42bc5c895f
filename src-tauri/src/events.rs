//! The runner's status as events to the webview, and as system notifications when
//! something needs the user while the window is not in front.

use std::sync::{Mutex, OnceLock};

use desk::runner::{StatusSink, SyncStatus};
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use tauri_specta::Event;

/// The sync status, sent whenever it changes.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
#[serde(transparent)]
pub struct SyncStatusEvent(pub SyncStatus);

/// Turns the runner's reports into [`SyncStatusEvent`]s, once the app is running.
#[derive(Default)]
pub struct WebviewSink {
    /// The app, once it runs.
    pub app: OnceLock<AppHandle>,
    told: Mutex<Told>,
}

/// What the user was last notified of, so that each news is told once.
#[derive(Default)]
struct Told {
    error: Option<String>,
    conflicts: u32,
}

/// What a finished cycle has to tell a user who is not looking, if anything.
fn news(status: &SyncStatus, told: &mut Told) -> Option<(&'static str, String)> {
    if status.running {
        return None;
    }
    if status.error != told.error {
        told.error.clone_from(&status.error);
        if let Some(error) = &status.error {
            return Some(("GHL Desk could not sync", error.clone()));
        }
    }
    let conflicts = status.last.map_or(told.conflicts, |last| last.conflicts);
    let more = conflicts > told.conflicts;
    told.conflicts = conflicts;
    more.then(|| {
        (
            "Changes need your review",
            format!(
                "{conflicts} {} changed in HighLevel too: open Pending changes to choose",
                if conflicts == 1 {
                    "change was"
                } else {
                    "changes were"
                }
            ),
        )
    })
}

impl StatusSink for WebviewSink {
    fn status(&self, status: &SyncStatus) {
        let Some(app) = self.app.get() else {
            return;
        };
        if let Err(err) = SyncStatusEvent(status.clone()).emit(app) {
            tracing::debug!(%err, "the sync status did not reach the window");
        }
        let told = news(
            status,
            &mut self.told.lock().unwrap_or_else(|p| p.into_inner()),
        );
        let looking = app
            .get_webview_window("main")
            .and_then(|w| w.is_focused().ok())
            .unwrap_or(false);
        if let (Some((title, body)), false) = (told, looking) {
            if let Err(err) = app.notification().builder().title(title).body(body).show() {
                tracing::debug!(%err, "no system notification");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finished(error: Option<&str>, conflicts: u32) -> SyncStatus {
        SyncStatus {
            error: error.map(str::to_owned),
            last: Some(desk::SyncSummary {
                conflicts,
                ..desk::SyncSummary::default()
            }),
            ..SyncStatus::default()
        }
    }

    #[test]
    fn each_failure_and_each_new_conflict_is_told_once() {
        let mut told = Told::default();
        assert!(news(&finished(None, 0), &mut told).is_none());
        assert_eq!(
            news(&finished(Some("offline"), 0), &mut told).unwrap().0,
            "GHL Desk could not sync"
        );
        assert!(
            news(&finished(Some("offline"), 0), &mut told).is_none(),
            "not again"
        );
        assert!(news(&finished(None, 0), &mut told).is_none());
        assert!(news(&finished(None, 2), &mut told)
            .unwrap()
            .1
            .starts_with("2 changes"));
        assert!(news(&finished(None, 2), &mut told).is_none());
        assert!(
            news(&finished(None, 1), &mut told).is_none(),
            "fewer is no news"
        );
    }
}
