//! Pulling contacts into the store: those changed since the last pull (search sorted by
//! `dateUpdated`, large pages), and deletions found by reconciling id sets when GHL's
//! count disagrees with the store's. A pending change that GHL's record now clashes
//! with is settled by the account's merge policy; when the search item did not carry a
//! changed field, the whole record is read first, so a clash is never missed and never
//! imagined.

use std::collections::HashSet;

use desk_store::{
    model::{Carried, Entity, MergePolicy, Pulled},
    SyncStore,
};
use ghl::{fields::text, paging::SearchPager, GhlClient, Listed, Observed, Skipped};
use tokio_util::sync::CancellationToken;

use crate::{
    error::SyncError,
    progress::{Phase, Reporter},
};

/// Cursor name: the newest `dateUpdated` pulled.
pub const CONTACTS_CURSOR: &str = "contacts.updatedSince";

/// Contacts per search page (GHL's maximum).
const PAGE: u32 = 500;

/// What GHL said about a contact, as the store takes it.
pub(crate) fn pulled(seen: Observed) -> Pulled {
    Pulled {
        record: seen.record,
        carried: match seen.carried {
            ghl::Carried::All => Carried::All,
            ghl::Carried::Only(fields) => Carried::Only(fields),
        },
    }
}

/// The key a skipped record is remembered by: its id, or a digest of what it said.
fn skipped_key(skipped: &Skipped) -> String {
    skipped.id.clone().unwrap_or_else(|| {
        let digest = skipped
            .reason
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("(no id) {digest:016x}")
    })
}

/// Records the skipped records of an answer (each reported once) and returns how many.
pub(crate) fn report_skipped(store: &mut SyncStore, skipped: &[Skipped]) -> Result<u64, SyncError> {
    for record in skipped {
        tracing::warn!(kind = record.kind, id = ?record.id, "skipped a record HighLevel sent: {}", record.reason);
        store.note_unreadable(record.kind, &skipped_key(record), &record.reason)?;
    }
    Ok(skipped.len() as u64)
}

/// Settles the clashes of a pulled contact's pending changes; reads the contact whole
/// first when GHL's value of a changed field is not known.
pub(crate) async fn settle_clashes(
    store: &mut SyncStore,
    client: &GhlClient,
    id: &str,
    policy: MergePolicy,
) -> Result<(), SyncError> {
    let mut clashes = store.clashes(Entity::Contact, id)?;
    if clashes.iter().any(|c| !c.unknown.is_empty()) {
        match client.get_contact(id).await {
            Ok(record) => {
                store.apply_contacts(&[Pulled {
                    record,
                    carried: Carried::All,
                }])?;
                clashes = store.clashes(Entity::Contact, id)?;
            }
            Err(ghl::GhlError::NotFound(_)) => {
                store.apply_contact_deletions(&[id.to_owned()])?;
                return Ok(());
            }
            Err(err) => return Err(err.into()),
        }
    }
    for clash in clashes {
        let fields: Vec<&str> = clash
            .fields
            .iter()
            .chain(&clash.unknown)
            .map(String::as_str)
            .collect();
        match policy {
            MergePolicy::Ask => store.mark_conflict(
                clash.seq,
                &format!("Changed in HighLevel too: {}", fields.join(", ")),
            )?,
            MergePolicy::PreferMine => store.settle_clash(&clash, false)?,
            MergePolicy::PreferGhl => store.settle_clash(&clash, true)?,
        }
    }
    Ok(())
}

/// What a pull of contacts did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ContactsPulled {
    /// Contacts stored.
    pub stored: u64,
    /// Records skipped because they could not be read.
    pub skipped: u64,
    /// GHL's count of every contact, when this pull read them all (no cursor yet).
    pub whole_total: Option<u64>,
}

