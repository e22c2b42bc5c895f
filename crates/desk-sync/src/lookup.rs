//! Finding what a create may already have made, before anything is sent again: a
//! contact by GHL's duplicate lookup (email, then phone) or, with only a name, by a
//! search for that name among contacts added since the create was first sent; a note or
//! task among its contact's children that the store does not know yet. Exactly one
//! match is adopted. A name-only contact with no match (or several) cannot be settled
//! by looking: the user decides, since a blind resend might duplicate it.

use desk_store::{model::Entity, Store};
use ghl::{fields::text, GhlClient, GhlError, Record, SearchRequest};
use serde_json::{json, Map, Value};

/// How far before the first send a match may have been added (clock skew between this
/// machine and GHL).
const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

/// What looking for an uncertain create found.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    /// GHL has it: adopt this record.
    Record(Record),
    /// GHL does not have it: sending it again is safe.
    Absent,
    /// Looking cannot tell (a name-only contact: no match, or several): the user decides.
    Unsure(String),
}

fn field<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .filter(|v| !v.trim().is_empty())
}

/// Looks for a contact a create may have made.
pub async fn contact(
    client: &GhlClient,
    fields: &Map<String, Value>,
    sent_at: Option<i64>,
) -> Result<Found, GhlError> {
    let (email, phone) = (field(fields, "email"), field(fields, "phone"));
    if email.is_some() || phone.is_some() {
        return Ok(match client.find_duplicate(email, phone).await? {
            Some(record) => Found::Record(record),
            None => Found::Absent,
        });
    }
    let mut filters = Vec::new();
    for (key, lower) in [
        ("firstName", "firstNameLowerCase"),
        ("lastName", "lastNameLowerCase"),
    ] {
        if let Some(value) = field(fields, key) {
            filters.push(
                json!({ "field": lower, "operator": "eq", "value": value.trim().to_lowercase() }),
            );
        }
    }
    let name = [field(fields, "firstName"), field(fields, "lastName")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if filters.is_empty() {
        return Ok(Found::Unsure(
            "HighLevel may have created this contact; it has no name, email or phone to look it up by".into(),
        ));
    }
    if let Some(sent) = sent_at {
        let since = chrono::DateTime::from_timestamp_millis(sent - CLOCK_SKEW_MS)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        if let Some(since) = since {
            filters.push(
                json!({ "field": "dateAdded", "operator": "range", "value": { "gte": since } }),
            );
        }
    }
    let page = client
        .search_contacts(&SearchRequest {
            page_limit: 10,
            filters,
            ..SearchRequest::default()
        })
        .await?;
    let matches: Vec<String> = page
        .contacts
        .items
        .iter()
        .filter_map(|c| text(&c.record, "id").map(str::to_owned))
        .collect();
    match matches.as_slice() {
        [only] if page.total == 1 => Ok(Found::Record(client.get_contact(only).await?)),
        [] => Ok(Found::Unsure(format!(
            "HighLevel may or may not have created {name}: its answer was lost and no contact of that name was added since. Check HighLevel, then send it again or discard it"
        ))),
        _ => Ok(Found::Unsure(format!(
            "HighLevel may have created {name}, but {} contacts of that name were added since. Check HighLevel, then send it again or discard it",
            page.total
        ))),
    }
}

/// The ids of a contact's notes (or tasks) the store knows: a created one is among the
/// others.
pub fn known_children(store: &Store, entity: Entity, parent: &str) -> Vec<String> {
    match store.contact_detail(parent) {
        Ok(detail) if entity == Entity::Note => detail.notes.into_iter().map(|n| n.id).collect(),
        Ok(detail) => detail.tasks.into_iter().map(|t| t.id).collect(),
        Err(_) => Vec::new(),
    }
}

/// Looks for a note or task a create may have made, by its text among the contact's
/// children that are not `known`.
pub async fn child(
    client: &GhlClient,
    entity: Entity,
    parent: &str,
    fields: &Map<String, Value>,
    known: &[String],
) -> Result<Found, GhlError> {
    let (listed, key) = if entity == Entity::Note {
        (client.list_notes(parent).await?, "body")
    } else {
        (client.list_tasks(parent).await?, "title")
    };
    let wanted = fields.get(key).cloned().unwrap_or(Value::Null);
    let mut candidates = listed.items.into_iter().filter(|c| {
        text(c, "id").is_some_and(|id| !known.iter().any(|k| k == id))
            && c.get(key).unwrap_or(&Value::Null) == &wanted
    });
    Ok(match (candidates.next(), candidates.next()) {
        (Some(only), None) => Found::Record(only),
        (None, _) => Found::Absent,
        (Some(first), Some(_)) => Found::Record(first),
    })
}
