//! Syncing without being asked: a background loop that follows `desk_sync::schedule`
//! (flush shortly after an edit, pull every few minutes, probe with backoff while GHL is
//! unreachable and flush as soon as it answers), and the one place a sync cycle runs,
//! whoever asked for it, reporting its state and progress to the webview as events.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use desk_store::Store;
use desk_sync::{
    schedule::{Action, Ended, Reachability, Schedule},
    Progress, SyncOptions, SyncSummary,
};
use ghl::{ClientConfig, GhlClient};
use serde::Serialize;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::{commands::not_signed_in, AppState, CommandError};

/// Contacts of a demo cycle whose notes and tasks are fetched at once, keeping each
/// cycle short; the next cycle follows a second later until every contact has them.
const DEMO_CHILDREN_BUDGET: u32 = 100;

/// How often an idle loop looks for changes queued by another process (the CLI), which
/// cannot tell the app it edited.
const OUTBOX_WATCH: Duration = Duration::from_secs(15);

/// The least time between two progress events, so a fast phase does not flood the
/// webview.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// What the webview shows of syncing: reachability, whether a cycle runs and how far it
/// is, and how the last one ended. Sent whenever any of it changes.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Whether GHL answers, as far as the app knows.
    pub reachability: Reachability,
    /// A cycle is running.
    pub running: bool,
    /// The running cycle's latest progress.
    pub progress: Option<Progress>,
    /// What the last finished cycle did.
    pub last: Option<SyncSummary>,
    /// Why the last cycle stopped, if it failed.
    pub error: Option<String>,
    /// Seconds until the next automatic attempt, when one is planned.
    pub next_in_seconds: Option<u32>,
}

/// The background loop's shared state.
pub struct SyncControl {
    schedule: Mutex<Option<Schedule>>,
    status: Mutex<SyncStatus>,
    cancel: Mutex<Option<CancellationToken>>,
    wake: Notify,
    /// The outbox's last change as the last sync left it.
    outbox_mark: Mutex<Option<i64>>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl SyncStatus {
    /// Nothing known yet: before the first cycle of an account.
    fn idle() -> Self {
        Self {
            reachability: Reachability::Unknown,
            running: false,
            progress: None,
            last: None,
            error: None,
            next_in_seconds: None,
        }
    }
}

impl Default for SyncControl {
    fn default() -> Self {
        Self {
            schedule: Mutex::new(None),
            status: Mutex::new(SyncStatus::idle()),
            cancel: Mutex::new(None),
            wake: Notify::new(),
            outbox_mark: Mutex::new(None),
        }
    }
}

impl SyncControl {
    /// The current status.
    pub fn status(&self) -> SyncStatus {
        let mut status = lock(&self.status).clone();
        status.next_in_seconds = match lock(&self.schedule).as_ref().map(Schedule::next) {
            Some(Action::Sync(at) | Action::Probe(at)) => {
                Some(u32::try_from((at - now_ms()).max(0) / 1000).unwrap_or(u32::MAX))
            }
            _ => None,
        };
        status
    }

    /// A location was signed in (or remembered at start): sync it at once.
    pub fn signed_in(&self) {
        *lock(&self.schedule) = Some(Schedule::new(now_ms()));
        *lock(&self.outbox_mark) = None;
        *lock(&self.status) = SyncStatus::idle();
        self.wake.notify_one();
    }

    /// Signed out: stop syncing and cancel a running cycle.
    pub fn signed_out(&self) {
        *lock(&self.schedule) = None;
        self.cancel_running();
        self.wake.notify_one();
    }

    /// The user queued or changed a pending change: flush it soon.
    pub fn edited(&self) {
        if let Some(schedule) = lock(&self.schedule).as_mut() {
            schedule.edited(now_ms());
        }
        self.wake.notify_one();
    }

    /// Cancels the running cycle, if any.
    pub fn cancel_running(&self) {
        if let Some(cancel) = lock(&self.cancel).as_ref() {
            cancel.cancel();
        }
    }

    fn update(&self, app: &AppHandle, change: impl FnOnce(&mut SyncStatus)) {
        change(&mut lock(&self.status));
        let _ = self.status().emit(app);
    }
}

/// Starts the background loop; it lives as long as the app.
pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        loop {
            let state = app.state::<AppState>();
            let control = &state.control;
            let next = lock(&control.schedule)
                .as_ref()
                .map_or(Action::Wait, Schedule::next);
            let at = match next {
                Action::Wait => {
                    control.wake.notified().await;
                    continue;
                }
                Action::Sync(at) | Action::Probe(at) => at,
            };
            let wait = Duration::from_millis(u64::try_from(at - now_ms()).unwrap_or(0));
            if !wait.is_zero() {
                let nap = wait.min(OUTBOX_WATCH);
                tokio::select! {
                    () = tokio::time::sleep(nap) => {}
                    () = control.wake.notified() => continue,
                }
                if nap < wait {
                    if matches!(next, Action::Sync(_)) && edited_elsewhere(&state).await {
                        control.edited();
                    }
                    continue;
                }
            }
            match next {
                Action::Sync(_) => {
                    if let Err(err) = run_sync(&app).await {
                        tracing::info!(kind = ?err.kind, "automatic sync stopped: {}", err.message);
                    }
                }
                Action::Probe(_) => probe(&app).await,
                Action::Wait => {}
            }
        }
    });
}

