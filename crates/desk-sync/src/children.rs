//! Notes, tasks and appointments for the contacts that changed or were never fetched,
//! within a per-cycle budget so that big locations fill in over several cycles. Every
//! request goes through one queue that keeps up to [`crate::IN_FLIGHT`] requests going
//! (the pacer keeps them under the rate limit), and a contact's children are written in
//! one transaction as soon as they are all in. Tasks come from the location-wide search
//! (a hundred contacts a request) and appointments from each calendar's events (at most
//! every few minutes) when the token's scopes allow; otherwise from each contact. Notes
//! only exist per contact.

use std::collections::{HashMap, VecDeque};

use desk_store::SyncStore;
use futures_util::{stream::FuturesUnordered, StreamExt};
use ghl::{
    fields::text, EventSelector, GhlClient, GhlError, GhlResult, Listed, Record, TaskSearch,
};
use tokio_util::sync::CancellationToken;

use crate::{
    error::SyncError,
    progress::{Phase, Reporter},
    pull::report_skipped,
};

/// Contact ids per location-wide tasks search, and tasks per page.
const TASK_BATCH: usize = 100;
const TASK_PAGE: u32 = 100;

/// How far back and ahead the location-wide appointment pass looks: five years of
/// history and two years of bookings.
const APPOINTMENTS_BACK_MS: i64 = 5 * 366 * 24 * 3600 * 1000;
const APPOINTMENTS_AHEAD_MS: i64 = 2 * 366 * 24 * 3600 * 1000;

/// How long the location-wide appointments stay fresh before a cycle reads them again.
const APPOINTMENTS_FRESH_MS: i64 = 10 * 60 * 1000;

/// The fetch-status scope of the location-wide appointments.
const APPOINTMENTS_SCOPE: &str = "appointments";

/// Children reads take at most this share of the requests GHL says are left today, so
/// that pushing the user's changes never runs out of budget.
const DAILY_SHARE: u32 = 2;

/// What the children phase did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChildrenFetched {
    /// Contacts whose children were brought up to date.
    pub contacts: u64,
    /// Records skipped because they could not be read.
    pub skipped: u64,
    /// The phase stopped early because the user queued a change meanwhile, so that
    /// the change is sent now rather than after the whole budget.
    pub yielded: bool,
}

/// How often the phase looks whether the outbox changed.
const OUTBOX_LOOK: std::time::Duration = std::time::Duration::from_millis(250);

/// One request of the phase.
enum Job {
    Notes(usize),
    TasksBatch { batch: usize, skip: u32 },
    ContactTasks(usize),
    Calendars,
    Events(String),
    ContactAppointments(usize),
}

/// A request's answer.
enum Answer {
    Notes(usize, GhlResult<Listed<Record>>),
    TasksBatch {
        batch: usize,
        skip: u32,
        result: GhlResult<Listed<Record>>,
    },
    ContactTasks(usize, GhlResult<Listed<Record>>),
    Calendars(GhlResult<Listed<Record>>),
    Events(GhlResult<Listed<Record>>),
    ContactAppointments(usize, GhlResult<Listed<Record>>),
}

/// Where appointments come from this cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Appointments {
    /// Not known yet (the calendars list decides).
    Deciding,
    /// Location-wide: contacts need no appointment read of their own.
    Wide,
    /// Each contact's own list.
    PerContact,
}

/// A due contact's children as they come in.
#[derive(Default)]
struct Gathered {
    notes: Option<Vec<Record>>,
    tasks: Vec<Record>,
    tasks_done: bool,
    appointments: Option<Vec<Record>>,
    written: bool,
}

async fn run(client: &GhlClient, due: &[String], job: Job, window: (i64, i64)) -> Answer {
    match job {
        Job::Notes(n) => Answer::Notes(n, client.list_notes(&due[n]).await),
        Job::TasksBatch { batch, skip } => {
            let contacts = due
                .chunks(TASK_BATCH)
                .nth(batch)
                .map(<[String]>::to_vec)
                .unwrap_or_default();
            let search = TaskSearch {
                contact_ids: contacts,
                completed: None,
                limit: TASK_PAGE,
                skip,
            };
            Answer::TasksBatch {
                batch,
                skip,
                result: client.search_tasks(&search).await,
            }
        }
        Job::ContactTasks(n) => Answer::ContactTasks(n, client.list_tasks(&due[n]).await),
        Job::Calendars => Answer::Calendars(client.calendars().await),
        Job::Events(calendar) => Answer::Events(
            client
                .calendar_events(&EventSelector::Calendar(calendar), window.0, window.1)
                .await,
        ),
        Job::ContactAppointments(n) => {
            Answer::ContactAppointments(n, client.contact_appointments(&due[n]).await)
        }
    }
}

