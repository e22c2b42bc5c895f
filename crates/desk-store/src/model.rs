//! What the store hands to the UI, the CLI and the sync engine.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::change::Change;

/// The kinds of record the outbox can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Entity {
    /// A contact.
    Contact,
    /// A note of a contact.
    Note,
    /// A task of a contact.
    Task,
}

impl Entity {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Note => "note",
            Self::Task => "task",
        }
    }

    /// The table holding what GHL last said about records of this kind.
    pub(crate) fn synced_table(self) -> &'static str {
        match self {
            Self::Contact => "synced_contacts",
            Self::Note => "synced_notes",
            Self::Task => "synced_tasks",
        }
    }

    /// The table the UI reads (GHL's version with pending changes applied).
    pub(crate) fn view_table(self) -> &'static str {
        match self {
            Self::Contact => "contacts",
            Self::Note => "notes",
            Self::Task => "tasks",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "contact" => Some(Self::Contact),
            "note" => Some(Self::Note),
            "task" => Some(Self::Task),
            _ => None,
        }
    }
}

/// What an outbox operation does (its payload is a [`crate::Change`] of that kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum OpKind {
    /// Create the record.
    Create,
    /// Change fields, each remembering GHL's value it was made against.
    Update,
    /// Delete the record.
    Delete,
    /// Add and remove contact tags.
    Tags,
}

impl OpKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Tags => "tags",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "create" => Some(Self::Create),
            "update" => Some(Self::Update),
            "delete" => Some(Self::Delete),
            "tags" => Some(Self::Tags),
            _ => None,
        }
    }
}

/// Where an operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum OpState {
    /// Waiting to be sent.
    Pending,
    /// Sent; the outcome is not known yet (after a crash: look the record up first).
    Sending,
    /// GHL refused it; the user edits and retries, or discards.
    Rejected,
    /// GHL changed the same thing; the user decides.
    Conflict,
    /// A create whose outcome is unknown and that could not be found in GHL: sending it
    /// again might duplicate the record, so the user checks GHL and decides.
    Uncertain,
}

impl OpState {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Rejected => "rejected",
            Self::Conflict => "conflict",
            Self::Uncertain => "uncertain",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "sending" => Some(Self::Sending),
            "rejected" => Some(Self::Rejected),
            "conflict" => Some(Self::Conflict),
            "uncertain" => Some(Self::Uncertain),
            _ => None,
        }
    }
}

/// One queued operation.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxOp {
    /// Queue position; operations of one entity are sent in this order.
    pub seq: i64,
    /// What kind of record.
    pub entity: Entity,
    /// The record's id (`local_…` until GHL assigns one).
    pub entity_id: String,
    /// The contact of a note or task.
    pub parent_id: Option<String>,
    /// What it does.
    pub change: Change,
    /// Where it stands.
    pub state: OpState,
    /// How many times a request for it actually left.
    pub attempts: i64,
    /// Not before this time (epoch ms).
    pub next_attempt_at: i64,
    /// GHL's message or the last failure.
    pub last_error: Option<String>,
    /// When the user made the change (epoch ms).
    pub created_at: i64,
    /// When it was last marked as being sent (epoch ms): the start of the window in
    /// which an uncertain create may have been made.
    pub sent_at: Option<i64>,
}

impl OutboxOp {
    /// The kind of operation.
    pub fn kind(&self) -> OpKind {
        self.change.kind()
    }
}

/// A contact as the UI lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ContactRow {
    /// GHL's id, or `local_…` for a contact not yet in GHL.
    pub id: String,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Company.
    pub company_name: Option<String>,
    /// Business id.
    pub business_id: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Added (ISO 8601).
    pub date_added: Option<String>,
    /// Last changed (ISO 8601).
    pub date_updated: Option<String>,
    /// Operations waiting for GHL.
    pub pending: u32,
}

