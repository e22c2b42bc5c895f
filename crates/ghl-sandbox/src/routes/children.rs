//! What hangs off a contact: notes, tasks, tags and appointments.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Extension, Json,
};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{body_object, contact, contact_mut, only_known, require, GhlJson};
use crate::{
    error::{ApiError, ApiResult},
    shapes::child_item,
    state::Shared,
    tokens::Grant,
    world::{iso, str_field, Record},
};

/// Longest note body accepted.
pub const NOTE_BODY_MAX_CHARS: usize = 65_536;

fn string_or_null(body: &serde_json::Map<String, Value>, key: &str, errors: &mut Vec<String>) {
    if body
        .get(key)
        .is_some_and(|v| !v.is_string() && !v.is_null())
    {
        errors.push(format!("{key} must be a string"));
    }
}

fn errors_or(errors: Vec<String>) -> ApiResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::unprocessable(errors))
    }
}

fn find<'a>(items: &'a mut [Record], id: &str, what: &str) -> ApiResult<&'a mut Record> {
    items
        .iter_mut()
        .find(|r| str_field(r, "id") == Some(id))
        .ok_or_else(|| ApiError::not_found(what))
}

fn apply(record: &mut Record, body: serde_json::Map<String, Value>) {
    for (key, value) in body {
        if value.is_null() {
            record.remove(&key);
        } else {
            record.insert(key, value);
        }
    }
}

// ---- notes ----

const NOTE_FIELDS: &[&str] = &["body", "userId", "title", "color", "pinned"];

fn validate_note(body: &serde_json::Map<String, Value>, creating: bool) -> ApiResult<()> {
    let mut errors = Vec::new();
    match body.get("body") {
        Some(Value::String(text)) if text.trim().is_empty() => {
            errors.push("body should not be empty".into())
        }
        Some(Value::String(text)) if text.chars().count() > NOTE_BODY_MAX_CHARS => errors.push(
            format!("body must be shorter than or equal to {NOTE_BODY_MAX_CHARS} characters"),
        ),
        Some(Value::String(_)) => {}
        None if !creating => {}
        _ => errors.push("body must be a string".into()),
    }
    for key in ["userId", "title", "color"] {
        string_or_null(body, key, &mut errors);
    }
    if body.get("pinned").is_some_and(|v| !v.is_boolean()) {
        errors.push("pinned must be a boolean value".into());
    }
    errors_or(errors)
}

/// `GET /contacts/{contactId}/notes`: newest first.
pub async fn list_notes(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(contact_id): Path<String>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let mut notes = inner
        .world
        .notes
        .get(&contact_id)
        .cloned()
        .unwrap_or_default();
    notes.reverse();
    let odd = inner.faults.odd_records;
    let notes: Vec<Value> = notes.iter().map(|n| child_item(n, odd)).collect();
    Ok(Json(json!({ "notes": notes })))
}

/// `POST /contacts/{contactId}/notes`
pub async fn create_note(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(contact_id): Path<String>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    require(&grant, "contacts.write")?;
    let body = body_object(body)?;
    only_known(&body, NOTE_FIELDS)?;
    validate_note(&body, true)?;
    let mut inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let mut note = Record::new();
    note.insert("id".into(), inner.world.ids.id().into());
    note.insert("contactId".into(), contact_id.clone().into());
    note.insert("dateAdded".into(), iso(Utc::now()).into());
    note.insert("pinned".into(), false.into());
    apply(&mut note, body);
    inner
        .world
        .notes
        .entry(contact_id)
        .or_default()
        .push(note.clone());
    Ok((StatusCode::CREATED, Json(json!({ "note": note }))))
}

