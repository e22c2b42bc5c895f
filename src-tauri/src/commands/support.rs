//! Helping the user help themselves, or a maintainer help them: the log folder, the
//! redacted support bundle, and crash reports of earlier runs.

use desk::{CrashReport, DeskError, ErrorKind};
use tauri::{AppHandle, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;

use crate::{guard::answer, state::AppState};

/// Opens the log folder in the system's file manager.
#[tauri::command]
#[specta::specta]
pub fn open_log_folder(app: AppHandle, state: State<'_, AppState>) -> Result<(), DeskError> {
    let logs = state.desk.layout().logs_dir();
    app.opener()
        .open_path(logs.display().to_string(), None::<&str>)
        .map_err(|err| {
            DeskError::new(
                ErrorKind::Internal,
                format!("cannot open {}: {err}", logs.display()),
            )
        })
}

/// Puts the support bundle (no secrets, contact data only as counts) on the clipboard
/// and returns it, so the user sees what they are about to share.
#[tauri::command]
#[specta::specta]
pub fn copy_diagnostics(app: AppHandle, state: State<'_, AppState>) -> Result<String, DeskError> {
    answer(|| {
        let status = state.runner.status();
        let bundle = state
            .desk
            .diagnostics(env!("CARGO_PKG_VERSION"), Some(&status));
        if let Err(err) = app.clipboard().write_text(bundle.clone()) {
            tracing::warn!(%err, "the support bundle did not reach the clipboard");
        }
        Ok(bundle)
    })
}

/// Crash reports of earlier runs the user has not been told about.
#[tauri::command]
#[specta::specta]
pub fn crash_reports(state: State<'_, AppState>) -> Vec<CrashReport> {
    desk::crash::unseen_crashes(state.desk.layout())
}

/// The user has seen the crash reports: the next start does not tell again.
#[tauri::command]
#[specta::specta]
pub fn dismiss_crash_reports(state: State<'_, AppState>) -> Result<(), DeskError> {
    desk::crash::mark_crashes_seen(state.desk.layout()).map_err(|err| {
        DeskError::new(
            ErrorKind::Internal,
            format!("cannot mark the crash reports as seen: {err}"),
        )
    })
}
