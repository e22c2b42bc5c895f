//! What the store hands to the UI, the CLI and the sync engine.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// What an outbox operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum OpKind {
    /// Create the record (payload `{"fields": {…}}`).
    Create,
    /// Change fields (payload `{"fields": {name: {"value", "base"}}}`: each change keeps
    /// the server value it was made against).
    Update,
    /// Delete the record.
    Delete,
    /// Add and remove contact tags (payload `{"add": […], "remove": […]}`).
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
}

impl OpState {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Rejected => "rejected",
            Self::Conflict => "conflict",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "sending" => Some(Self::Sending),
            "rejected" => Some(Self::Rejected),
            "conflict" => Some(Self::Conflict),
            _ => None,
        }
    }
}

/// One queued operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
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
    pub op: OpKind,
    /// The change (see [`OpKind`]).
    pub payload: Value,
    /// Where it stands.
    pub state: OpState,
    /// How many times it was sent.
    pub attempts: i64,
    /// Not before this time (epoch ms).
    pub next_attempt_at: i64,
    /// GHL's message or the last failure.
    pub last_error: Option<String>,
    /// When the user made the change (epoch ms).
    pub created_at: i64,
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
#[serde(rename_all = "camelCase")]
pub struct ContactDetail {
    /// The contact.
    pub contact: ContactRow,
    /// Every field as the view holds it (synced ⊕ pending), unknown ones included.
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
    /// Matching contacts in all (at most the search cap when searching).
    pub total: u32,
    /// A search matched more contacts than it considers: refine it.
    pub truncated: bool,
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
    /// Waiting for the user to resolve a conflict.
    pub conflicts: u32,
}

/// One line of the activity log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    /// Id.
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
    /// What it does.
    pub op: OpKind,
    /// Where it stands.
    pub state: OpState,
    /// What it changes, in words.
    pub summary: String,
    /// GHL's message or the last failure.
    pub last_error: Option<String>,
    /// Times sent.
    pub attempts: u32,
    /// For a conflicting update: each field with both values, to choose per field.
    pub fields: Vec<FieldChoice>,
}

/// One field of a conflicting change: the user's value and GHL's, as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldChoice {
    /// The field's name in GHL.
    pub field: String,
    /// The user's value (empty when cleared).
    pub mine: String,
    /// GHL's current value (empty when none).
    pub ghl: String,
    /// GHL changed this field too, to something else.
    pub clashing: bool,
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
