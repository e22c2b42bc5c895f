//! Reads of the open location's cache: the contact list, one contact with everything
//! hanging off it, tags, the activity log, queue counts, the location's sync status and
//! CSV export. Reads never wait on the network.

use std::{io::Write, path::Path};

use serde::Serialize;

use crate::{
    error::{DeskError, DeskResult, ErrorKind},
    location::Location,
    Account, ActivityEntry, ActivityQuery, Business, ContactDetail, ContactPage, ContactQuery,
    CustomFieldDef, FetchStatus, OutboxCounts, PendingChange,
};

/// A contact as its pane shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ContactView {
    /// The contact, its notes, tasks and appointments.
    pub detail: ContactDetail,
    /// Its queued changes (and its notes' and tasks'), oldest first.
    pub changes: Vec<PendingChange>,
    /// Why it cannot be edited, when the sign-in may only read.
    pub read_only: Option<String>,
}

/// The open location at a glance (the CLI's `status`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationStatus {
    /// The account.
    pub account: Account,
    /// Contacts cached.
    pub contacts: u32,
    /// Queued changes by state.
    pub outbox: OutboxCounts,
    /// The last sync: attempt, success, error.
    pub last_sync: FetchStatus,
    /// When the first change waiting for a retry is due (epoch ms), if one waits.
    pub next_retry_at: Option<i64>,
    /// Contacts whose notes, tasks and appointments are still to fetch.
    pub children_left: u32,
}

impl Location {
    /// One page of contacts (search, filters, sort).
    pub fn list_contacts(&self, query: &ContactQuery) -> DeskResult<ContactPage> {
        self.read(|store| store.list_contacts(query))
    }

    /// A contact with its notes, tasks and appointments.
    pub fn contact_detail(&self, id: &str) -> DeskResult<ContactDetail> {
        self.read(|store| store.contact_detail(id))
    }

    /// A contact as its pane shows it: everything cached about it, the changes of it
    /// that GHL does not have yet, and why it cannot be edited, if it cannot.
    pub fn contact_view(&self, id: &str) -> DeskResult<ContactView> {
        let read_only = self.read_only_reason();
        self.read(|store| {
            Ok(ContactView {
                detail: store.contact_detail(id)?,
                changes: store.pending_changes_of(id)?,
                read_only,
            })
        })
    }

    /// The businesses contacts belong to, for the business filter.
    pub fn businesses(&self) -> DeskResult<Vec<Business>> {
        self.read(|store| store.businesses())
    }

    /// A page of the activity log.
    pub fn activity_page(&self, query: &ActivityQuery) -> DeskResult<Vec<ActivityEntry>> {
        self.read(|store| store.activity_page(query))
    }

    /// Every tag in use, with how many contacts carry it.
    pub fn tags(&self) -> DeskResult<Vec<(String, u32)>> {
        self.read(|store| store.tags())
    }

    /// The latest activity, newest first.
    pub fn activity(&self, limit: u32) -> DeskResult<Vec<ActivityEntry>> {
        self.read(|store| store.activity(limit))
    }

    /// Pending, refused and conflicting changes, for the top bar.
    pub fn outbox_counts(&self) -> DeskResult<OutboxCounts> {
        self.read(|store| store.outbox_counts())
    }

    /// When the outbox last changed (another process's edits show up here).
    pub fn outbox_last_change(&self) -> DeskResult<Option<i64>> {
        self.read(|store| store.outbox_last_change())
    }

    /// The location at a glance.
    pub fn status(&self, now: i64) -> DeskResult<LocationStatus> {
        let account = self.account();
        self.read(|store| {
            Ok(LocationStatus {
                account,
                contacts: store
                    .list_contacts(&ContactQuery {
                        limit: 1,
                        ..ContactQuery::default()
                    })?
                    .total,
                outbox: store.outbox_counts()?,
                last_sync: store.fetch_status("sync")?,
                next_retry_at: store.next_retry_at(now)?,
                children_left: store.children_due_count()?,
            })
        })
    }

    /// The location's contact custom fields (names, types, options), as GHL last said.
    pub fn custom_fields(&self) -> DeskResult<Vec<CustomFieldDef>> {
        self.read(|store| store.custom_fields())
    }

    /// Writes the contacts as CSV (all, or those `only` matches); returns how many.
    pub fn export_csv<W: Write>(&self, out: W, only: Option<&ContactQuery>) -> DeskResult<usize> {
        self.read(|store| store.export_contacts_csv(out, only))
    }

    /// Writes the contacts as CSV to the file at `path` (written beside it first and
    /// moved into place, so a failed export leaves no half file); returns how many.
    pub fn export_csv_file(&self, path: &Path, only: Option<&ContactQuery>) -> DeskResult<usize> {
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut file = tempfile::NamedTempFile::new_in(folder).map_err(|err| {
            DeskError::new(
                ErrorKind::Storage,
                format!("cannot write in {}: {err}", folder.display()),
            )
        })?;
        let written = self.export_csv(std::io::BufWriter::new(file.as_file_mut()), only)?;
        file.persist(path).map_err(|err| {
            DeskError::new(
                ErrorKind::Storage,
                format!("cannot write {}: {}", path.display(), err.error),
            )
        })?;
        Ok(written)
    }
}
