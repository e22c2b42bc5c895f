//! The shapes the sandbox answers in where GHL's spec differs from the stored record:
//! search items are the 2025-08 spec's search `Contact`, not full records (`address`
//! for `address1`, a date of birth as a timestamp, no `website` or `timezone`), and
//! location-wide task items are keyed `_id`. With `oddRecords` on, answers also carry
//! what GHL's spec allows and careless data produces: both id spellings, and a few
//! contacts (chosen by [`oddity`] from their id) with a number for a name, a `null` tag,
//! a custom field without an id, or no id at all.

use serde_json::{json, Value};

use crate::world::{str_field, Record};

/// The properties of a search item (`SearchContactSuccessResponseDto.contacts[]` of the
/// 2025-08 contacts spec); `address1` is answered as `address`.
const SEARCH_ITEM: &[&str] = &[
    "id",
    "locationId",
    "firstName",
    "lastName",
    "firstNameLowerCase",
    "lastNameLowerCase",
    "email",
    "phone",
    "phoneLabel",
    "additionalEmails",
    "additionalPhones",
    "companyName",
    "businessName",
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
    "validEmail",
    "tags",
    "customFields",
    "assignedTo",
    "followers",
    "dateOfBirth",
    "dateAdded",
    "dateUpdated",
    "opportunities",
];

/// The careless data a contact is answered with while `oddRecords` is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oddity {
    /// `firstName` is a number.
    NumberName,
    /// One of its tags is `null`.
    NullTag,
    /// One of its custom fields has no id.
    CustomFieldWithoutId,
    /// It has no id (neither `id` nor `_id`).
    NoId,
}

/// Which contacts are odd: one in ten of each kind in forty, by a hash of the id, so a
/// test can tell which ones the sandbox made odd.
pub fn oddity(id: &str) -> Option<Oddity> {
    let hash = id.bytes().fold(2_166_136_261_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    });
    match hash % 40 {
        0 => Some(Oddity::NumberName),
        1 => Some(Oddity::NullTag),
        2 => Some(Oddity::CustomFieldWithoutId),
        3 => Some(Oddity::NoId),
        _ => None,
    }
}

/// A contact as an answer shows it, made odd when `odd` is on and [`oddity`] says so.
pub fn contact_answer(contact: &Record, odd: bool) -> Record {
    let mut out = contact.clone();
    let Some(kind) = odd
        .then(|| str_field(contact, "id").and_then(oddity))
        .flatten()
    else {
        return out;
    };
    match kind {
        Oddity::NumberName => {
            out.insert("firstName".into(), json!(123));
        }
        Oddity::NullTag => {
            let mut tags = out
                .get("tags")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            tags.push(Value::Null);
            out.insert("tags".into(), tags.into());
        }
        Oddity::CustomFieldWithoutId => {
            let mut fields = out
                .get("customFields")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            fields.push(json!({ "value": "a value without its field" }));
            out.insert("customFields".into(), fields.into());
        }
        Oddity::NoId => {
            out.remove("id");
        }
    }
    out
}

/// A contact as a search item: the search shape's properties only, `address1` as
/// `address`, the date of birth as a timestamp at midnight UTC, and its cursor.
pub fn search_item(contact: &Record, cursor: Value, odd: bool) -> Value {
    let answered = contact_answer(contact, odd);
    let mut item = Record::new();
    for key in SEARCH_ITEM {
        let Some(value) = answered.get(*key) else {
            continue;
        };
        let value = match (*key, value) {
            ("dateOfBirth", Value::String(day)) if day.len() == 10 => {
                Value::String(format!("{day}T00:00:00.000Z"))
            }
            _ => value.clone(),
        };
        let name = if *key == "address1" { "address" } else { key };
        item.insert(name.into(), value);
    }
    item.insert("searchAfter".into(), cursor);
    Value::Object(item)
}

/// A note or task of a contact's list: `id`, and `_id` beside it when `odd` is on.
pub fn child_item(record: &Record, odd: bool) -> Value {
    let mut item = record.clone();
    if odd {
        if let Some(id) = item.get("id").cloned() {
            item.insert("_id".into(), id);
        }
    }
    Value::Object(item)
}

/// A task of the location-wide search: keyed `_id`, and `id` as well when `odd` is on.
pub fn task_search_item(task: &Record, odd: bool) -> Value {
    let mut item = task.clone();
    if let Some(id) = item.get("id").cloned() {
        item.insert("_id".into(), id);
        if !odd {
            item.remove("id");
        }
    }
    Value::Object(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(v: Value) -> Record {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn search_items_take_the_search_shape() {
        let contact = record(json!({
            "id": "c1", "firstName": "Ada", "address1": "1 Main St", "website": "ada.dev",
            "timezone": "Europe/London", "dateOfBirth": "1990-09-25", "ssn": "x"
        }));
        let item = search_item(&contact, json!([1, "c1"]), false);
        assert_eq!(item["address"], "1 Main St");
        assert_eq!(item["dateOfBirth"], "1990-09-25T00:00:00.000Z");
        assert_eq!(item["searchAfter"], json!([1, "c1"]));
        for absent in ["address1", "website", "timezone", "ssn"] {
            assert!(item.get(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn odd_records_appear_only_when_asked_for() {
        let ids: Vec<String> = (0..400).map(|n| format!("contact{n}")).collect();
        for kind in [
            Oddity::NumberName,
            Oddity::NullTag,
            Oddity::CustomFieldWithoutId,
            Oddity::NoId,
        ] {
            let id = ids.iter().find(|id| oddity(id) == Some(kind)).unwrap();
            let contact =
                record(json!({ "id": id, "firstName": "Ada", "tags": ["a"], "customFields": [] }));
            assert_eq!(contact_answer(&contact, false), contact);
            assert_ne!(contact_answer(&contact, true), contact, "{kind:?}");
        }
        let task = record(json!({ "id": "t1", "title": "x" }));
        assert_eq!(
            task_search_item(&task, false),
            json!({ "_id": "t1", "title": "x" })
        );
        assert_eq!(
            task_search_item(&task, true),
            json!({ "id": "t1", "_id": "t1", "title": "x" })
        );
    }
}