/// A note as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NoteRow {
    /// Id.
    pub id: String,
    /// Contact.
    pub contact_id: String,
    /// Text.
    pub body: String,
    /// Title.
    pub title: Option<String>,
    /// Added.
    pub date_added: Option<String>,
    /// Operations waiting for GHL.
    pub pending: u32,
}

/// A task as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TaskRow {
    /// Id.
    pub id: String,
    /// Contact.
    pub contact_id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub body: Option<String>,
    /// Due (ISO 8601).
    pub due_date: Option<String>,
    /// Done.
    pub completed: bool,
    /// Assignee.
    pub assigned_to: Option<String>,
    /// Operations waiting for GHL.
    pub pending: u32,
}

/// An appointment as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AppointmentRow {
    /// Id.
    pub id: String,
    /// Contact.
    pub contact_id: Option<String>,
    /// Calendar.
    pub calendar_id: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Start.
    pub start_time: Option<String>,
    /// End.
    pub end_time: Option<String>,
    /// Status.
    pub status: Option<String>,
}

/// A contact with everything hanging off it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ContactDetail {
    /// The contact.
    pub contact: ContactRow,
    /// Every field as the view holds it (synced ⊕ pending), unknown ones included.
    #[cfg_attr(feature = "specta", specta(type = std::collections::HashMap<String, specta_typescript::Unknown>))]
    pub raw: Value,
    /// Notes, newest first.
    pub notes: Vec<NoteRow>,
    /// Tasks, by due date.
    pub tasks: Vec<TaskRow>,
    /// Appointments, by start time.
    pub appointments: Vec<AppointmentRow>,
}

/// How to order the contact list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ContactSort {
    /// Last name, then first name.
    #[default]
    Name,
    /// Newest first.
    DateAdded,
    /// Most recently changed first.
    DateUpdated,
}

/// A contact-list request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct ContactQuery {
    /// Search-as-you-type text (prefix match on name, email, phone, company, tags).
    pub search: Option<String>,
    /// Only contacts with this tag.
    pub tag: Option<String>,
    /// Only contacts of this business.
    pub business_id: Option<String>,
    /// Order.
    pub sort: ContactSort,
    /// The other way round: Z to A, oldest first, least recently changed first.
    pub reverse: bool,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return (at most 500).
    pub limit: u32,
}

/// One page of contacts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ContactPage {
    /// The rows.
    pub rows: Vec<ContactRow>,
    /// Matching contacts in all.
    pub total: u32,
}

/// Outbox counts for the always-visible indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct OutboxCounts {
    /// Waiting or being sent.
    pub pending: u32,
    /// Refused by GHL.
    pub rejected: u32,
    /// Waiting for the user: conflicts, and creates that may or may not have happened.
    pub conflicts: u32,
    /// Of the pending ones, those put back after a failure until their retry is due.
    pub waiting_for_retry: u32,
}

/// Which activity to show.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct ActivityQuery {
    /// Only these kinds (`edit`, `sync`, `error`, `conflict`, `resolve`, `discard`);
    /// every kind when empty.
    pub kinds: Vec<String>,
    /// Only entries whose text contains this.
    pub search: Option<String>,
    /// Only entries older than this one (the next page).
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub before: Option<i64>,
    /// Entries to return (at most 500).
    pub limit: u32,
}

/// A business contacts belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Business {
    /// GHL's business id.
    pub id: String,
    /// The company name most of its contacts give, if any.
    pub name: Option<String>,
    /// Contacts that belong to it.
    pub contacts: u32,
}

/// One line of the activity log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    /// Id (the next page starts before it).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub id: i64,
    /// When (epoch ms; as text for the UI's number range).
    pub at: String,
    /// `edit`, `sync`, `error`, …
    pub kind: String,
    /// The record kind, if any.
    pub entity: Option<String>,
    /// The record id, if any.
    pub entity_id: Option<String>,
    /// What happened.
    pub summary: String,
}

