//! When to sync without being asked: shortly after an edit while online, as soon as GHL
//! is reachable again after being offline (probing with backoff meanwhile), and every
//! few minutes to pull what changed in GHL. A pure state machine over a millisecond
//! clock, so the app's background loop stays a thin timer around it.

use serde::Serialize;

/// How long after an edit the outbox is flushed, so a burst of edits goes in one sync.
pub const AFTER_EDIT_MS: i64 = 2_000;
/// How long after GHL became reachable again the outbox is flushed.
pub const AFTER_RECONNECT_MS: i64 = 1_000;
/// How often an idle, online app pulls from GHL.
pub const PERIOD_MS: i64 = 5 * 60_000;
/// How soon the next cycle starts while contacts still wait for their children (each
/// cycle pushes queued changes first, so edits never wait behind a long first sync).
pub const AFTER_PARTIAL_MS: i64 = 1_000;
/// How long after a first failure (GHL's server errors, an exhausted budget) the next
/// attempt is made: soon, since most server errors pass within seconds, and an edit
/// queued meanwhile should not wait a minute once GHL answers again.
pub const AFTER_FAILURE_FIRST_MS: i64 = 5_000;
/// The longest wait after failures in a row (the wait doubles from the first).
pub const AFTER_FAILURE_MAX_MS: i64 = 60_000;
/// How long after finding another process syncing the location the next attempt is
/// made.
pub const AFTER_BUSY_MS: i64 = 15_000;
/// The first wait between reachability probes while offline.
pub const PROBE_FIRST_MS: i64 = 5_000;
/// The longest wait between reachability probes.
pub const PROBE_MAX_MS: i64 = 5 * 60_000;

/// Whether GHL answers, as far as the app knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Reachability {
    /// Nothing tried yet.
    Unknown,
    /// The last request or probe got an answer.
    Online,
    /// The last request or probe got none.
    Offline,
}

/// How a sync ended, as far as scheduling cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It finished.
    Done {
        /// Contacts still wait for their notes, tasks and appointments.
        more_children: bool,
        /// Milliseconds until a change put back for later is due, if one waits.
        retry_in_ms: Option<i64>,
    },
    /// GHL could not be reached.
    Offline,
    /// The sign-in is no longer valid: no automatic sync until the user signs in.
    SignInNeeded,
    /// The daily budget or something unexpected stopped it.
    Failed,
    /// Another process was syncing the location.
    Busy,
    /// The user cancelled it.
    Cancelled,
}

/// What the background loop should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run a sync cycle at this time.
    Sync(i64),
    /// Check whether GHL is reachable at this time.
    Probe(i64),
    /// Nothing until something happens (signed out, or sign-in needed).
    Wait,
}

/// The scheduling state of one signed-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    reachability: Reachability,
    probes: u32,
    failures: u32,
    sync_at: Option<i64>,
    probe_at: Option<i64>,
    paused: bool,
}

impl Schedule {
    /// A schedule that syncs at once (a fresh sign-in or app start).
    pub fn new(now: i64) -> Self {
        Self {
            reachability: Reachability::Unknown,
            probes: 0,
            failures: 0,
            sync_at: Some(now),
            probe_at: None,
            paused: false,
        }
    }

    /// Whether GHL answers, as far as the app knows.
    pub fn reachability(&self) -> Reachability {
        self.reachability
    }

    /// The next thing to do.
    pub fn next(&self) -> Action {
        if self.paused {
            return Action::Wait;
        }
        match (self.sync_at, self.probe_at) {
            (Some(at), _) => Action::Sync(at),
            (None, Some(at)) => Action::Probe(at),
            (None, None) => Action::Wait,
        }
    }

    /// The user queued a change: flush it soon if GHL is reachable (while offline the
    /// probe brings it out once the network is back).
    pub fn edited(&mut self, now: i64) {
        if self.reachability != Reachability::Offline {
            self.sync_soon(now + AFTER_EDIT_MS);
        }
    }

    /// The user asked for a sync, or signed in again.
    pub fn requested(&mut self, now: i64) {
        self.paused = false;
        self.sync_soon(now);
    }

    fn sync_soon(&mut self, at: i64) {
        self.sync_at = Some(self.sync_at.map_or(at, |due| due.min(at)));
    }

    /// A sync is starting: whatever was due is being done.
    pub fn started(&mut self) {
        self.sync_at = None;
    }

    /// A sync ended.
    pub fn ended(&mut self, now: i64, how: Ended) {
        match how {
            Ended::Done {
                more_children,
                retry_in_ms,
            } => {
                self.reachability = Reachability::Online;
                self.probes = 0;
                self.failures = 0;
                self.probe_at = None;
                self.sync_soon(now + PERIOD_MS);
                if more_children {
                    self.sync_soon(now + AFTER_PARTIAL_MS);
                }
                if let Some(wait) = retry_in_ms {
                    self.sync_soon(now + wait.max(0));
                }
            }
            Ended::Offline => self.went_offline(now),
            Ended::SignInNeeded => {
                self.reachability = Reachability::Online;
                self.paused = true;
            }
            Ended::Failed => {
                self.reachability = Reachability::Online;
                let wait = AFTER_FAILURE_FIRST_MS.saturating_mul(1 << self.failures.min(10));
                self.failures = self.failures.saturating_add(1);
                self.sync_soon(now + wait.min(AFTER_FAILURE_MAX_MS));
            }
            Ended::Busy => self.sync_soon(now + AFTER_BUSY_MS),
            Ended::Cancelled => self.sync_soon(now + PERIOD_MS),
        }
    }

