//! Syncing without being asked: a background loop that follows
//! [`desk_sync::schedule`] (sync at sign-in and start, flush shortly after an edit, pull
//! every few minutes, probe with backoff while GHL is unreachable and flush as soon as
//! it answers), and the one place a sync cycle runs in a window's process, whoever asked
//! for it. It reports through a [`StatusSink`] (the window turns that into events) and
//! reads time from a [`Clock`], so tests drive it without a window or a wall clock.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use desk_sync::{
    schedule::{Action, Ended, Reachability, Schedule},
    Progress, SyncSummary,
};
use serde::Serialize;
use tokio::sync::Notify;

use crate::{
    error::{DeskError, DeskResult, ErrorKind},
    location::{lock, Location},
    Desk,
};

/// How often an idle loop looks for changes queued by another process (the CLI), which
/// cannot tell this one it edited.
const OUTBOX_WATCH: Duration = Duration::from_secs(15);

/// The least time between two progress reports, so a fast phase does not flood the
/// window.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// How long a cycle the window starts waits for another process's cycle of the same
/// location to end.
const LEASE_WAIT: Duration = Duration::from_secs(2);

/// How long requests may wait for GHL's answer before the window shows GHL as not
/// answering (a request's own timeout is much longer).
pub const STALLED: Duration = Duration::from_secs(6);

/// What the window shows of syncing: reachability, whether a cycle runs and how far it
/// is, and how the last one ended. Reported whenever any of it changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
    /// The last failure's kind, for the window to choose what to offer.
    pub error_kind: Option<ErrorKind>,
    /// When a cycle last finished without failing (epoch ms).
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub last_success_at: Option<i64>,
    /// Seconds until the next automatic attempt, when one is planned.
    pub next_in_seconds: Option<u32>,
}

impl Default for SyncStatus {
    fn default() -> Self {
        Self::idle()
    }
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
            error_kind: None,
            last_success_at: None,
            next_in_seconds: None,
        }
    }
}

/// Where the runner reports its status.
pub trait StatusSink: Send + Sync {
    /// The status changed.
    fn status(&self, status: &SyncStatus);
}

/// Where the runner reads the time (epoch milliseconds).
pub trait Clock: Send + Sync {
    /// Now.
    fn now_ms(&self) -> i64;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        desk_store::wall_clock_ms()
    }
}

struct State {
    schedule: Option<Schedule>,
    status: SyncStatus,
    /// The outbox's last change as the last cycle left it.
    outbox_mark: Option<i64>,
}

/// The background runner of one process's open location.
pub struct Runner {
    desk: Arc<Desk>,
    sink: Arc<dyn StatusSink>,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    wake: Notify,
    cycle: tokio::sync::Mutex<()>,
    /// Set by [`Runner::shut_down`]: no cycle starts any more.
    stopping: AtomicBool,
}

impl Runner {
    /// A runner over `desk`, reporting to `sink`, reading time from `clock`. It does
    /// nothing until [`Runner::run`] runs.
    pub fn new(desk: Arc<Desk>, sink: Arc<dyn StatusSink>, clock: Arc<dyn Clock>) -> Arc<Self> {
        let now = clock.now_ms();
        let schedule = desk.open_location().map(|_| Schedule::new(now));
        Arc::new(Self {
            desk,
            sink,
            clock,
            state: Mutex::new(State {
                schedule,
                status: SyncStatus::idle(),
                outbox_mark: None,
            }),
            wake: Notify::new(),
            cycle: tokio::sync::Mutex::new(()),
            stopping: AtomicBool::new(false),
        })
    }

    /// The current status.
    pub fn status(&self) -> SyncStatus {
        let state = lock(&self.state);
        let mut status = state.status.clone();
        let now = self.clock.now_ms();
        status.next_in_seconds = match state.schedule.as_ref().map(Schedule::next) {
            Some(Action::Sync(at) | Action::Probe(at)) => {
                Some(u32::try_from((at - now).max(0) / 1000).unwrap_or(u32::MAX))
            }
            _ => None,
        };
        status
    }

    fn update(&self, change: impl FnOnce(&mut SyncStatus)) {
        change(&mut lock(&self.state).status);
        self.sink.status(&self.status());
    }