/// Last attempt, last success and last error of one sync scope (GitButler's
/// `fetch_status`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchStatus {
    /// Epoch ms of the last attempt.
    pub last_attempt: Option<i64>,
    /// Epoch ms of the last success.
    pub last_success: Option<i64>,
    /// The last error, cleared by a success.
    pub last_error: Option<String>,
}

/// A queued change as the Pending changes screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PendingChange {
    /// Queue number (to retry or discard it).
    pub seq: u32,
    /// What kind of record.
    pub entity: Entity,
    /// The record's id.
    pub entity_id: String,
    /// The contact it concerns (the record itself, or a note's or task's contact).
    pub contact_id: Option<String>,
    /// That contact's name as the app shows it.
    pub contact_name: String,
    /// What it does.
    pub op: OpKind,
    /// Where it stands.
    pub state: OpState,
    /// What it changes, in words (field names as GHL spells them).
    pub summary: String,
    /// GHL's message or the last failure.
    pub last_error: Option<String>,
    /// Requests that left for it.
    pub attempts: u32,
    /// When the user made the change (epoch ms).
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub created_at: i64,
    /// When a change put back after a failure is tried again (epoch ms), if it waits.
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub retry_at: Option<i64>,
    /// Every field it sets, with GHL's value before and the user's value.
    pub fields: Vec<FieldDiff>,
    /// Tags it adds.
    pub tags_added: Vec<String>,
    /// Tags it removes.
    pub tags_removed: Vec<String>,
    /// For a conflict: the fields both sides changed, to choose per field.
    pub choices: Vec<FieldChoice>,
}

/// One field a queued change sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldDiff {
    /// The field's name in GHL.
    pub field: String,
    /// GHL's value the change was made against (`None`: it was not known).
    pub before: Option<String>,
    /// The user's value (empty when cleared).
    pub after: String,
}

/// One field both the user and GHL changed: the user's value and GHL's, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldChoice {
    /// The field's name in GHL.
    pub field: String,
    /// The user's value (empty when cleared).
    pub mine: String,
    /// GHL's current value (empty when none; "not known yet" before GHL was read).
    pub ghl: String,
}

/// What a sync does when GHL changed a field the user also changed, chosen per account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum MergePolicy {
    /// Keep both and let the user decide on the review screen.
    #[default]
    Ask,
    /// Send the user's value over GHL's.
    PreferMine,
    /// Take GHL's value and drop the user's change to that field.
    PreferGhl,
}

impl MergePolicy {
    /// The name stored in the database and accepted by the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ask => "ask",
            Self::PreferMine => "prefer-mine",
            Self::PreferGhl => "prefer-ghl",
        }
    }

    /// Reads a stored or typed name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ask" => Some(Self::Ask),
            "prefer-mine" | "mine" => Some(Self::PreferMine),
            "prefer-ghl" | "ghl" | "theirs" => Some(Self::PreferGhl),
            _ => None,
        }
    }
}

/// Which of a record's fields an answer from GHL speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carried {
    /// A full record (`GET /contacts/{id}`, the answer to a write): a field it lacks is
    /// empty.
    All,
    /// A partial one (a search item): only these fields are known; the others keep
    /// what was known before and, if the record changed since, become unknown.
    Only(Vec<String>),
}

/// A contact as one of GHL's answers showed it, for the store to merge into what it
/// knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Pulled {
    /// The record's fields under the contact record's names (`id` included).
    pub record: Map<String, Value>,
    /// Which fields the answer speaks for.
    pub carried: Carried,
}

/// One of the location's contact custom fields, as GHL defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CustomFieldDef {
    /// GHL's id (what a contact's `customFields` entries name).
    pub id: String,
    /// Its name, as GHL's web app shows it.
    pub name: String,
    /// Its key (`contact.lead_source`).
    pub key: Option<String>,
    /// `TEXT`, `NUMERICAL`, `SINGLE_OPTIONS`, `MULTIPLE_OPTIONS`, `DATE`, …
    pub data_type: Option<String>,
    /// The choices of a picklist.
    pub options: Vec<String>,
}