    fn went_offline(&mut self, now: i64) {
        self.reachability = Reachability::Offline;
        self.sync_at = None;
        self.probes = 0;
        self.probe_at = Some(now + PROBE_FIRST_MS);
    }

    /// A reachability probe answered.
    pub fn probed(&mut self, now: i64, reachable: bool) {
        if reachable {
            self.reachability = Reachability::Online;
            self.probes = 0;
            self.probe_at = None;
            self.sync_soon(now + AFTER_RECONNECT_MS);
        } else {
            self.reachability = Reachability::Offline;
            self.probes = self.probes.saturating_add(1);
            let wait = PROBE_FIRST_MS.saturating_mul(1 << self.probes.min(10));
            self.probe_at = Some(now + wait.min(PROBE_MAX_MS));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DONE: Ended = Ended::Done {
        more_children: false,
        retry_in_ms: None,
    };

    #[test]
    fn a_fresh_schedule_syncs_at_once_then_every_period() {
        let mut s = Schedule::new(0);
        assert_eq!(s.next(), Action::Sync(0));
        s.started();
        s.ended(10, DONE);
        assert_eq!(s.reachability(), Reachability::Online);
        assert_eq!(s.next(), Action::Sync(10 + PERIOD_MS));
    }

    #[test]
    fn a_partial_first_sync_continues_soon_and_deferred_changes_retry_when_due() {
        let mut s = Schedule::new(0);
        s.started();
        s.ended(
            0,
            Ended::Done {
                more_children: true,
                retry_in_ms: None,
            },
        );
        assert_eq!(s.next(), Action::Sync(AFTER_PARTIAL_MS));
        s.started();
        s.ended(
            100,
            Ended::Done {
                more_children: false,
                retry_in_ms: Some(20_000),
            },
        );
        assert_eq!(s.next(), Action::Sync(20_100));
    }

    #[test]
    fn an_edit_while_online_flushes_shortly_and_bursts_share_one_sync() {
        let mut s = Schedule::new(0);
        s.started();
        s.ended(0, DONE);
        s.edited(1_000);
        s.edited(1_500);
        assert_eq!(s.next(), Action::Sync(1_000 + AFTER_EDIT_MS));
    }

    #[test]
    fn offline_probes_back_off_and_reconnecting_flushes() {
        let mut s = Schedule::new(0);
        s.started();
        s.ended(0, Ended::Offline);
        assert_eq!(s.reachability(), Reachability::Offline);
        assert_eq!(s.next(), Action::Probe(PROBE_FIRST_MS));
        s.edited(100);
        assert_eq!(
            s.next(),
            Action::Probe(PROBE_FIRST_MS),
            "an edit while offline waits for the network"
        );
        let mut at = PROBE_FIRST_MS;
        let mut waits = Vec::new();
        for _ in 0..8 {
            s.probed(at, false);
            let Action::Probe(next) = s.next() else {
                panic!("still probing")
            };
            waits.push(next - at);
            at = next;
        }
        assert!(waits.windows(2).all(|w| w[1] >= w[0]), "{waits:?}");
        assert_eq!(*waits.last().unwrap(), PROBE_MAX_MS);
        s.probed(at, true);
        assert_eq!(s.reachability(), Reachability::Online);
        assert_eq!(s.next(), Action::Sync(at + AFTER_RECONNECT_MS));
    }

    #[test]
    fn sign_in_needed_pauses_until_the_user_acts() {
        let mut s = Schedule::new(0);
        s.started();
        s.ended(0, Ended::SignInNeeded);
        s.edited(10);
        assert_eq!(s.next(), Action::Wait);
        s.requested(20);
        assert_eq!(s.next(), Action::Sync(20));
    }

    #[test]
    fn failures_retry_soon_then_back_off_until_a_sync_succeeds() {
        let mut s = Schedule::new(0);
        let mut now = 0;
        let mut waits = Vec::new();
        for _ in 0..6 {
            s.started();
            s.ended(now, Ended::Failed);
            let Action::Sync(at) = s.next() else {
                panic!("a failure schedules a sync");
            };
            waits.push(at - now);
            now = at;
        }
        assert_eq!(waits, [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
        s.started();
        s.ended(now, DONE);
        s.started();
        s.ended(now, Ended::Failed);
        assert_eq!(
            s.next(),
            Action::Sync(now + AFTER_FAILURE_FIRST_MS),
            "a success starts the backoff over"
        );
    }

    #[test]
    fn another_process_syncing_means_trying_again_soon() {
        let mut s = Schedule::new(0);
        s.started();
        s.ended(0, Ended::Busy);
        assert_eq!(s.next(), Action::Sync(AFTER_BUSY_MS));
    }
}
