//! Pulling GHL into the store: contacts changed since the last pull (search sorted by
//! `dateUpdated`, large pages), deletions found by reconciling id sets when the counts
//! disagree, and notes, tasks and appointments for contacts that changed or were never
//! fetched, within a per-sync budget so big locations fill in over several syncs. A
//! pending local change whose field GHL also changed becomes a conflict.

use desk_store::{
    model::{Entity, OpKind, OpState},
    Store,
};
use ghl::{paging::SearchPager, GhlClient};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use crate::{error::SyncError, progress::Progress};

/// Cursor name: the newest `dateUpdated` pulled.
pub const CONTACTS_CURSOR: &str = "contacts.updatedSince";

fn to_record(contact: &ghl::models::Contact) -> Result<Value, SyncError> {
    let mut value = serde_json::to_value(contact)
        .map_err(|e| SyncError::Ghl(ghl::GhlError::Decode(e.to_string())))?;
    if let Some(map) = value.as_object_mut() {
        map.remove("searchAfter");
    }
    Ok(value)
}

/// Marks pending updates whose base no longer matches GHL on a field GHL changed to
/// something other than the user's value: the same field changed on both sides.
fn detect_conflicts(store: &mut Store, record: &Value) -> Result<(), SyncError> {
    let Some(id) = record["id"].as_str() else {
        return Ok(());
    };
    for op in store.ops_for(id)? {
        if op.op != OpKind::Update || op.state != OpState::Pending {
            continue;
        }
        let fields: Map<String, Value> = op.payload["fields"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let clashing: Vec<&String> = fields
            .iter()
            .filter(|(key, change)| {
                let server = record.get(key.as_str()).unwrap_or(&Value::Null);
                server != &change["base"] && server != &change["value"]
            })
            .map(|(key, _)| key)
            .collect();
        if !clashing.is_empty() {
            let names: Vec<&str> = clashing.iter().map(|k| k.as_str()).collect();
            store.mark_conflict(
                op.seq,
                &format!("Changed in HighLevel too: {}", names.join(", ")),
            )?;
        }
    }
    Ok(())
}

/// Pulls contacts changed since the cursor; returns how many were stored.
pub async fn contacts(
    store: &mut Store,
    client: &GhlClient,
    progress: &(dyn Fn(Progress) + Sync),
    cancel: &CancellationToken,
) -> Result<u64, SyncError> {
    let since = store.cursor(CONTACTS_CURSOR)?;
    let mut pager = SearchPager::new(client, 500);
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
        for record in &records {
            detect_conflicts(store, record)?;
        }
        store.apply_contacts(&records)?;
        pulled += records.len() as u64;
        if let Some(last) = page.last().and_then(|c| c.date_updated.clone()) {
            newest = Some(newest.map_or(last.clone(), |n: String| if last > n { last } else { n }));
        }
        progress(Progress::Contacts { done: pulled });
    }
    if let Some(newest) = newest {
        store.set_cursor(CONTACTS_CURSOR, &newest)?;
    }
    Ok(pulled)
}

/// Finds contacts deleted in GHL when GHL's count differs from the store's, with an
/// ids-only pass over the whole location; returns how many were deleted.
pub async fn deletions(store: &mut Store, client: &GhlClient) -> Result<u64, SyncError> {
    let probe = client
        .search_contacts(&ghl::SearchRequest {
            page_limit: 1,
            ..ghl::SearchRequest::default()
        })
        .await?;
    if probe.total == store.synced_contact_count()? {
        return Ok(0);
    }
    let mut live = std::collections::HashSet::new();
    let mut pager = SearchPager::new(client, 500);
    while let Some(page) = pager.next_page().await? {
        live.extend(page.into_iter().map(|c| c.id));
    }
    let gone: Vec<String> = store
        .synced_contact_ids()?
        .into_iter()
        .filter(|id| !live.contains(id))
        .collect();
    store.apply_contact_deletions(&gone)?;
    Ok(gone.len() as u64)
}

/// Fetches notes, tasks and appointments for up to `budget` contacts that changed or
/// were never fetched; returns how many contacts were brought up to date.
pub async fn children(
    store: &mut Store,
    client: &GhlClient,
    budget: u32,
    progress: &(dyn Fn(Progress) + Sync),
    cancel: &CancellationToken,
) -> Result<u64, SyncError> {
    let due = store.contacts_needing_children(budget)?;
    let total = due.len() as u64;
    for (n, contact_id) in due.iter().enumerate() {
        if cancel.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        let notes = client.list_notes(contact_id).await;
        let tasks = client.list_tasks(contact_id).await;
        let appointments = client.contact_appointments(contact_id).await;
        match (notes, tasks, appointments) {
            (Ok(notes), Ok(tasks), Ok(appointments)) => {
                let notes: Vec<Value> = notes
                    .iter()
                    .filter_map(|n| serde_json::to_value(n).ok())
                    .collect();
                let tasks: Vec<Value> = tasks
                    .iter()
                    .filter_map(|t| serde_json::to_value(t).ok())
                    .collect();
                let appointments: Vec<Value> = appointments
                    .iter()
                    .filter_map(|a| serde_json::to_value(a).ok())
                    .collect();
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
        progress(Progress::Children {
            done: n as u64 + 1,
            total,
        });
    }
    Ok(total)
}
