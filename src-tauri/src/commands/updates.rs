//! Updates of GHL Desk itself: a check of the release feed at start (at most once a day)
//! and from Settings, a download with progress whose signature is verified against the
//! key built into the app, then the install and a relaunch, once the sync has stopped and
//! its sends in flight are answered.

use std::{path::PathBuf, sync::Mutex, time::Duration};

use desk::{DeskError, ErrorKind};
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_updater::{Update, Updater, UpdaterExt};
use tauri_specta::Event;

use crate::state::AppState;

/// How often the start of the app checks for an update.
const CHECK_EVERY_MS: i64 = 24 * 60 * 60 * 1000;
/// How long an install waits for the sends of a running sync to be answered.
const SYNC_GRACE: Duration = Duration::from_secs(30);

/// The update found by the last check, and its package once downloaded and verified.
#[derive(Default)]
pub struct UpdateState {
    found: Mutex<Option<Update>>,
    downloaded: Mutex<Option<Vec<u8>>>,
}

/// What a check found.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum UpdateCheck {
    /// This build has no update source (built without the signing key).
    NotConfigured,
    /// The start-up check ran less than a day ago.
    NotDue,
    /// This is the newest version.
    UpToDate {
        /// The running version.
        current: String,
    },
    /// A newer version is there.
    Available {
        /// The running version.
        current: String,
        /// The new one.
        version: String,
        /// Its release notes.
        notes: Option<String>,
        /// When it was published (RFC 3339).
        date: Option<String>,
    },
}

/// How far the download is.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProgressEvent {
    /// Bytes received.
    pub downloaded: u32,
    /// Bytes in all, when the server says.
    pub total: Option<u32>,
}

/// The value behind `mutex`, even if a panic poisoned it (it holds plain data).
fn held<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn failed(what: &str, err: impl std::fmt::Display) -> DeskError {
    DeskError::new(ErrorKind::Offline, format!("{what}: {err}"))
}

