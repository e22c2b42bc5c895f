//! Location-wide reads: the location itself, its contact custom fields, and what saves
//! per-contact requests: the tasks search, calendars and calendar events.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    Extension, Json,
};
use serde_json::{json, Value};

use super::{body_object, require, same_location, GhlJson};
use crate::{
    decisions::TASK_SEARCH_LIMIT_DEFAULT,
    error::{ApiError, ApiResult},
    shapes::task_search_item,
    state::Shared,
    tokens::Grant,
    world::{parse_ms, str_field, Location, Record, World},
};

fn string_list(value: Option<&Value>, key: &str) -> ApiResult<Option<Vec<String>>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(|| {
                ApiError::unprocessable(vec![format!("each value in {key} must be a string")])
            }),
        Some(_) => Err(ApiError::unprocessable(vec![format!(
            "{key} must be an array"
        )])),
    }
}

/// `POST /locations/{locationId}/tasks/search`: items keyed `_id` (see `decisions`).
pub async fn search_tasks(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(location_id): Path<String>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<Json<Value>> {
    require(&grant, "locations/tasks.readonly")?;
    let location_id = same_location(&grant, Some(&location_id))?;
    let body = body_object(body)?;
    let contact_ids = string_list(body.get("contactId"), "contactId")?;
    let assigned = string_list(body.get("assignedTo"), "assignedTo")?;
    let completed = body.get("completed").and_then(Value::as_bool);
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase();
    let business = body.get("businessId").and_then(Value::as_str);
    let number = |key: &str, default: usize| match body.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_u64()
            .map(|n| n as usize)
            .ok_or_else(|| ApiError::unprocessable(vec![format!("{key} must be a number")])),
    };
    let limit = number("limit", TASK_SEARCH_LIMIT_DEFAULT)?;
    let skip = number("skip", 0)?;
    let inner = state.lock();
    let world = &inner.world;
    let mut found: Vec<&Record> = world
        .tasks
        .iter()
        .filter(|(contact_id, _)| {
            world
                .contacts
                .get(*contact_id)
                .and_then(|c| str_field(c, "locationId"))
                == Some(location_id.as_str())
                && contact_ids
                    .as_ref()
                    .is_none_or(|ids| ids.contains(contact_id))
                && business.is_none_or(|b| {
                    world
                        .contacts
                        .get(*contact_id)
                        .and_then(|c| str_field(c, "businessId"))
                        == Some(b)
                })
        })
        .flat_map(|(_, tasks)| tasks.iter())
        .filter(|t| {
            completed.is_none_or(|c| t.get("completed").and_then(Value::as_bool) == Some(c))
                && assigned.as_ref().is_none_or(|a| {
                    str_field(t, "assignedTo").is_some_and(|u| a.iter().any(|x| x == u))
                })
                && (query.is_empty()
                    || ["title", "body"].iter().any(|k| {
                        str_field(t, k).is_some_and(|v| v.to_lowercase().contains(&query))
                    }))
        })
        .collect();
    found.sort_by(|a, b| {
        str_field(a, "dateAdded")
            .cmp(&str_field(b, "dateAdded"))
            .then_with(|| str_field(a, "id").cmp(&str_field(b, "id")))
    });
    let tasks: Vec<Value> = found
        .into_iter()
        .skip(skip)
        .take(limit)
        .map(|t| task_search_item(t, inner.faults.odd_records))
        .collect();
    Ok(Json(json!({ "tasks": tasks })))
}

/// `GET /calendars/?locationId`
pub async fn calendars(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    require(&grant, "calendars.readonly")?;
    let location_id = same_location(&grant, q.get("locationId").map(String::as_str))?;
    let group = q.get("groupId");
    let inner = state.lock();
    let calendars: Vec<&Record> = inner
        .world
        .calendars
        .iter()
        .filter(|c| str_field(c, "locationId") == Some(location_id.as_str()))
        .filter(|c| group.is_none_or(|g| str_field(c, "groupId") == Some(g.as_str())))
        .collect();
    Ok(Json(json!({ "calendars": calendars })))
}

