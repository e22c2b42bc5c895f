//! Contacts: create, read, update, delete, upsert, duplicate lookup, the deprecated list
//! and contacts by business.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    Extension, Json,
};
use chrono::Utc;
use serde_json::{json, Value};

use super::{body_object, contact, contact_mut, only_known, require, same_location, GhlJson};
use crate::{
    decisions::{LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX},
    error::{ApiError, ApiResult},
    faults::take,
    shapes::contact_answer,
    state::Shared,
    tokens::Grant,
    world::{iso, ms_field, refresh_contact_derived, str_field, Record, World},
};

/// Fields of `UpdateContactDto`.
const UPDATE_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "name",
    "email",
    "phone",
    "address1",
    "city",
    "state",
    "postalCode",
    "website",
    "timezone",
    "dnd",
    "dndSettings",
    "inboundDndSettings",
    "tags",
    "customFields",
    "source",
    "dateOfBirth",
    "country",
    "assignedTo",
];
/// Fields `CreateContactDto` adds to the update fields.
const CREATE_ONLY_FIELDS: &[&str] = &["locationId", "gender", "companyName"];
const STRING_FIELDS: &[&str] = &[
    "firstName",
    "lastName",
    "name",
    "email",
    "phone",
    "address1",
    "city",
    "state",
    "postalCode",
    "website",
    "timezone",
    "source",
    "country",
    "assignedTo",
    "companyName",
    "gender",
];

