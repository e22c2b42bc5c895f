//! Pulling GHL into the store: contacts changed since the last pull (search sorted by
//! `dateUpdated`, large pages), deletions found by reconciling id sets when the counts
//! disagree, and notes, tasks and appointments for contacts that changed or were never
//! fetched, within a per-sync budget so big locations fill in over several syncs. A
//! pending local change whose field GHL also changed becomes a conflict.

use desk_store::{
    model::{Entity, MergePolicy, OpKind, OpState},
    Store,
};
use std::collections::{HashMap, HashSet};

use futures_util::{stream, StreamExt};
use ghl::{paging::SearchPager, EventSelector, GhlClient, TaskSearch};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::{
    error::SyncError,
    progress::{Phase, Reporter},
};

/// Cursor name: the newest `dateUpdated` pulled.
pub const CONTACTS_CURSOR: &str = "contacts.updatedSince";

/// Contacts per search page (GHL's maximum).
const PAGE: u32 = 500;

fn to_record(contact: &ghl::models::Contact) -> Result<Value, SyncError> {
    let mut value = serde_json::to_value(contact)
        .map_err(|e| SyncError::Ghl(ghl::GhlError::Decode(e.to_string())))?;
    if let Some(map) = value.as_object_mut() {
        map.remove("searchAfter");
    }
    Ok(value)
}

/// A pending update whose fields GHL also changed, to something else than the user's
/// value: the same field changed on both sides.
struct Clash {
    seq: i64,
    fields: Vec<String>,
}

fn clashes(store: &Store, record: &Value) -> Result<Vec<Clash>, SyncError> {
    let Some(id) = record["id"].as_str() else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for op in store.ops_for(id)? {
        if op.op != OpKind::Update || op.state != OpState::Pending {
            continue;
        }
        let changes: Map<String, Value> = op.payload["fields"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let fields: Vec<String> = changes
            .iter()
            .filter(|(key, change)| {
                let server = record.get(key.as_str()).unwrap_or(&Value::Null);
                server != &change["base"] && server != &change["value"]
            })
            .map(|(key, _)| key.clone())
            .collect();
        if !fields.is_empty() {
            found.push(Clash {
                seq: op.seq,
                fields,
            });
        }
    }
    Ok(found)
}

/// Settles a clash by the account's policy, once GHL's version is stored.
fn settle(store: &mut Store, clash: &Clash, policy: MergePolicy) -> Result<(), SyncError> {
    match policy {
        MergePolicy::Ask => store.mark_conflict(
            clash.seq,
            &format!("Changed in HighLevel too: {}", clash.fields.join(", ")),
        )?,
        MergePolicy::PreferMine => store.keep_mine(clash.seq)?,
        MergePolicy::PreferGhl => store.keep_theirs(clash.seq, &clash.fields)?,
    }
    Ok(())
}

/// Pulls contacts changed since the cursor, merging them with pending changes field by
/// field (same-field clashes settled by the account's merge policy); returns how many
/// were stored.
pub async fn contacts(
    store: &mut Store,
    client: &GhlClient,
    reporter: &Reporter<'_>,
    cancel: &CancellationToken,
) -> Result<u64, SyncError> {
    let since = store.cursor(CONTACTS_CURSOR)?;
    let policy = store.merge_policy()?;
    let mut pager = SearchPager::new(client, PAGE);
    if let Some(since) = &since {
        pager = pager.updated_since(since);
    }
    let mut pulled = 0u64;
    let mut newest = since.clone();
    while let Some(page) = pager.next_page().await? {
        if cancel.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        let records = page.iter().map(to_record).collect::<Result<Vec<_>, _>>()?;
        let mut found = Vec::new();
        for record in &records {
            found.extend(clashes(store, record)?);
        }
        store.apply_contacts(&records)?;
        for clash in &found {
            settle(store, clash, policy)?;
        }
        pulled += records.len() as u64;
        if let Some(last) = page.last().and_then(|c| c.date_updated.clone()) {
            newest = Some(newest.map_or(last.clone(), |n: String| if last > n { last } else { n }));
        }
        let total = pager.total().map(|t| t.max(pulled));
        reporter.report(
            Phase::Contacts,
            pulled,
            total,
            total.map(|t| (t - pulled).div_ceil(u64::from(PAGE))),
        );
    }
    if let Some(newest) = newest {
        store.set_cursor(CONTACTS_CURSOR, &newest)?;
    }
    Ok(pulled)
}

/// Finds contacts deleted in GHL when GHL's count differs from the store's, with an
/// ids-only pass over the whole location; returns how many were deleted.
pub async fn deletions(
    store: &mut Store,
    client: &GhlClient,
    reporter: &Reporter<'_>,
) -> Result<u64, SyncError> {
    let probe = client
        .search_contacts(&ghl::SearchRequest {
            page_limit: 1,
            ..ghl::SearchRequest::default()
        })
        .await?;
    if probe.total == store.synced_contact_count()? {
        return Ok(0);
    }
    let mut live = HashSet::new();
    let mut pager = SearchPager::new(client, PAGE);
    while let Some(page) = pager.next_page().await? {
        live.extend(page.into_iter().map(|c| c.id));
        let seen = live.len() as u64;
        reporter.report(
            Phase::Deletions,
            seen,
            Some(probe.total.max(seen)),
            Some(probe.total.saturating_sub(seen).div_ceil(u64::from(PAGE))),
        );
    }
    let gone: Vec<String> = store
        .synced_contact_ids()?
        .into_iter()
        .filter(|id| !live.contains(id))
        .collect();
    store.apply_contact_deletions(&gone)?;
    Ok(gone.len() as u64)
}

/// Contact ids per location-wide tasks search, and tasks per page.
const TASK_BATCH: usize = 100;
const TASK_PAGE: u32 = 100;

/// How far back and ahead the location-wide appointment pass looks: five years of
/// history and two years of bookings.
const APPOINTMENTS_BACK_MS: i64 = 5 * 366 * 24 * 3600 * 1000;
const APPOINTMENTS_AHEAD_MS: i64 = 2 * 366 * 24 * 3600 * 1000;

fn values<T: serde::Serialize>(items: &[T]) -> Vec<Value> {
    items
        .iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .collect()
}

/// `None` when the token lacks the scope (the caller falls back to per-contact reads).
fn unless_scope_missing<T>(result: Result<T, ghl::GhlError>) -> Result<Option<T>, SyncError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ghl::GhlError::ScopeMissing | ghl::GhlError::Forbidden) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