/// The updater, or `None` when this build has no update source. Debug builds take the
/// feed and key from `GHL_DESK_UPDATE_ENDPOINT` and `GHL_DESK_UPDATE_PUBKEY`, for tests.
fn updater(app: &AppHandle) -> Result<Option<Updater>, DeskError> {
    let config = app.config().plugins.0.get("updater");
    let mut pubkey = config
        .and_then(|c| c["pubkey"].as_str())
        .unwrap_or_default()
        .to_owned();
    let mut endpoints: Vec<url::Url> = config
        .and_then(|c| c["endpoints"].as_array())
        .map(|list| {
            list.iter()
                .filter_map(|u| u.as_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    if cfg!(debug_assertions) {
        if let Ok(key) = std::env::var("GHL_DESK_UPDATE_PUBKEY") {
            pubkey = key;
        }
        if let Some(url) = std::env::var("GHL_DESK_UPDATE_ENDPOINT")
            .ok()
            .and_then(|u| u.parse().ok())
        {
            endpoints = vec![url];
        }
    }
    if pubkey.trim().is_empty() || endpoints.is_empty() {
        return Ok(None);
    }
    app.updater_builder()
        .pubkey(pubkey)
        .endpoints(endpoints)
        .and_then(|b| b.timeout(Duration::from_secs(60)).build())
        .map(Some)
        .map_err(|err| failed("the update source is not usable", err))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn last_check_file(state: &AppState) -> PathBuf {
    state.desk.layout().root().join("update-check")
}

/// Checks for a newer version (`automatic`: the start-up check, skipped when one ran in
/// the last day).
#[tauri::command]
#[specta::specta]
pub async fn check_for_update(
    app: AppHandle,
    state: State<'_, AppState>,
    updates: State<'_, UpdateState>,
    automatic: bool,
) -> Result<UpdateCheck, DeskError> {
    let Some(updater) = updater(&app)? else {
        return Ok(UpdateCheck::NotConfigured);
    };
    let stamp = last_check_file(&state);
    let now = now_ms();
    let last: Option<i64> = std::fs::read_to_string(&stamp)
        .ok()
        .and_then(|t| t.trim().parse().ok());
    if automatic && last.is_some_and(|at| now - at < CHECK_EVERY_MS) {
        return Ok(UpdateCheck::NotDue);
    }
    let found = updater
        .check()
        .await
        .map_err(|err| failed("cannot check for updates", err))?;
    if let Err(err) = std::fs::write(&stamp, now.to_string()) {
        tracing::debug!(%err, "cannot record the update check");
    }
    let current = app.package_info().version.to_string();
    let answer = match &found {
        None => UpdateCheck::UpToDate { current },
        Some(update) => UpdateCheck::Available {
            current,
            version: update.version.clone(),
            notes: update.body.clone(),
            date: update
                .date
                .and_then(|d| chrono::DateTime::from_timestamp(d.unix_timestamp(), 0))
                .map(|d| d.to_rfc3339()),
        },
    };
    *held(&updates.found) = found;
    held(&updates.downloaded).take();
    Ok(answer)
}

/// Downloads the update the last check found, reporting progress, and verifies its
/// signature; a package that does not match is thrown away and the app keeps running.
#[tauri::command]
#[specta::specta]
pub async fn download_update(
    app: AppHandle,
    updates: State<'_, UpdateState>,
) -> Result<(), DeskError> {
    let update = held(&updates.found)
        .clone()
        .ok_or_else(|| DeskError::new(ErrorKind::Invalid, "check for updates first"))?;
    let mut downloaded = 0u32;
    let bytes = update
        .download(
            |chunk, total| {
                let chunk = u32::try_from(chunk).unwrap_or(u32::MAX);
                let total = total.map(|t| u32::try_from(t).unwrap_or(u32::MAX));
                downloaded = downloaded.saturating_add(chunk);
                let _ = UpdateProgressEvent { downloaded, total }.emit(&app);
            },
            || {},
        )
        .await
        .map_err(|err| match err {
            tauri_plugin_updater::Error::Minisign(_)
            | tauri_plugin_updater::Error::Base64(_)
            | tauri_plugin_updater::Error::SignatureUtf8(_)
            | tauri_plugin_updater::Error::SignedVersionMismatch { .. }
            | tauri_plugin_updater::Error::MissingSignedVersion => DeskError::new(
                ErrorKind::Invalid,
                format!(
                    "the downloaded update {} is not signed by GHL Desk's release key, so it was thrown away; this version keeps running",
                    update.version
                ),
            ),
            other => failed("the update did not download", other),
        })?;
    tracing::info!(version = %update.version, bytes = bytes.len(), "update downloaded and verified");
    *held(&updates.downloaded) = Some(bytes);
    Ok(())
}

/// Installs the downloaded update and relaunches: first the sync stops, and the sends it
/// has in flight are answered and recorded.
#[tauri::command]
#[specta::specta]
pub async fn install_update(
    app: AppHandle,
    state: State<'_, AppState>,
    updates: State<'_, UpdateState>,
) -> Result<(), DeskError> {
    let update = held(&updates.found).clone();
    let bytes = held(&updates.downloaded).take();
    let (Some(update), Some(bytes)) = (update, bytes) else {
        return Err(DeskError::new(
            ErrorKind::Invalid,
            "download the update first",
        ));
    };
    if !state.runner.shut_down(SYNC_GRACE).await {
        tracing::warn!("installing while sends are still unanswered; the next start checks them");
    }
    if let Err(err) = update.install(bytes) {
        tauri::async_runtime::spawn(state.runner.clone().resume());
        return Err(failed("the update could not be installed", err));
    }
    tracing::info!(version = %update.version, "update installed; relaunching");
    app.restart()
}

/// The managed state the update commands use.
pub fn manage(app: &AppHandle) {
    app.manage(UpdateState::default());
}
