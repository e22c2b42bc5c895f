//! The one place that knows what each GHL endpoint returns and maps it onto a record's
//! fields. A contact record (`GET /contacts/{id}`, the answer to a create or update)
//! speaks for every field; a search item speaks only for the fields it carries, under
//! partly other names (`address` for `address1`) and formats (`dateOfBirth`); a field
//! absent from such an answer is unknown, never empty. Ids may come as `id`, `_id` or
//! both. A record that cannot be read is reported with its id and skipped: it never
//! stops the others from being read.

use chrono::{DateTime, NaiveDate};
use serde_json::{Map, Value};

/// A record as GHL sent it, normalised (`id` set, fields under the record's names).
pub type Record = Map<String, Value>;

/// Which answer a contact came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactShape {
    /// A whole record: `GET /contacts/{id}`, or the answer to a create or update.
    Record,
    /// An item of `POST /contacts/search` (the 2025-08 spec's search `Contact`).
    SearchItem,
}

/// Contact fields a search item can carry, under the record's names.
pub const SEARCH_ITEM_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "email",
    "phone",
    "companyName",
    "businessId",
    "address1",
    "city",
    "state",
    "postalCode",
    "country",
    "source",
    "type",
    "dnd",
    "dndSettings",
    "tags",
    "customFields",
    "assignedTo",
    "dateOfBirth",
    "dateAdded",
    "dateUpdated",
];

/// Contact fields that hold text (or nothing) in every shape.
const CONTACT_TEXT: &[&str] = &[
    "firstName",
    "lastName",
    "name",
    "email",
    "phone",
    "companyName",
    "businessId",
    "address1",
    "city",
    "state",
    "postalCode",
    "country",
    "website",
    "timezone",
    "source",
    "type",
    "assignedTo",
    "gender",
    "dateAdded",
    "dateUpdated",
];

/// Which fields an answer speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carried {
    /// Every field: one it lacks is empty.
    All,
    /// Only these (the ones present in a partial answer).
    Only(Vec<String>),
}

/// A contact as one answer showed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// Its fields under the record's names.
    pub record: Record,
    /// Which fields the answer speaks for.
    pub carried: Carried,
}

/// A record GHL sent that could not be read: reported, then left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// What it was (`contact`, `note`, `task`, `appointment`, `calendar`).
    pub kind: &'static str,
    /// Its id, when it had one.
    pub id: Option<String>,
    /// Why it could not be read.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{} {id}: {}", self.kind, self.reason),
            None => write!(f, "a {} without an id: {}", self.kind, self.reason),
        }
    }
}

/// Records of one list answer: those read, and those skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<T> {
    /// The records that could be read.
    pub items: Vec<T>,
    /// The records that could not.
    pub skipped: Vec<Skipped>,
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

impl<T> Listed<T> {
    /// Adds another answer's records.
    pub fn extend(&mut self, other: Listed<T>) {
        self.items.extend(other.items);
        self.skipped.extend(other.skipped);
    }
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Settles the id: `id`, else `_id`; both present, `id` wins and `_id` goes.
fn settle_id(kind: &'static str, record: &mut Record) -> Result<String, Skipped> {
    let underscore = record.remove("_id");
    let id = match record.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => match underscore {
            Some(Value::String(id)) if !id.is_empty() => id,
            _ => {
                return Err(Skipped {
                    kind,
                    id: None,
                    reason: "it has no id".into(),
                })
            }
        },
    };
    record.insert("id".into(), id.clone().into());
    Ok(id)
}

fn text_fields(
    kind: &'static str,
    id: &str,
    record: &Record,
    names: &[&str],
) -> Result<(), Skipped> {
    for name in names {
        if let Some(value) = record.get(*name) {
            if !(value.is_string() || value.is_null()) {
                return Err(Skipped {
                    kind,
                    id: Some(id.to_owned()),
                    reason: format!("{name} is {} instead of text", kind_name(value)),
                });
            }
        }
    }
    Ok(())
}

/// A date of birth in whatever form an answer used (`YYYY-MM-DD`, an ISO timestamp,
/// epoch milliseconds) as `YYYY-MM-DD`; `None` when it is none of those.
pub fn date_of_birth(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => {
            let text = text.trim();
            NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d")
                .ok()
                .filter(|_| text.len() == 10 || DateTime::parse_from_rfc3339(text).is_ok())
                .map(|d| d.format("%Y-%m-%d").to_string())
        }
        Value::Number(ms) => ms
            .as_i64()
            .and_then(DateTime::from_timestamp_millis)
            .map(|at| at.format("%Y-%m-%d").to_string()),
        _ => None,
    }
}