/// The tasks of `contacts` through the location-wide search (one request per hundred
/// contacts instead of one each), grouped by contact.
async fn location_tasks(
    client: &GhlClient,
    contacts: &[String],
) -> Result<HashMap<String, Vec<Value>>, ghl::GhlError> {
    let mut by_contact: HashMap<String, Vec<Value>> = HashMap::new();
    for batch in contacts.chunks(TASK_BATCH) {
        let mut skip = 0;
        loop {
            let page = client
                .search_tasks(&TaskSearch {
                    contact_ids: batch.to_vec(),
                    completed: None,
                    limit: TASK_PAGE,
                    skip,
                })
                .await?;
            for task in &page {
                if let (Some(contact), Ok(value)) = (&task.contact_id, serde_json::to_value(task)) {
                    by_contact.entry(contact.clone()).or_default().push(value);
                }
            }
            if page.len() < TASK_PAGE as usize {
                break;
            }
            skip += TASK_PAGE;
        }
    }
    Ok(by_contact)
}

/// Every appointment of the location's calendars within the window around today.
async fn location_appointments(client: &GhlClient) -> Result<Vec<Value>, ghl::GhlError> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut all = Vec::new();
    for calendar in client.calendars().await? {
        let events = client
            .calendar_events(
                &EventSelector::Calendar(calendar.id.clone()),
                now_ms - APPOINTMENTS_BACK_MS,
                now_ms + APPOINTMENTS_AHEAD_MS,
            )
            .await?;
        all.extend(values(&events));
    }
    Ok(all)
}

/// Children reads take at most this share of the requests GHL says are left today, so
/// that pushing the user's changes never runs out of budget.
const DAILY_SHARE: u32 = 2;

/// `budget` contacts, fewer when the daily request budget runs low (each contact costs
/// up to three requests).
fn within_daily_budget(client: &GhlClient, budget: u32) -> u32 {
    match client.budget().daily_remaining {
        Some(left) => budget.min(left / DAILY_SHARE / 3),
        None => budget,
    }
}

/// Fetches notes, tasks and appointments for up to `budget` contacts that changed or
/// were never fetched; returns how many contacts were brought up to date. Tasks and
/// appointments come from the location-wide endpoints when the token has their scopes
/// (a note per contact is then the only per-contact request), per contact otherwise.
pub async fn children(
    store: &mut Store,
    client: &GhlClient,
    budget: u32,
    reporter: &Reporter<'_>,
    cancel: &CancellationToken,
) -> Result<u64, SyncError> {
    let due = store.contacts_needing_children(within_daily_budget(client, budget))?;
    if due.is_empty() {
        return Ok(0);
    }
    let total = due.len() as u64;
    // Progress counts the whole location, not just this cycle's share: "1,240 of 10,000".
    let location_total = store.synced_contact_count()?;
    let already = location_total.saturating_sub(u64::from(store.children_due_count()?));
    let mut tasks_wide = unless_scope_missing(location_tasks(client, &due).await)?;
    let appointments_wide = match unless_scope_missing(location_appointments(client).await)? {
        Some(all) => {
            store.apply_appointments(&all)?;
            true
        }
        None => false,
    };
    let per_contact = 1 + u64::from(tasks_wide.is_none()) + u64::from(!appointments_wide);
    let fetches: Vec<_> = due
        .iter()
        .map(|contact_id| {
            let known_tasks = tasks_wide
                .as_mut()
                .map(|by_contact| by_contact.remove(contact_id).unwrap_or_default());
            async move {
                let tasks = async {
                    match known_tasks {
                        Some(tasks) => Ok(tasks),
                        None => client.list_tasks(contact_id).await.map(|t| values(&t)),
                    }
                };
                let appointments = async {
                    if appointments_wide {
                        Ok(Vec::new())
                    } else {
                        client
                            .contact_appointments(contact_id)
                            .await
                            .map(|a| values(&a))
                    }
                };
                let notes = async { client.list_notes(contact_id).await.map(|n| values(&n)) };
                (contact_id, futures_util::join!(notes, tasks, appointments))
            }
        })
        .collect();
    let mut answers = stream::iter(fetches).buffer_unordered(crate::IN_FLIGHT);
    let mut done = 0u64;
    while let Some((contact_id, fetched)) = answers.next().await {
        if cancel.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        match fetched {
            (Ok(notes), Ok(tasks), Ok(appointments)) => {
                store.apply_children(Entity::Note, contact_id, &notes)?;
                store.apply_children(Entity::Task, contact_id, &tasks)?;
                store.apply_appointments(&appointments)?;
                store.children_fetched(contact_id)?;
            }
            (Err(ghl::GhlError::NotFound(_)), _, _) => {
                store.apply_contact_deletions(std::slice::from_ref(contact_id))?
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Err(e.into()),
        }
        done += 1;
        let filled = (already + done).min(location_total);
        reporter.report(
            Phase::Children,
            filled,
            Some(location_total),
            Some((location_total - filled) * per_contact),
        );
    }
    Ok(total)
}