/// Whether the outbox changed since the last sync without the app knowing (the CLI
/// queued an edit in the same data directory).
async fn edited_elsewhere(state: &AppState) -> bool {
    let mark = *lock(&state.control.outbox_mark);
    let now = crate::commands::with_reader(state, Store::outbox_last_change)
        .await
        .ok()
        .flatten();
    matches!((mark, now), (Some(mark), Some(now)) if now > mark)
}

/// Checks whether GHL answers and tells the schedule.
async fn probe(app: &AppHandle) {
    let state = app.state::<AppState>();
    let reachable = match client(&state).await {
        Ok((client, _, _)) => client.reachable().await,
        Err(_) => false,
    };
    if let Some(schedule) = lock(&state.control.schedule).as_mut() {
        schedule.probed(now_ms(), reachable);
    }
    let reachability = lock(&state.control.schedule)
        .as_ref()
        .map_or(Reachability::Unknown, Schedule::reachability);
    state
        .control
        .update(app, |status| status.reachability = reachability);
}

/// The signed-in location's client (made once, so its pacer spans every sync), its id
/// and whether it is the demo.
async fn client(state: &AppState) -> Result<(GhlClient, String, bool), CommandError> {
    let mut session = state.session.lock().await;
    let session = session.as_mut().ok_or_else(not_signed_in)?;
    if session.client.is_none() {
        let config = session
            .demo
            .as_ref()
            .map_or_else(ClientConfig::default, |d| d.config.clone());
        session.client = Some(desk_auth::session::client_for(
            &session.account,
            state.vault.clone(),
            config,
        )?);
    }
    Ok((
        session.client.clone().ok_or_else(not_signed_in)?,
        session.account.location_id.clone(),
        session.demo.is_some(),
    ))
}

/// Runs one sync cycle for the signed-in location (waiting for a running one to end
/// first), telling the webview how it goes and the schedule how it ended.
pub async fn run_sync(app: &AppHandle) -> Result<SyncSummary, CommandError> {
    let state = app.state::<AppState>();
    let control = &state.control;
    let _one_at_a_time = state.syncing.lock().await;
    if let Some(schedule) = lock(&control.schedule).as_mut() {
        schedule.started();
    }
    let (client, location, demo) = client(&state).await?;
    let mut store = Store::open(&state.layout.location_database(&location)?)
        .map_err(crate::commands::store_error)?;
    let options = if demo {
        SyncOptions {
            children_budget: DEMO_CHILDREN_BUDGET,
        }
    } else {
        SyncOptions::default()
    };
    let cancel = CancellationToken::new();
    *lock(&control.cancel) = Some(cancel.clone());
    control.update(app, |status| {
        status.running = true;
        status.progress = None;
        status.error = None;
    });
    let last_event = Mutex::new(Instant::now() - PROGRESS_EVERY);
    let on_progress = |progress: Progress| {
        let mut last = lock(&last_event);
        let phase_changed = lock(&control.status)
            .progress
            .is_none_or(|p| p.phase != progress.phase);
        if phase_changed || last.elapsed() >= PROGRESS_EVERY {
            *last = Instant::now();
            control.update(app, |status| status.progress = Some(progress));
        }
    };
    let result =
        desk_sync::sync_once(&mut store, &client, options, now_ms, &on_progress, &cancel).await;
    lock(&control.cancel).take();
    *lock(&control.outbox_mark) = store.outbox_last_change().ok().flatten().or(Some(0));
    let ended = Ended::from(&result);
    let reachability = {
        let mut schedule = lock(&control.schedule);
        if let Some(schedule) = schedule.as_mut() {
            schedule.ended(now_ms(), ended);
        }
        schedule
            .as_ref()
            .map_or(Reachability::Unknown, Schedule::reachability)
    };
    control.update(app, |status| {
        status.running = false;
        status.progress = None;
        status.reachability = reachability;
        match &result {
            Ok(summary) => {
                status.last = Some(*summary);
                status.error = None;
            }
            Err(err) => status.error = Some(err.to_string()),
        }
    });
    result.map_err(crate::commands::sync_error)
}