/// Whether an error means the token lacks the scope of a location-wide read.
fn scope_missing(err: &GhlError) -> bool {
    matches!(err, GhlError::ScopeMissing | GhlError::Forbidden)
}

/// `budget` contacts, fewer when the daily request budget runs low (each contact costs
/// up to three requests).
fn within_daily_budget(client: &GhlClient, budget: u32) -> u32 {
    match client.budget().daily_remaining {
        Some(left) => budget.min(left / DAILY_SHARE / 3),
        None => budget,
    }
}

/// Fetches notes, tasks and appointments for up to `budget` contacts that changed or
/// were never fetched.
pub async fn children(
    store: &mut SyncStore,
    client: &GhlClient,
    budget: u32,
    now: i64,
    reporter: &Reporter<'_>,
    cancel: &CancellationToken,
) -> Result<ChildrenFetched, SyncError> {
    let due = store.contacts_needing_children(within_daily_budget(client, budget))?;
    let mut done = ChildrenFetched::default();
    if due.is_empty() {
        return Ok(done);
    }
    // Progress counts the whole location, not just this cycle's share: "1,240 of 10,000".
    let location_total = store.synced_contact_count()?;
    let already = location_total.saturating_sub(u64::from(store.children_due_count()?));
    let appointments_fresh = store
        .fetch_status(APPOINTMENTS_SCOPE)?
        .last_success
        .is_some_and(|at| now - at < APPOINTMENTS_FRESH_MS);
    let window = (now - APPOINTMENTS_BACK_MS, now + APPOINTMENTS_AHEAD_MS);

    let mut gathered: Vec<Gathered> = due.iter().map(|_| Gathered::default()).collect();
    let index: HashMap<&str, usize> = due
        .iter()
        .enumerate()
        .map(|(n, id)| (id.as_str(), n))
        .collect();
    let batches = due.len().div_ceil(TASK_BATCH);
    let mut tasks_wide: Option<bool> = None;
    let mut appointments = if appointments_fresh {
        Appointments::Wide
    } else {
        Appointments::Deciding
    };
    let mut events_left = 0usize;
    let mut events: Vec<Record> = Vec::new();

    let mut queue: VecDeque<Job> = VecDeque::new();
    queue.push_back(Job::TasksBatch { batch: 0, skip: 0 });
    if appointments == Appointments::Deciding {
        queue.push_back(Job::Calendars);
    }
    queue.extend((0..due.len()).map(Job::Notes));
    let mut running = FuturesUnordered::new();
    let outbox_mark = store.outbox_last_change()?;
    let mut looked = std::time::Instant::now();

    loop {
        if !done.yielded && looked.elapsed() >= OUTBOX_LOOK {
            looked = std::time::Instant::now();
            if store.outbox_last_change()? > outbox_mark {
                // Only what is in flight is awaited; the rest stays due for the next cycle.
                done.yielded = true;
                queue.clear();
            }
        }
        while running.len() < crate::IN_FLIGHT {
            let Some(job) = queue.pop_front() else { break };
            running.push(run(client, &due, job, window));
        }
        let Some(answer) = running.next().await else {
            break;
        };
        if cancel.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        match answer {
            Answer::Notes(n, result) => match result {
                Ok(listed) => {
                    done.skipped += report_skipped(store, &listed.skipped)?;
                    gathered[n].notes = Some(listed.items);
                }
                Err(GhlError::NotFound(_)) => {
                    store.apply_contact_deletions(std::slice::from_ref(&due[n]))?;
                    gathered[n].written = true;
                }
                Err(err) => return Err(err.into()),
            },
            Answer::TasksBatch {
                batch,
                skip,
                result,
            } => match result {
                Ok(listed) => {
                    if tasks_wide.is_none() {
                        tasks_wide = Some(true);
                        // Location-wide reads may lead to more pages: they go first, so
                        // no chain of them is left for the end of the cycle.
                        for batch in (1..batches).rev() {
                            queue.push_front(Job::TasksBatch { batch, skip: 0 });
                        }
                    }
                    done.skipped += report_skipped(store, &listed.skipped)?;
                    let full = listed.items.len() >= TASK_PAGE as usize;
                    for task in listed.items {
                        let owner = text(&task, "contactId").and_then(|c| index.get(c));
                        if let Some(&n) = owner {
                            gathered[n].tasks.push(task);
                        }
                    }
                    if full {
                        queue.push_front(Job::TasksBatch {
                            batch,
                            skip: skip + TASK_PAGE,
                        });
                    } else {
                        let first = batch * TASK_BATCH;
                        for g in &mut gathered[first..(first + TASK_BATCH).min(due.len())] {
                            g.tasks_done = true;
                        }
                    }
                }
                Err(err) if scope_missing(&err) && tasks_wide.is_none() => {
                    tasks_wide = Some(false);
                    queue.extend((0..due.len()).map(Job::ContactTasks));
                }
                Err(err) => return Err(err.into()),
            },
            Answer::ContactTasks(n, result) => {
                let listed = result?;
                done.skipped += report_skipped(store, &listed.skipped)?;
                gathered[n].tasks = listed.items;
                gathered[n].tasks_done = true;
            }
            Answer::Calendars(result) => match result {
                Ok(listed) => {
                    done.skipped += report_skipped(store, &listed.skipped)?;
                    let calendars: Vec<String> = listed
                        .items
                        .iter()
                        .filter_map(|c| text(c, "id").map(str::to_owned))
                        .collect();
                    events_left = calendars.len();
                    for calendar in calendars.into_iter().rev() {
                        queue.push_front(Job::Events(calendar));
                    }
                    appointments = Appointments::Wide;
                    if events_left == 0 {
                        store.fetch_succeeded(APPOINTMENTS_SCOPE)?;
                    }
                }
                Err(err) if scope_missing(&err) => {
                    appointments = Appointments::PerContact;
                    queue.extend((0..due.len()).map(Job::ContactAppointments));
                }
                Err(err) => return Err(err.into()),
            },
            Answer::Events(result) => match result {
                Ok(listed) => {
                    done.skipped += report_skipped(store, &listed.skipped)?;
                    events.extend(listed.items);
                    events_left -= 1;
                    if events_left == 0 {
                        store.apply_appointments(&std::mem::take(&mut events))?;
                        store.fetch_succeeded(APPOINTMENTS_SCOPE)?;
                    }
                }
                Err(err) if scope_missing(&err) => {
                    appointments = Appointments::PerContact;
                    events_left = 0;
                    queue.extend((0..due.len()).map(Job::ContactAppointments));
                }
                Err(err) => return Err(err.into()),
            },
            Answer::ContactAppointments(n, result) => {
                let listed = result?;
                done.skipped += report_skipped(store, &listed.skipped)?;
                gathered[n].appointments = Some(listed.items);
            }
        }
        for (n, g) in gathered.iter_mut().enumerate() {
            let appointments_in = match appointments {
                Appointments::Wide => true,
                Appointments::PerContact => g.appointments.is_some(),
                Appointments::Deciding => false,
            };
            if g.written || !g.tasks_done || !appointments_in {
                continue;
            }
            let Some(notes) = g.notes.take() else {
                continue;
            };
            store.apply_children(
                &due[n],
                &notes,
                &std::mem::take(&mut g.tasks),
                g.appointments.take().as_deref(),
            )?;
            g.written = true;
            done.contacts += 1;
            let per_contact = 1
                + u64::from(tasks_wide == Some(false))
                + u64::from(appointments == Appointments::PerContact);
            let filled = (already + done.contacts).min(location_total);
            reporter.report(
                Phase::Children,
                filled,
                Some(location_total),
                Some((location_total - filled) * per_contact),
            );
        }
    }
    Ok(done)
}
