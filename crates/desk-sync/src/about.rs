//! What the location is: its name (shown beside the account) and its contact custom
//! fields (names for the editor and for export columns). Both change rarely, so a cycle
//! reads them at most every few hours, alongside its first requests; a token without the
//! scopes for them simply goes without.

use desk_store::SyncStore;
use ghl::{fields::text, GhlClient, GhlError, GhlResult, Listed, Record};

use crate::{pull::report_skipped, SyncError};

/// How long the location's name and custom fields stay fresh.
const FRESH_MS: i64 = 6 * 60 * 60 * 1000;

/// The fetch-status scope of the location's name and custom fields.
const SCOPE: &str = "location";

/// What GHL answered about the location.
pub(crate) struct Details {
    location: GhlResult<Record>,
    custom_fields: GhlResult<Listed<Record>>,
}

/// Whether the location's details are stale and should be read this cycle.
pub(crate) fn due(store: &SyncStore, now: i64) -> Result<bool, SyncError> {
    Ok(store
        .fetch_status(SCOPE)?
        .last_success
        .is_none_or(|at| now - at >= FRESH_MS))
}

/// Reads the location and its custom-field definitions (two requests at once).
pub(crate) async fn fetch(client: &GhlClient) -> Details {
    let (location, custom_fields) = tokio::join!(client.location(), client.custom_fields());
    Details {
        location,
        custom_fields,
    }
}

/// Keeps what GHL answered; returns how many records could not be read.
pub(crate) fn keep(store: &mut SyncStore, details: Details) -> Result<u64, SyncError> {
    store.fetch_attempted(SCOPE)?;
    let mut missing = Vec::new();
    let mut skipped = 0;
    match details.location {
        Ok(location) => {
            if let Some(name) = text(&location, "name") {
                store.set_location_name(name)?;
            }
        }
        Err(err) if not_granted(&err) => missing.push("locations.readonly"),
        Err(err) => return Err(err.into()),
    }
    match details.custom_fields {
        Ok(listed) => {
            store.apply_custom_fields(&listed.items)?;
            skipped = report_skipped(store, &listed.skipped)?;
        }
        Err(err) if not_granted(&err) => missing.push("locations/customFields.readonly"),
        Err(err) => return Err(err.into()),
    }
    // Not granted is an answer too: it is asked again only when details would be stale.
    store.fetch_succeeded(SCOPE)?;
    if !missing.is_empty() {
        tracing::info!(scopes = ?missing, "location details not granted; going without");
        store.fetch_failed(SCOPE, &format!("not granted: {}", missing.join(", ")))?;
    }
    Ok(skipped)
}

/// Whether an error means the token may not read this.
fn not_granted(err: &GhlError) -> bool {
    matches!(err, GhlError::ScopeMissing | GhlError::Forbidden)
}
