//! What a running sync reports as it goes: the phase, how far it is, the requests it
//! has used and how long the phase should still take at the current rate limit.

use ghl::GhlClient;
use serde::Serialize;

/// The part of a cycle a sync is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Settling changes a crash left half-sent.
    Settling,
    /// Pulling contacts changed in GHL.
    Contacts,
    /// Looking for contacts deleted in GHL.
    Deletions,
    /// Sending queued changes.
    Push,
    /// Fetching notes, tasks and appointments.
    Children,
}

/// A progress event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// What the sync is doing.
    pub phase: Phase,
    /// Items of this phase done (contacts pulled, changes sent, or contacts of the
    /// location whose notes, tasks and appointments are in).
    pub done: u32,
    /// Items this phase expects, when known.
    pub total: Option<u32>,
    /// Requests sent to GHL since the cycle started.
    pub requests: u32,
    /// Seconds this phase should still take at the current rate limit, when known.
    pub eta_seconds: Option<u32>,
}

fn narrow(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Turns engine milestones into [`Progress`] events for a listener.
pub struct Reporter<'a> {
    client: &'a GhlClient,
    started_at: u64,
    listener: &'a (dyn Fn(Progress) + Sync),
}

impl<'a> Reporter<'a> {
    /// A reporter counting `client`'s requests from now on.
    pub fn new(client: &'a GhlClient, listener: &'a (dyn Fn(Progress) + Sync)) -> Self {
        Self {
            client,
            started_at: client.budget().sent_total,
            listener,
        }
    }

    /// Reports `done` of `total` in `phase`, with `requests_left` the requests the
    /// phase still needs (for the ETA).
    pub fn report(&self, phase: Phase, done: u64, total: Option<u64>, requests_left: Option<u64>) {
        let budget = self.client.budget();
        let per_second = f64::from(budget.max.max(1)) / budget.interval.as_secs_f64().max(0.001);
        (self.listener)(Progress {
            phase,
            done: narrow(done),
            total: total.map(narrow),
            requests: narrow(budget.sent_total.saturating_sub(self.started_at)),
            eta_seconds: requests_left.map(|left| (left as f64 / per_second).ceil() as u32),
        });
    }
}