/// `GET /calendars/events?locationId&startTime&endTime&(calendarId|userId|groupId)`;
/// times are epoch milliseconds.
pub async fn events(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    require(&grant, "calendars/events.readonly")?;
    let location_id = same_location(&grant, q.get("locationId").map(String::as_str))?;
    let time = |key: &str| {
        q.get(key)
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| {
                ApiError::unprocessable(vec![format!(
                    "{key} must be a number string (epoch milliseconds)"
                )])
            })
    };
    let (start, end) = (time("startTime")?, time("endTime")?);
    let (calendar, user, group) = (q.get("calendarId"), q.get("userId"), q.get("groupId"));
    if calendar.is_none() && user.is_none() && group.is_none() {
        return Err(ApiError::unprocessable(vec![
            "One of calendarId, userId or groupId is required".into(),
        ]));
    }
    let inner = state.lock();
    let events: Vec<&Record> = inner
        .world
        .events
        .iter()
        .filter(|e| str_field(e, "locationId") == Some(location_id.as_str()))
        .filter(|e| calendar.is_none_or(|c| str_field(e, "calendarId") == Some(c.as_str())))
        .filter(|e| user.is_none_or(|u| str_field(e, "assignedUserId") == Some(u.as_str())))
        .filter(|e| group.is_none_or(|g| str_field(e, "groupId") == Some(g.as_str())))
        .filter(|e| {
            let s = str_field(e, "startTime")
                .and_then(parse_ms)
                .unwrap_or(i64::MIN);
            s >= start && s < end
        })
        .collect();
    Ok(Json(json!({ "events": events })))
}

/// The custom fields every seeded location has: name, key, type and (for a picklist)
/// its options, in the order of `Location::custom_fields`.
const CUSTOM_FIELDS: &[(&str, &str, &str, &[&str])] = &[
    (
        "Lead source",
        "contact.lead_source",
        "SINGLE_OPTIONS",
        &["Website", "Referral", "Event"],
    ),
    ("Deal size", "contact.deal_size", "NUMERICAL", &[]),
    ("Member number", "contact.member_number", "TEXT", &[]),
];

/// The location `location_id` names, when the grant has `scope` and is for it.
fn granted_location<'w>(
    world: &'w World,
    grant: &Grant,
    location_id: &str,
    scope: &str,
) -> ApiResult<&'w Location> {
    require(grant, scope)?;
    let location_id = same_location(grant, Some(location_id))?;
    world
        .location(&location_id)
        .ok_or_else(|| ApiError::not_found("Location"))
}

/// `GET /locations/{locationId}`
pub async fn location(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(location_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let inner = state.lock();
    let location = granted_location(&inner.world, &grant, &location_id, "locations.readonly")?;
    Ok(Json(json!({ "location": {
        "id": location.id,
        "companyId": location.company_id,
        "name": location.name,
        "address": location.address,
        "timezone": "America/Chicago",
        "country": "US",
    } })))
}

/// `GET /locations/{locationId}/customFields`: the contact custom fields (`model`
/// `contact`, the default).
pub async fn custom_fields(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(location_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let inner = state.lock();
    let location = granted_location(
        &inner.world,
        &grant,
        &location_id,
        "locations/customFields.readonly",
    )?;
    let wanted = q.get("model").map_or("contact", String::as_str);
    let fields: Vec<Value> = location
        .custom_fields
        .iter()
        .zip(CUSTOM_FIELDS)
        .enumerate()
        .filter(|_| wanted == "contact" || wanted == "all")
        .map(|(position, (id, (name, key, kind, options)))| {
            json!({
                "id": id, "name": name, "fieldKey": key, "dataType": kind, "position": position,
                "picklistOptions": options, "placeholder": name, "locationId": location.id,
                "model": "contact",
            })
        })
        .collect();
    Ok(Json(json!({ "customFields": fields })))
}