/// `GET /contacts/{contactId}/notes/{id}`
pub async fn get_note(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path((contact_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let mut inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let notes = inner.world.notes.entry(contact_id).or_default();
    Ok(Json(json!({ "note": find(notes, &id, "Note")? })))
}

/// `PUT /contacts/{contactId}/notes/{id}`
pub async fn update_note(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path((contact_id, id)): Path<(String, String)>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.write")?;
    let body = body_object(body)?;
    only_known(&body, NOTE_FIELDS)?;
    validate_note(&body, false)?;
    let mut inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let notes = inner.world.notes.entry(contact_id).or_default();
    let note = find(notes, &id, "Note")?;
    apply(note, body);
    Ok(Json(json!({ "note": note })))
}

/// `DELETE /contacts/{contactId}/notes/{id}`
pub async fn delete_note(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path((contact_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.write")?;
    let mut inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let notes = inner.world.notes.entry(contact_id).or_default();
    find(notes, &id, "Note")?;
    notes.retain(|n| str_field(n, "id") != Some(id.as_str()));
    Ok(Json(json!({ "succeded": true })))
}

// ---- tasks ----

const TASK_FIELDS: &[&str] = &["title", "body", "dueDate", "completed", "assignedTo"];

fn validate_task(body: &serde_json::Map<String, Value>, creating: bool) -> ApiResult<()> {
    let mut errors = Vec::new();
    match body.get("title") {
        Some(Value::String(t)) if t.trim().is_empty() => {
            errors.push("title should not be empty".into())
        }
        Some(Value::String(_)) => {}
        None if !creating => {}
        _ => errors.push("title must be a string".into()),
    }
    match body.get("dueDate") {
        Some(Value::String(d)) if DateTime::parse_from_rfc3339(d).is_ok() => {}
        None if !creating => {}
        _ => errors.push("dueDate must be a valid ISO 8601 date string".into()),
    }
    match body.get("completed") {
        Some(Value::Bool(_)) => {}
        None if !creating => {}
        _ => errors.push("completed must be a boolean value".into()),
    }
    string_or_null(body, "body", &mut errors);
    string_or_null(body, "assignedTo", &mut errors);
    errors_or(errors)
}

/// `GET /contacts/{contactId}/tasks`
pub async fn list_tasks(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(contact_id): Path<String>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let odd = inner.faults.odd_records;
    let tasks: Vec<Value> = inner
        .world
        .tasks
        .get(&contact_id)
        .into_iter()
        .flatten()
        .map(|t| child_item(t, odd))
        .collect();
    Ok(Json(json!({ "tasks": tasks })))
}

/// `POST /contacts/{contactId}/tasks`: `title`, `dueDate` and `completed` are required.
pub async fn create_task(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(contact_id): Path<String>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    require(&grant, "contacts.write")?;
    let body = body_object(body)?;
    only_known(&body, TASK_FIELDS)?;
    validate_task(&body, true)?;
    let mut inner = state.lock();
    let location_id = str_field(contact(&inner.world, &grant, &contact_id)?, "locationId")
        .unwrap_or_default()
        .to_owned();
    let mut task = Record::new();
    task.insert("id".into(), inner.world.ids.id().into());
    task.insert("contactId".into(), contact_id.clone().into());
    task.insert("locationId".into(), location_id.into());
    task.insert("dateAdded".into(), iso(Utc::now()).into());
    apply(&mut task, body);
    inner
        .world
        .tasks
        .entry(contact_id)
        .or_default()
        .push(task.clone());
    Ok((StatusCode::CREATED, Json(json!({ "task": task }))))
}

/// `GET /contacts/{contactId}/tasks/{taskId}`
pub async fn get_task(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path((contact_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let mut inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let tasks = inner.world.tasks.entry(contact_id).or_default();
    Ok(Json(json!({ "task": find(tasks, &id, "Task")? })))
}

/// `PUT /contacts/{contactId}/tasks/{taskId}`
pub async fn update_task(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path((contact_id, id)): Path<(String, String)>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.write")?;
    let body = body_object(body)?;
    only_known(&body, TASK_FIELDS)?;
    validate_task(&body, false)?;
    let mut inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let tasks = inner.world.tasks.entry(contact_id).or_default();
    let task = find(tasks, &id, "Task")?;
    apply(task, body);
    Ok(Json(json!({ "task": task })))
}

/// `PUT /contacts/{contactId}/tasks/{taskId}/completed`
pub async fn complete_task(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path((contact_id, id)): Path<(String, String)>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.write")?;
    let body = body_object(body)?;
    only_known(&body, &["completed"])?;
    let completed = body
        .get("completed")
        .and_then(Value::as_bool)
        .ok_or_else(|| ApiError::unprocessable(vec!["completed must be a boolean value".into()]))?;
    let mut inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let tasks = inner.world.tasks.entry(contact_id).or_default();
    let task = find(tasks, &id, "Task")?;
    task.insert("completed".into(), completed.into());
    Ok(Json(json!({ "task": task })))
}

/// `DELETE /contacts/{contactId}/tasks/{taskId}`
pub async fn delete_task(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path((contact_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.write")?;
    let mut inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let tasks = inner.world.tasks.entry(contact_id).or_default();
    find(tasks, &id, "Task")?;
    tasks.retain(|t| str_field(t, "id") != Some(id.as_str()));
    Ok(Json(json!({ "succeded": true })))
}

// ---- tags ----

fn tags_body(body: Value) -> ApiResult<Vec<String>> {
    let body = body_object(body)?;
    only_known(&body, &["tags"])?;
    body.get("tags")
        .and_then(Value::as_array)
        .filter(|t| !t.is_empty())
        .and_then(|t| {
            t.iter()
                .map(|v| v.as_str().map(|s| s.trim().to_owned()))
                .collect::<Option<Vec<_>>>()
        })
        .filter(|t| t.iter().all(|s| !s.is_empty()))
        .ok_or_else(|| {
            ApiError::unprocessable(vec!["tags must be a non-empty array of strings".into()])
        })
}

fn current_tags(record: &Record) -> Vec<String> {
    record
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `POST /contacts/{contactId}/tags`: adds tags (GHL stores tags lower-cased).
pub async fn add_tags(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(contact_id): Path<String>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    require(&grant, "contacts.write")?;
    let new_tags = tags_body(body)?;
    let mut inner = state.lock();
    let record = contact_mut(&mut inner.world, &grant, &contact_id)?;
    let mut tags = current_tags(record);
    for tag in new_tags {
        let tag = tag.to_lowercase();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    record.insert("tags".into(), json!(tags));
    record.insert("dateUpdated".into(), iso(Utc::now()).into());
    Ok((StatusCode::CREATED, Json(json!({ "tags": tags }))))
}

/// `DELETE /contacts/{contactId}/tags` (with a JSON body).
pub async fn remove_tags(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(contact_id): Path<String>,
    GhlJson(body): GhlJson<Value>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.write")?;
    let gone: Vec<String> = tags_body(body)?
        .into_iter()
        .map(|t| t.to_lowercase())
        .collect();
    let mut inner = state.lock();
    let record = contact_mut(&mut inner.world, &grant, &contact_id)?;
    let tags: Vec<String> = current_tags(record)
        .into_iter()
        .filter(|t| !gone.contains(&t.to_lowercase()))
        .collect();
    record.insert("tags".into(), json!(tags));
    record.insert("dateUpdated".into(), iso(Utc::now()).into());
    Ok(Json(json!({ "tags": tags })))
}

// ---- appointments ----

/// `GET /contacts/{contactId}/appointments`
pub async fn appointments(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Path(contact_id): Path<String>,
) -> ApiResult<Json<Value>> {
    require(&grant, "contacts.readonly")?;
    let inner = state.lock();
    contact(&inner.world, &grant, &contact_id)?;
    let events: Vec<&Record> = inner
        .world
        .events
        .iter()
        .filter(|e| str_field(e, "contactId") == Some(contact_id.as_str()))
        .collect();
    Ok(Json(json!({ "events": events })))
}
