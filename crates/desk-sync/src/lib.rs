//! GHL Desk's sync engine: one cycle settles anything a dead process left in flight,
//! pulls what changed in GHL (flagging same-field conflicts with pending edits),
//! reconciles deletions, pushes the outbox, fetches children within a budget and
//! records the outcome. The promise: an edit reaches GHL exactly once, or the user sees
//! why not. The caller holds the location's lease (one sending process per location).

mod about;
pub mod children;
pub mod error;
mod lookup;
pub mod progress;
pub mod pull;
pub mod push;
pub mod refresh;
pub mod schedule;

use desk_store::SyncStore;
use ghl::GhlClient;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

pub use error::SyncError;
pub use progress::{Phase, Progress};

/// Requests in flight at once; the pacer still spaces them under the rate limit, so
/// this only hides GHL's latency.
pub(crate) const IN_FLIGHT: usize = 16;

/// Limits of one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncOptions {
    /// Contacts whose notes, tasks and appointments are fetched per cycle (one request
    /// each with the location-wide scopes, three without); the rest follow in later
    /// cycles.
    pub children_budget: u32,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            children_budget: 300,
        }
    }
}

/// What one cycle did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    /// Contacts pulled.
    pub pulled: u32,
    /// Contacts found deleted in GHL.
    pub deleted: u32,
    /// Contacts whose children were fetched.
    pub children: u32,
    /// Operations GHL acknowledged.
    pub pushed: u32,
    /// Operations GHL refused (waiting for the user).
    pub rejected: u32,
    /// Operations put back for a later cycle.
    pub deferred: u32,
    /// Conflicts waiting for the user after the cycle.
    pub conflicts: u32,
    /// Contacts whose notes, tasks and appointments are still to fetch (later cycles).
    pub children_left: u32,
    /// Changes put back after a failure, waiting for their retry.
    pub waiting_for_retry: u32,
    /// Seconds until the first change put back for later is due, if one waits.
    pub retry_in_seconds: Option<u32>,
    /// Records GHL sent this cycle that could not be read (reported in the activity
    /// log by id, and left out).
    pub skipped: u32,
}

impl SyncSummary {
    /// What the cycle did, in words for the activity log; `None` when it found nothing
    /// to do.
    pub fn said(&self) -> Option<String> {
        let parts: Vec<String> = [
            (self.pulled, "contact pulled", "contacts pulled"),
            (self.deleted, "deleted in HighLevel", "deleted in HighLevel"),
            (self.pushed, "change sent", "changes sent"),
            (self.rejected, "change refused", "changes refused"),
            (
                self.children,
                "contact's notes and tasks fetched",
                "contacts' notes and tasks fetched",
            ),
            (
                self.skipped,
                "record skipped (unreadable)",
                "records skipped (unreadable)",
            ),
        ]
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{} {}", grouped(*n), if *n == 1 { one } else { many }))
        .collect();
        (!parts.is_empty()).then(|| format!("Synced: {}", parts.join(", ")))
    }
}

/// A count with its thousands grouped ("2,000"), as the window writes counts.
fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Runs one sync cycle and records it in the store's fetch status and, when it did
/// something or failed, in the activity log.
pub async fn sync_once(
    store: &mut SyncStore,
    client: &GhlClient,
    options: SyncOptions,
    now: impl Fn() -> i64,
    progress: &(dyn Fn(Progress) + Sync),
    cancel: &CancellationToken,
) -> Result<SyncSummary, SyncError> {
    store.fetch_attempted("sync")?;
    let result = cycle(store, client, options, now, progress, cancel).await;
    match &result {
        Ok(summary) => {
            store.fetch_succeeded("sync")?;
            if let Some(said) = summary.said() {
                store.log_sync(&said, false)?;
            }
        }
        Err(SyncError::Cancelled) => store.fetch_failed("sync", "stopped")?,
        Err(err) => {
            store.fetch_failed("sync", &err.to_string())?;
            store.log_sync(&format!("Sync failed: {err}"), true)?;
        }
    }
    result
}

async fn cycle(
    store: &mut SyncStore,
    client: &GhlClient,
    options: SyncOptions,
    now: impl Fn() -> i64,
    progress: &(dyn Fn(Progress) + Sync),
    cancel: &CancellationToken,
) -> Result<SyncSummary, SyncError> {
    let reporter = progress::Reporter::new(client, progress);
    reporter.report(Phase::Settling, 0, None, None);
    push::recover_in_flight(store, client).await?;
    // The location's details are read beside the first pages, keeping the rate limit
    // busy from the first second.
    let details_due = about::due(store, now())?;
    let (pulled, details) = tokio::join!(pull::contacts(store, client, &reporter, cancel), async {
        if details_due {
            Some(about::fetch(client).await)
        } else {
            None
        }
    });
    let mut pulled = pulled?;
    let about_skipped = match details {
        Some(details) => about::keep(store, details)?,
        None => 0,
    };
    let deleted = pull::deletions(store, client, &reporter, pulled.whole_total).await?;
    let mut pushed = push::outbox(store, client, &now, &reporter, cancel).await?;
    let fetched = children::children(
        store,
        client,
        options.children_budget,
        now(),
        &reporter,
        cancel,
    )
    .await?;
    let mut pulled_after = 0;
    if fetched.yielded {
        // A change queued during the fill goes out now, after a pull that catches a
        // colleague's change made since the first one.
        let again = pull::contacts(store, client, &reporter, cancel).await?;
        pulled_after = again.stored;
        pulled.skipped += again.skipped;
        pushed.add(push::outbox(store, client, &now, &reporter, cancel).await?);
    }
    let narrow = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let at = now();
    let retry_in_seconds = store
        .next_retry_at(at)?
        .map(|due| u32::try_from(((due - at).max(0) + 999) / 1000).unwrap_or(u32::MAX));
    let counts = store.outbox_counts()?;
    Ok(SyncSummary {
        pulled: narrow(pulled.stored + pulled_after),
        deleted: narrow(deleted),
        children: narrow(fetched.contacts),
        pushed: narrow(pushed.pushed),
        rejected: narrow(pushed.rejected),
        deferred: narrow(pushed.deferred),
        conflicts: counts.conflicts,
        children_left: store.children_due_count()?,
        waiting_for_retry: counts.waiting_for_retry,
        retry_in_seconds,
        skipped: narrow(pulled.skipped + fetched.skipped + about_skipped),
    })
}

#[cfg(test)]
mod said_tests {
    use super::*;

    #[test]
    fn counts_in_the_log_are_grouped_like_the_window_s() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(2_001), "2,001");
        assert_eq!(grouped(100_000), "100,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
        let summary = SyncSummary {
            pulled: 2_001,
            pushed: 1,
            ..SyncSummary::default()
        };
        assert_eq!(
            summary.said().as_deref(),
            Some("Synced: 2,001 contacts pulled, 1 change sent")
        );
    }
}