/// Reads one contact from an answer of `shape`.
pub fn read_contact(shape: ContactShape, value: Value) -> Result<Observed, Skipped> {
    const KIND: &str = "contact";
    let Value::Object(mut record) = value else {
        return Err(Skipped {
            kind: KIND,
            id: None,
            reason: format!("it is {} instead of an object", kind_name(&value)),
        });
    };
    let id = settle_id(KIND, &mut record)?;
    record.remove("searchAfter");
    if shape == ContactShape::SearchItem && !record.contains_key("address1") {
        if let Some(address) = record.remove("address") {
            record.insert("address1".into(), address);
        }
    }
    text_fields(KIND, &id, &record, CONTACT_TEXT)?;
    let skip = |reason: String| Skipped {
        kind: KIND,
        id: Some(id.clone()),
        reason,
    };
    match record.get("dateOfBirth").cloned() {
        Some(Value::Null) | None => {}
        Some(value) => {
            let day = date_of_birth(&value)
                .ok_or_else(|| skip(format!("dateOfBirth {value} is not a date")))?;
            record.insert("dateOfBirth".into(), day.into());
        }
    }
    match record.get_mut("tags") {
        Some(Value::Array(tags)) => {
            tags.retain(|t| !t.is_null());
            if let Some(odd) = tags.iter().find(|t| !t.is_string()) {
                return Err(skip(format!("a tag is {}", kind_name(odd))));
            }
        }
        Some(Value::Null) => {
            record.insert("tags".into(), Value::Array(Vec::new()));
        }
        Some(other) => return Err(skip(format!("tags is {}", kind_name(other)))),
        None => {}
    }
    match record.get_mut("customFields") {
        Some(Value::Array(fields)) => fields.retain(|f| {
            f.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| !id.is_empty())
        }),
        Some(Value::Null) => {
            record.insert("customFields".into(), Value::Array(Vec::new()));
        }
        Some(other) => return Err(skip(format!("customFields is {}", kind_name(other)))),
        None => {}
    }
    let carried = match shape {
        ContactShape::Record => Carried::All,
        ContactShape::SearchItem => Carried::Only(
            SEARCH_ITEM_FIELDS
                .iter()
                .filter(|name| record.contains_key(**name))
                .map(|name| (*name).to_owned())
                .collect(),
        ),
    };
    Ok(Observed { record, carried })
}

/// Reads every contact of one answer, skipping (and reporting) those that cannot be read.
pub fn read_contacts(shape: ContactShape, values: Vec<Value>) -> Listed<Observed> {
    let mut listed = Listed::default();
    for value in values {
        match read_contact(shape, value) {
            Ok(contact) => listed.items.push(contact),
            Err(skipped) => listed.skipped.push(skipped),
        }
    }
    listed
}

/// A kind of record hanging off a contact, or of the location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKind {
    /// A note.
    Note,
    /// A task (from a contact's list or the location-wide search).
    Task,
    /// An appointment (calendar event).
    Appointment,
    /// A calendar.
    Calendar,
    /// A location.
    Location,
    /// A custom field's definition.
    CustomField,
}

impl ChildKind {
    fn name(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Task => "task",
            Self::Appointment => "appointment",
            Self::Calendar => "calendar",
            Self::Location => "location",
            Self::CustomField => "custom field",
        }
    }

    fn text_fields(self) -> &'static [&'static str] {
        match self {
            Self::Note => &["body", "title", "contactId", "userId", "dateAdded"],
            Self::Task => &["title", "body", "dueDate", "contactId", "assignedTo"],
            Self::Appointment => &[
                "title",
                "calendarId",
                "contactId",
                "startTime",
                "endTime",
                "appointmentStatus",
                "status",
            ],
            Self::Calendar => &["name", "groupId"],
            Self::Location => &["name", "companyId", "timezone"],
            Self::CustomField => &["name", "fieldKey", "dataType", "model"],
        }
    }
}

