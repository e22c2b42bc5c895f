//! One contact read now, because the user opened it: the contact itself and its notes,
//! tasks and appointments, ahead of the background fill, so what the user looks at is
//! current. Clashes with the user's pending changes are settled as a pull settles them
//! when the caller may (it holds the location's lease); otherwise the next cycle's pull
//! settles them before anything is sent.

use desk_store::{
    model::{Carried, Pulled},
    SyncStore,
};
use ghl::{GhlClient, GhlError};

use crate::{
    error::SyncError,
    pull::{report_skipped, settle_clashes},
};

/// Reads contact `id` and its children from GHL into the store, settling clashes when
/// `settle` (the caller holds the lease). A contact not yet in GHL (a local id) has
/// nothing to read; one GHL no longer has is treated as deleted there.
pub async fn contact(
    store: &mut SyncStore,
    client: &GhlClient,
    id: &str,
    settle: bool,
) -> Result<(), SyncError> {
    if desk_store::is_local_id(id) {
        return Ok(());
    }
    let (record, notes, tasks, appointments) = tokio::join!(
        client.get_contact(id),
        client.list_notes(id),
        client.list_tasks(id),
        client.contact_appointments(id),
    );
    let record = match record {
        Ok(record) => record,
        Err(GhlError::NotFound(_)) => {
            store.apply_contact_deletions(&[id.to_owned()])?;
            return Ok(());
        }
        Err(err) => return Err(err.into()),
    };
    store.apply_contacts(&[Pulled {
        record,
        carried: Carried::All,
    }])?;
    if settle {
        let policy = store.merge_policy()?;
        settle_clashes(store, client, id, policy).await?;
    }
    let (notes, tasks) = (notes?, tasks?);
    // Appointments need a calendar scope; without it the contact still refreshes.
    let appointments = match appointments {
        Ok(listed) => Some(listed),
        Err(GhlError::ScopeMissing | GhlError::Forbidden) => None,
        Err(err) => return Err(err.into()),
    };
    for skipped in [&notes.skipped, &tasks.skipped]
        .into_iter()
        .chain(appointments.as_ref().map(|a| &a.skipped))
    {
        report_skipped(store, skipped)?;
    }
    store.apply_children(
        id,
        &notes.items,
        &tasks.items,
        appointments.as_ref().map(|a| a.items.as_slice()),
    )?;
    Ok(())
}