fn create_fields(extra: &[&'static str]) -> Vec<&'static str> {
    UPDATE_FIELDS
        .iter()
        .chain(CREATE_ONLY_FIELDS)
        .chain(extra)
        .copied()
        .collect()
}

/// Whether `email` looks like an address GHL would accept.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// The digits of a phone number, for comparisons.
pub fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

fn validate(body: &serde_json::Map<String, Value>) -> ApiResult<()> {
    let mut errors = Vec::new();
    for field in STRING_FIELDS {
        if let Some(v) = body.get(*field) {
            if !(v.is_string() || v.is_null()) {
                errors.push(format!("{field} must be a string"));
            }
        }
    }
    if let Some(email) = body.get("email").and_then(Value::as_str) {
        if !email.is_empty() && !valid_email(email) {
            errors.push("email must be an email".into());
        }
    }
    if let Some(phone) = body.get("phone").and_then(Value::as_str) {
        let allowed = phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
        if !phone.is_empty() && (!allowed || phone_digits(phone).len() < 7) {
            errors.push("phone must be a valid phone number".into());
        }
    }
    if let Some(dnd) = body.get("dnd") {
        if !dnd.is_boolean() {
            errors.push("dnd must be a boolean value".into());
        }
    }
    if let Some(tags) = body.get("tags") {
        if !tags
            .as_array()
            .is_some_and(|t| t.iter().all(Value::is_string))
        {
            errors.push("each value in tags must be a string".into());
        }
    }
    if let Some(fields) = body.get("customFields") {
        let ok = fields.as_array().is_some_and(|items| {
            items.iter().all(|i| {
                i.get("id")
                    .or_else(|| i.get("key"))
                    .is_some_and(Value::is_string)
            })
        });
        if !ok {
            errors.push("customFields must be an array of { id | key, field_value }".into());
        }
    }
    if let Some(dob) = body.get("dateOfBirth").and_then(Value::as_str) {
        if normalise_date_of_birth(dob).is_none() {
            errors.push("dateOfBirth must be YYYY-MM-DD or MM-DD-YYYY".into());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::unprocessable(errors))
    }
}

/// `YYYY?MM?DD` or `MM?DD?YYYY` with `/ - . _` separators, as `YYYY-MM-DD`.
fn normalise_date_of_birth(value: &str) -> Option<String> {
    let parts: Vec<&str> = value.split(['/', '-', '.', '_']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 {
        (*a, *b, *c)
    } else {
        (*c, *a, *b)
    };
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    chrono::NaiveDate::from_ymd_opt(y, m, d).map(|date| date.format("%Y-%m-%d").to_string())
}

/// Applies validated body fields to a contact: `null` clears a field, `tags` replaces all
/// tags, custom fields merge by id.
fn apply(contact: &mut Record, body: serde_json::Map<String, Value>) {
    for (key, value) in body {
        match key.as_str() {
            "locationId" | "createNewIfDuplicateAllowed" => {}
            "customFields" => merge_custom_fields(contact, value),
            "dateOfBirth" => {
                let dob = value.as_str().and_then(normalise_date_of_birth);
                match dob {
                    Some(d) => contact.insert(key, Value::String(d)),
                    None => contact.remove(&key),
                };
            }
            _ if value.is_null() => {
                contact.remove(&key);
            }
            _ => {
                contact.insert(key, value);
            }
        }
    }
    refresh_contact_derived(contact);
}

fn merge_custom_fields(contact: &mut Record, value: Value) {
    let mut fields: Vec<Value> = contact
        .get("customFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for item in value.as_array().cloned().unwrap_or_default() {
        let Some(id) = item
            .get("id")
            .or_else(|| item.get("key"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        let new_value = item
            .get("field_value")
            .or_else(|| item.get("value"))
            .cloned()
            .unwrap_or(Value::Null);
        fields.retain(|f| f.get("id").and_then(Value::as_str) != Some(id));
        if !new_value.is_null() {
            fields.push(json!({ "id": id, "value": new_value }));
        }
    }
    contact.insert("customFields".into(), Value::Array(fields));
}

/// A contact of `location_id` with the same email (first) or phone, other than `except`.
fn find_duplicate(
    world: &World,
    location_id: &str,
    email: Option<&str>,
    phone: Option<&str>,
    except: Option<&str>,
) -> Option<(String, &'static str)> {
    let others = || {
        world
            .contacts_of(location_id)
            .filter(|c| str_field(c, "id") != except)
    };
    if let Some(email) = email.filter(|e| !e.is_empty()).map(str::to_lowercase) {
        if let Some(c) = others()
            .find(|c| str_field(c, "email").map(str::to_lowercase).as_deref() == Some(&email))
        {
            return Some((str_field(c, "id").unwrap_or_default().to_owned(), "email"));
        }
    }
    if let Some(digits) = phone.map(phone_digits).filter(|d| !d.is_empty()) {
        if let Some(c) =
            others().find(|c| str_field(c, "phone").map(phone_digits).as_deref() == Some(&digits))
        {
            return Some((str_field(c, "id").unwrap_or_default().to_owned(), "phone"));
        }
    }
    None
}

fn duplicate_error(contact_id: String, field: &str) -> ApiError {
    ApiError::bad_request_with(
        "This location does not allow duplicated contacts.",
        json!({ "meta": { "contactName": Value::Null, "contactId": contact_id, "matchingField": field } }),
    )
}

fn new_contact(world: &mut World, location_id: &str) -> Record {
    let now = iso(Utc::now());
    let mut record = Record::new();
    record.insert("id".into(), world.ids.id().into());
    record.insert("locationId".into(), location_id.into());
    record.insert("dateAdded".into(), now.clone().into());
    record.insert("dateUpdated".into(), now.into());
    record.insert("tags".into(), json!([]));
    record.insert("customFields".into(), json!([]));
    record.insert("dnd".into(), false.into());
    record.insert("type".into(), "lead".into());
    record
}

fn touch(contact: &mut Record) {
    contact.insert("dateUpdated".into(), iso(Utc::now()).into());
}

/// `POST /contacts/`
pub async fn create(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    require(&grant, "contacts.write")?;
    let body = body_object(body)?;
    only_known(&body, &create_fields(&[]))?;
    let location_id = same_location(&grant, body.get("locationId").and_then(Value::as_str))?;
    validate(&body)?;
    let mut inner = state.lock();
    let inner = &mut *inner;
    let allow_duplicates = inner
        .world
        .location(&location_id)
        .is_some_and(|l| l.allow_duplicates);
    if !allow_duplicates {
        let email = body.get("email").and_then(Value::as_str);
        let phone = body.get("phone").and_then(Value::as_str);
        if let Some((id, field)) = find_duplicate(&inner.world, &location_id, email, phone, None) {
            return Err(duplicate_error(id, field));
        }
    }
    let mut record = new_contact(&mut inner.world, &location_id);
    apply(&mut record, body);
    let id = str_field(&record, "id").unwrap_or_default().to_owned();
    inner.world.contacts.insert(id, record.clone());
    if take(&mut inner.faults.create_422_but_created) {
        return Err(ApiError::unprocessable(vec![
            "Unable to create contact. Please try again.".into(),
        ]));
    }
    record.insert("deleted".into(), false.into());
    Ok((StatusCode::CREATED, Json(json!({ "contact": record }))))
}

/// `GET /contacts/{contactId}`
pub async fn get(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let inner = state.lock();
    let found = contact(&inner.world, &grant, &id)?;
    Ok(Json(
        json!({ "contact": contact_answer(found, inner.faults.odd_records) }),
    ))
}

/// `PUT /contacts/{contactId}`
pub async fn update(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(id): Path<String>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.write")?;
    let body = body_object(body)?;
    only_known(&body, UPDATE_FIELDS)?;
    validate(&body)?;
    let mut inner = state.lock();
    let world = &mut inner.world;
    let location_id = str_field(contact(world, &grant, &id)?, "locationId")
        .unwrap_or_default()
        .to_owned();
    if !world
        .location(&location_id)
        .is_some_and(|l| l.allow_duplicates)
    {
        let email = body.get("email").and_then(Value::as_str);
        let phone = body.get("phone").and_then(Value::as_str);
        if let Some((other, field)) = find_duplicate(world, &location_id, email, phone, Some(&id)) {
            return Err(duplicate_error(other, field));
        }
    }
    let record = contact_mut(world, &grant, &id)?;
    apply(record, body);
    touch(record);
    Ok(Json(json!({ "succeded": true, "contact": record })))
}

/// `DELETE /contacts/{contactId}`
pub async fn delete(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.write")?;
    let mut inner = state.lock();
    contact(&inner.world, &grant, &id)?;
    inner.world.remove_contact(&id);
    Ok(Json(json!({ "succeded": true })))
}

/// `POST /contacts/upsert`: updates the contact matching email (then phone), else creates.
pub async fn upsert(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.write")?;
    let body = body_object(body)?;
    only_known(&body, &create_fields(&["createNewIfDuplicateAllowed"]))?;
    let location_id = same_location(&grant, body.get("locationId").and_then(Value::as_str))?;
    validate(&body)?;
    let mut inner = state.lock();
    let inner = &mut *inner;
    let allow_duplicates = inner
        .world
        .location(&location_id)
        .is_some_and(|l| l.allow_duplicates);
    let force_new = allow_duplicates
        && body
            .get("createNewIfDuplicateAllowed")
            .and_then(Value::as_bool)
            == Some(true);
    let email = body.get("email").and_then(Value::as_str);
    let phone = body.get("phone").and_then(Value::as_str);
    let existing = if force_new {
        None
    } else {
        find_duplicate(&inner.world, &location_id, email, phone, None)
    };
    let trace_id = inner.world.ids.alnum(24);
    let (is_new, record) = match existing {
        Some((id, _)) => {
            let record = inner
                .world
                .contacts
                .get_mut(&id)
                .ok_or_else(|| ApiError::not_found("Contact"))?;
            apply(record, body);
            touch(record);
            (false, record.clone())
        }
        None => {
            let mut record = new_contact(&mut inner.world, &location_id);
            apply(&mut record, body);
            let id = str_field(&record, "id").unwrap_or_default().to_owned();
            inner.world.contacts.insert(id, record.clone());
            (true, record)
        }
    };
    Ok(Json(
        json!({ "new": is_new, "contact": record, "traceId": trace_id }),
    ))
}

/// `GET /contacts/search/duplicate?locationId&email&number`
pub async fn duplicate(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let location_id = same_location(&grant, q.get("locationId").map(String::as_str))?;
    let inner = state.lock();
    let found = find_duplicate(
        &inner.world,
        &location_id,
        q.get("email").map(String::as_str),
        q.get("number").map(String::as_str),
        None,
    )
    .and_then(|(id, _)| inner.world.contacts.get(&id).cloned());
    Ok(Json(json!({ "contact": found })))
}

fn parse_usize(q: &HashMap<String, String>, key: &str, default: usize) -> ApiResult<usize> {
    match q.get(key) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| ApiError::unprocessable(vec![format!("{key} must be a number string")])),
    }
}

/// Whether a contact matches a free-text `query` (name, email, phone, company).
pub fn matches_query(contact: &Record, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let digits = phone_digits(&q);
    [
        "fullNameLowerCase",
        "emailLowerCase",
        "companyName",
        "firstNameLowerCase",
        "lastNameLowerCase",
    ]
    .iter()
    .any(|k| str_field(contact, k).is_some_and(|v| v.to_lowercase().contains(&q)))
        || (digits.len() >= 3
            && str_field(contact, "phone").is_some_and(|p| phone_digits(p).contains(&digits)))
}

/// `GET /contacts/` (deprecated): `limit` ≤ 100, cursor `startAfter` + `startAfterId`,
/// ordered by `dateAdded` then `id`.
pub async fn list(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let location_id = same_location(&grant, q.get("locationId").map(String::as_str))?;
    let limit = parse_usize(&q, "limit", LIST_LIMIT_DEFAULT)?;
    if limit == 0 || limit > LIST_LIMIT_MAX {
        return Err(ApiError::unprocessable(vec![format!(
            "limit must be between 1 and {LIST_LIMIT_MAX}"
        )]));
    }
    let inner = state.lock();
    let query = q.get("query").map(String::as_str).unwrap_or("");
    let mut all: Vec<&Record> = inner
        .world
        .contacts_of(&location_id)
        .filter(|c| matches_query(c, query))
        .collect();
    all.sort_by(|a, b| {
        ms_field(a, "dateAdded")
            .cmp(&ms_field(b, "dateAdded"))
            .then_with(|| str_field(a, "id").cmp(&str_field(b, "id")))
    });
    let after_id = q.get("startAfterId").filter(|s| !s.is_empty());
    let after_ms = match q.get("startAfter").filter(|s| !s.is_empty()) {
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| ApiError::unprocessable(vec!["startAfter must be a number".into()]))?,
        ),
        None => after_id
            .and_then(|id| inner.world.contacts.get(id))
            .map(|c| ms_field(c, "dateAdded")),
    };
    let start = match (after_ms, after_id) {
        (Some(ms), Some(id)) => all.partition_point(|c| {
            (ms_field(c, "dateAdded"), str_field(c, "id").unwrap_or("")) <= (ms, id.as_str())
        }),
        (Some(ms), None) => all.partition_point(|c| ms_field(c, "dateAdded") <= ms),
        _ => 0,
    };
    let page: Vec<&Record> = all.iter().skip(start).take(limit).copied().collect();
    let total = all.len();
    let last = page.last().copied();
    let has_more = start + page.len() < total;
    let current_page = start / limit + 1;
    let next_url = last.filter(|_| has_more).map(|c| {
        format!(
            "/contacts/?locationId={location_id}&limit={limit}&startAfterId={}&startAfter={}",
            str_field(c, "id").unwrap_or_default(),
            ms_field(c, "dateAdded")
        )
    });
    let contacts: Vec<&Record> = page.clone();
    Ok(Json(json!({
        "contacts": contacts,
        "count": total,
        "meta": {
            "total": total,
            "nextPageUrl": next_url,
            "startAfterId": last.and_then(|c| str_field(c, "id")),
            "startAfter": last.map(|c| ms_field(c, "dateAdded")),
            "currentPage": current_page,
            "nextPage": has_more.then_some(current_page + 1),
            "prevPage": (current_page > 1).then_some(current_page - 1),
        }
    })))
}

/// `GET /contacts/business/{businessId}?locationId&limit&skip&query`
pub async fn by_business(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(business_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let location_id = same_location(&grant, q.get("locationId").map(String::as_str))?;
    let limit = parse_usize(&q, "limit", 25)?;
    let skip = parse_usize(&q, "skip", 0)?;
    let query = q.get("query").map(String::as_str).unwrap_or("");
    let inner = state.lock();
    let mut matching: Vec<&Record> = inner
        .world
        .contacts_of(&location_id)
        .filter(|c| {
            str_field(c, "businessId") == Some(business_id.as_str()) && matches_query(c, query)
        })
        .collect();
    matching.sort_by(|a, b| {
        ms_field(b, "dateAdded")
            .cmp(&ms_field(a, "dateAdded"))
            .then_with(|| str_field(a, "id").cmp(&str_field(b, "id")))
    });
    let contacts: Vec<&Record> = matching.iter().skip(skip).take(limit).copied().collect();
    Ok(Json(
        json!({ "contacts": contacts, "count": matching.len() }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_validation() {
        assert!(valid_email("ada@example.com"));
        assert!(!valid_email("ada@example"));
        assert!(!valid_email("ada example.com"));
        assert!(!valid_email("@example.com"));
        assert!(!valid_email("a@b@c.com"));
    }

    #[test]
    fn dates_of_birth_in_either_order() {
        assert_eq!(
            normalise_date_of_birth("1990/04/12").as_deref(),
            Some("1990-04-12")
        );
        assert_eq!(
            normalise_date_of_birth("04-12-1990").as_deref(),
            Some("1990-04-12")
        );
        assert_eq!(normalise_date_of_birth("1990_13_01"), None);
        assert_eq!(normalise_date_of_birth("yesterday"), None);
    }

    #[test]
    fn custom_fields_merge_by_id_and_null_removes() {
        let mut c = Record::new();
        c.insert(
            "customFields".into(),
            json!([{ "id": "a", "value": 1 }, { "id": "b", "value": 2 }]),
        );
        merge_custom_fields(
            &mut c,
            json!([{ "id": "a", "field_value": 5 }, { "key": "b", "field_value": null }, { "id": "c", "value": "x" }]),
        );
        assert_eq!(
            c["customFields"],
            json!([{ "id": "a", "value": 5 }, { "id": "c", "value": "x" }])
        );
    }
}