/// Stores one search page and settles its clashes; `newest` follows the newest
/// `dateUpdated` seen.
async fn store_page(
    store: &mut SyncStore,
    client: &GhlClient,
    page: ghl::SearchPage,
    policy: MergePolicy,
    newest: &mut Option<String>,
) -> Result<ContactsPulled, SyncError> {
    let skipped = report_skipped(store, &page.contacts.skipped)?;
    let records: Vec<Pulled> = page.contacts.items.into_iter().map(pulled).collect();
    for record in &records {
        if let Some(updated) = text(&record.record, "dateUpdated") {
            if newest.as_deref().is_none_or(|n| updated > n) {
                *newest = Some(updated.to_owned());
            }
        }
    }
    let ids: Vec<String> = records
        .iter()
        .filter_map(|r| text(&r.record, "id").map(str::to_owned))
        .collect();
    store.apply_contacts(&records)?;
    store.forget_unreadable("contact", &ids)?;
    for id in &ids {
        settle_clashes(store, client, id, policy).await?;
    }
    Ok(ContactsPulled {
        stored: records.len() as u64,
        skipped,
        whole_total: None,
    })
}

/// Pulls contacts changed since the cursor, merging them with pending changes field by
/// field (same-field clashes settled by the account's merge policy).
pub async fn contacts(
    store: &mut SyncStore,
    client: &GhlClient,
    reporter: &Reporter<'_>,
    cancel: &CancellationToken,
) -> Result<ContactsPulled, SyncError> {
    let since = store.cursor(CONTACTS_CURSOR)?;
    let policy = store.merge_policy()?;
    let mut pager = SearchPager::new(client, PAGE);
    if let Some(since) = &since {
        pager = pager.updated_since(since);
    }
    let mut done = ContactsPulled::default();
    let mut seen = 0u64;
    let mut newest = since.clone();
    // Each page is stored while the next one is fetched: the search is sequential (a
    // page's cursor comes from the one before), so this hides the storing.
    let mut page = pager.next_page().await?;
    while let Some(current) = page {
        if cancel.is_cancelled() {
            return Err(SyncError::Cancelled);
        }
        seen += current.items as u64;
        let total = current.total.max(seen);
        if since.is_none() {
            done.whole_total = Some(current.total);
        }
        let (next, stored) = tokio::join!(
            pager.next_page(),
            store_page(store, client, current, policy, &mut newest)
        );
        let stored = stored?;
        done.stored += stored.stored;
        done.skipped += stored.skipped;
        reporter.report(
            Phase::Contacts,
            seen,
            Some(total),
            Some((total - seen).div_ceil(u64::from(PAGE))),
        );
        page = next?;
    }
    if let Some(newest) = newest {
        store.set_cursor(CONTACTS_CURSOR, &newest)?;
    }
    Ok(done)
}

/// Finds contacts deleted in GHL when GHL's count differs from what the store knows
/// (the contacts stored and those remembered as unreadable), with an ids-only pass over
/// the whole location; returns how many were deleted. `known_total` is GHL's count when
/// the pull just read every contact (no request needed to learn it).
pub async fn deletions(
    store: &mut SyncStore,
    client: &GhlClient,
    reporter: &Reporter<'_>,
    known_total: Option<u64>,
) -> Result<u64, SyncError> {
    let total = match known_total {
        Some(total) => total,
        None => {
            client
                .search_contacts(&ghl::SearchRequest {
                    page_limit: 1,
                    ..ghl::SearchRequest::default()
                })
                .await?
                .total
        }
    };
    let unreadable = store.unreadable("contact")?;
    if total == store.synced_contact_count()? + unreadable.len() as u64 {
        return Ok(0);
    }
    let mut live = HashSet::new();
    let mut seen = 0u64;
    let mut pager = SearchPager::new(client, PAGE);
    while let Some(page) = pager.next_page().await? {
        seen += page.items as u64;
        let Listed { items, skipped } = page.contacts;
        live.extend(
            items
                .into_iter()
                .filter_map(|c| text(&c.record, "id").map(str::to_owned)),
        );
        live.extend(skipped.iter().map(skipped_key));
        reporter.report(
            Phase::Deletions,
            seen,
            Some(total.max(seen)),
            Some(total.saturating_sub(seen).div_ceil(u64::from(PAGE))),
        );
    }
    let gone: Vec<String> = store
        .synced_contact_ids()?
        .into_iter()
        .filter(|id| !live.contains(id))
        .collect();
    store.apply_contact_deletions(&gone)?;
    let vanished: Vec<String> = unreadable
        .into_iter()
        .filter(|key| !live.contains(key))
        .collect();
    store.forget_unreadable("contact", &vanished)?;
    Ok(gone.len() as u64)
}