    /// Stops the running cycle; what it did stays done, the rest stays queued.
    pub fn cancel(&self) {
        if let Some(location) = self.desk.open_location() {
            location.cancel_sync();
        }
    }

    /// Stops for good, as the process is about to end: no cycle starts any more, a
    /// running one is cancelled, and this waits up to `grace` for the sends it has in
    /// flight to be answered and recorded. Returns whether it ended in time; a send still
    /// unanswered then is recovered and checked by the next process that syncs.
    pub async fn shut_down(&self, grace: Duration) -> bool {
        self.stopping.store(true, Ordering::SeqCst);
        self.cancel();
        self.wake.notify_one();
        tokio::time::timeout(grace, self.cycle.lock()).await.is_ok()
    }

    /// Undoes [`Runner::shut_down`] when the process goes on after all (an update that
    /// did not install): the loop runs again.
    pub async fn resume(self: Arc<Self>) {
        self.stopping.store(false, Ordering::SeqCst);
        self.run().await;
    }

    /// The loop: waits for what the schedule says, for an edit, or for another
    /// location to open, and acts. Runs until the process ends.
    pub async fn run(self: Arc<Self>) {
        let mut opened = self.desk.watch_opened();
        let mut edits = self.desk.watch_edits();
        loop {
            if self.stopping.load(Ordering::SeqCst) {
                return;
            }
            let next = lock(&self.state)
                .schedule
                .as_ref()
                .map_or(Action::Wait, Schedule::next);
            let wait = match next {
                Action::Wait => OUTBOX_WATCH,
                Action::Sync(at) | Action::Probe(at) => {
                    Duration::from_millis(u64::try_from(at - self.clock.now_ms()).unwrap_or(0))
                }
            };
            let nap = wait.min(OUTBOX_WATCH);
            tokio::select! {
                changed = opened.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    self.location_changed();
                    continue;
                }
                changed = edits.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    self.edited();
                    continue;
                }
                () = self.wake.notified() => continue,
                () = tokio::time::sleep(nap) => {}
            }
            if nap < wait || matches!(next, Action::Wait) {
                if self.edited_elsewhere() {
                    self.edited();
                }
                continue;
            }
            match next {
                Action::Sync(_) => {
                    if let Err(err) = self.cycle().await {
                        tracing::info!(kind = ?err.kind, "automatic sync stopped: {}", err.message);
                    }
                }
                Action::Probe(_) => self.probe().await,
                Action::Wait => {}
            }
        }
    }

    /// Another location opened (or the open one closed): sync it at once.
    fn location_changed(&self) {
        let now = self.clock.now_ms();
        {
            let mut state = lock(&self.state);
            state.schedule = self.desk.open_location().map(|_| Schedule::new(now));
            state.outbox_mark = None;
            state.status = SyncStatus::idle();
        }
        self.sink.status(&self.status());
    }

    /// An edit was queued: flush it soon.
    fn edited(&self) {
        let now = self.clock.now_ms();
        if let Some(schedule) = lock(&self.state).schedule.as_mut() {
            schedule.edited(now);
        }
        self.wake.notify_one();
    }

    /// Whether the outbox changed since the last cycle without this process knowing
    /// (another process queued an edit in the same data folder).
    fn edited_elsewhere(&self) -> bool {
        let mark = lock(&self.state).outbox_mark;
        let now = self
            .desk
            .open_location()
            .and_then(|l| l.outbox_last_change().ok().flatten());
        matches!((mark, now), (Some(mark), Some(now)) if now > mark)
    }

    /// Checks whether GHL answers and tells the schedule.
    async fn probe(&self) {
        let reachable = match self.desk.location().and_then(|l| l.client()) {
            Ok(client) => client.reachable().await,
            Err(_) => false,
        };
        let now = self.clock.now_ms();
        let reachability = {
            let mut state = lock(&self.state);
            if let Some(schedule) = state.schedule.as_mut() {
                schedule.probed(now, reachable);
            }
            state
                .schedule
                .as_ref()
                .map_or(Reachability::Unknown, Schedule::reachability)
        };
        self.update(|status| status.reachability = reachability);
    }

    /// Runs one sync cycle now, because the user asked (after a running one ends; a
    /// schedule paused for a sign-in resumes).
    pub async fn sync_now(&self) -> DeskResult<SyncSummary> {
        let now = self.clock.now_ms();
        if let Some(schedule) = lock(&self.state).schedule.as_mut() {
            schedule.requested(now);
        }
        self.cycle().await
    }

    /// Waits for `cycle` while watching GHL answer: when requests wait for an answer
    /// longer than [`STALLED`], GHL is shown as unreachable at once (its timeout would
    /// take much longer), and as reachable again when answers come.
    async fn watching<T>(
        &self,
        location: &Location,
        cycle: impl std::future::Future<Output = T>,
    ) -> T {
        let client = location.client().ok();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let mut flagged = false;
        tokio::pin!(cycle);
        loop {
            tokio::select! {
                done = &mut cycle => return done,
                _ = tick.tick() => {
                    let Some(client) = &client else { continue };
                    let stalled = client.waiting_for().is_some_and(|waited| waited >= STALLED);
                    if stalled != flagged {
                        flagged = stalled;
                        let now = if stalled { Reachability::Offline } else { Reachability::Online };
                        self.update(|status| status.reachability = now);
                    }
                }
            }
        }
    }

    /// Runs one sync cycle for the open location (after a running one ends), telling
    /// the sink how it goes and the schedule how it ended.
    async fn cycle(&self) -> DeskResult<SyncSummary> {
        let _one_at_a_time = self.cycle.lock().await;
        if self.stopping.load(Ordering::SeqCst) {
            return Err(DeskError::new(ErrorKind::Cancelled, "GHL Desk is quitting"));
        }
        let location = self.desk.location()?;
        let started = self.clock.now_ms();
        if let Some(schedule) = lock(&self.state).schedule.as_mut() {
            schedule.started();
        }
        self.update(|status| {
            status.running = true;
            status.progress = None;
            status.error = None;
            status.error_kind = None;
        });
        let last_report = Mutex::new(Instant::now() - PROGRESS_EVERY);
        let on_progress = |progress: Progress| {
            let mut last = lock(&last_report);
            let phase_changed = lock(&self.state)
                .status
                .progress
                .is_none_or(|p| p.phase != progress.phase);
            if phase_changed || last.elapsed() >= PROGRESS_EVERY {
                *last = Instant::now();
                self.update(|status| status.progress = Some(progress));
            }
        };
        let clock = self.clock.clone();
        let now = move || clock.now_ms();
        let cycle = location.sync(location.sync_options(), &now, &on_progress, LEASE_WAIT);
        let result = self.watching(&location, cycle).await;
        let mark = location.outbox_last_change().ok().flatten().or(Some(0));
        let ended = match &result {
            Ok(summary) => Ended::Done {
                more_children: summary.children_left > 0,
                retry_in_ms: summary.retry_in_seconds.map(|s| i64::from(s) * 1000),
            },
            Err(err) => ended_by(err),
        };
        let finished = self.clock.now_ms();
        let reachability = {
            let mut state = lock(&self.state);
            state.outbox_mark = mark;
            if let Some(schedule) = state.schedule.as_mut() {
                schedule.ended(finished, ended);
            }
            state
                .schedule
                .as_ref()
                .map_or(Reachability::Unknown, Schedule::reachability)
        };
        self.update(|status| {
            status.running = false;
            status.progress = None;
            status.reachability = reachability;
            match &result {
                Ok(summary) => {
                    status.last = Some(*summary);
                    status.error = None;
                    status.error_kind = None;
                    status.last_success_at = Some(finished);
                }
                Err(err) if err.kind == ErrorKind::Cancelled => {}
                Err(err) => {
                    status.error = Some(err.message.clone());
                    status.error_kind = Some(err.kind);
                }
            }
        });
        tracing::debug!(
            ms = finished - started,
            ok = result.is_ok(),
            "sync cycle ended"
        );
        result
    }
}

/// How a failed cycle ended, as far as scheduling cares.
fn ended_by(err: &DeskError) -> Ended {
    match err.kind {
        ErrorKind::Offline => Ended::Offline,
        ErrorKind::Unauthorized | ErrorKind::SignIn => Ended::SignInNeeded,
        ErrorKind::Cancelled => Ended::Cancelled,
        ErrorKind::Busy => Ended::Busy,
        _ => Ended::Failed,
    }
}