/// Reads one note, task, appointment or calendar.
pub fn read_child(kind: ChildKind, value: Value) -> Result<Record, Skipped> {
    let name = kind.name();
    let Value::Object(mut record) = value else {
        return Err(Skipped {
            kind: name,
            id: None,
            reason: format!("it is {} instead of an object", kind_name(&value)),
        });
    };
    let id = settle_id(name, &mut record)?;
    text_fields(name, &id, &record, kind.text_fields())?;
    if kind == ChildKind::Task {
        match record.get("completed") {
            Some(Value::Bool(_)) => {}
            Some(Value::Null) | None => {
                record.insert("completed".into(), false.into());
            }
            Some(other) => {
                return Err(Skipped {
                    kind: name,
                    id: Some(id),
                    reason: format!("completed is {}", kind_name(other)),
                })
            }
        }
    }
    Ok(record)
}

/// Reads every record of one answer, skipping (and reporting) those that cannot be read.
pub fn read_children(kind: ChildKind, values: Vec<Value>) -> Listed<Record> {
    let mut listed = Listed::default();
    for value in values {
        match read_child(kind, value) {
            Ok(record) => listed.items.push(record),
            Err(skipped) => listed.skipped.push(skipped),
        }
    }
    listed
}

/// A text field of a record.
pub fn text<'a>(record: &'a Record, name: &str) -> Option<&'a str> {
    record.get(name).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_come_as_id_or_underscore_id_or_both() {
        for raw in [
            json!({ "id": "t1" }),
            json!({ "_id": "t1" }),
            json!({ "id": "t1", "_id": "t1" }),
            json!({ "id": "", "_id": "t1" }),
        ] {
            let task = read_child(ChildKind::Task, raw.clone()).unwrap();
            assert_eq!(text(&task, "id"), Some("t1"), "{raw}");
            assert!(!task.contains_key("_id"));
        }
        assert!(read_child(ChildKind::Task, json!({ "title": "no id" })).is_err());
    }

    #[test]
    fn a_search_item_speaks_only_for_what_it_carries_under_the_records_names() {
        let item = json!({
            "id": "c1", "firstName": "Ada", "address": "1 Main St", "dateOfBirth": "1990-09-25T00:00:00.000Z",
            "dateUpdated": "2026-01-01T00:00:00.000Z", "searchAfter": [1, "c1"], "validEmail": true
        });
        let seen = read_contact(ContactShape::SearchItem, item).unwrap();
        assert_eq!(text(&seen.record, "address1"), Some("1 Main St"));
        assert_eq!(text(&seen.record, "dateOfBirth"), Some("1990-09-25"));
        assert!(!seen.record.contains_key("searchAfter"));
        let Carried::Only(carried) = seen.carried else {
            panic!("a search item is partial");
        };
        assert_eq!(
            carried,
            ["firstName", "address1", "dateOfBirth", "dateUpdated"]
        );
        let whole = read_contact(
            ContactShape::Record,
            json!({ "id": "c1", "address1": "x", "dateOfBirth": "1990-09-25" }),
        )
        .unwrap();
        assert_eq!(whole.carried, Carried::All);
        assert_eq!(text(&whole.record, "dateOfBirth"), Some("1990-09-25"));
    }

    #[test]
    fn odd_records_are_read_leniently_or_skipped_by_id() {
        let listed = read_contacts(
            ContactShape::SearchItem,
            vec![
                json!({ "id": "ok", "tags": ["a", null], "customFields": [{ "value": "no id" }, { "id": "f", "value": 1 }] }),
                json!({ "id": "bad", "firstName": 123 }),
                json!({ "email": "no-id@example.com" }),
                json!("not an object"),
            ],
        );
        assert_eq!(listed.items.len(), 1);
        let ok = &listed.items[0].record;
        assert_eq!(ok["tags"], json!(["a"]));
        assert_eq!(ok["customFields"], json!([{ "id": "f", "value": 1 }]));
        let reasons: Vec<String> = listed.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            reasons,
            [
                "contact bad: firstName is a number instead of text",
                "a contact without an id: it has no id",
                "a contact without an id: it is text instead of an object",
            ]
        );
    }

    #[test]
    fn dates_of_birth_in_every_form() {
        for (raw, day) in [
            (json!("1990-09-25"), Some("1990-09-25")),
            (json!("1990-09-25T00:00:00.000Z"), Some("1990-09-25")),
            (json!(654_220_800_000_i64), Some("1990-09-25")),
            (json!("1990-09-25 junk"), None),
            (json!("2026-02-31"), None),
        ] {
            assert_eq!(date_of_birth(&raw).as_deref(), day, "{raw}");
        }
    }
}
