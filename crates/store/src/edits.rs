//! Local edits. Each is one transaction that records the user's intent in the outbox
//! (coalesced with earlier unsent intent for the same record), rewrites the view the UI
//! reads, and logs the activity. Bad input is refused with field-level errors first.

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Map, Value};

use crate::{
    db::Store,
    error::{StoreError, StoreResult},
    model::{Entity, OpKind},
    validate, view,
};

/// The prefix of ids given to records created offline, until GHL assigns real ones.
pub const LOCAL_ID_PREFIX: &str = "local_";

/// Whether `id` is a local id (the record is not in GHL yet).
pub fn is_local_id(id: &str) -> bool {
    id.starts_with(LOCAL_ID_PREFIX)
}

fn new_local_id() -> String {
    format!("{LOCAL_ID_PREFIX}{}", uuid::Uuid::new_v4().simple())
}

/// The last operation queued for a record.
struct LastOp {
    seq: i64,
    op: OpKind,
    payload: Value,
    pending: bool,
}

fn last_op(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<Option<LastOp>> {
    let row = tx
        .query_row(
            "SELECT seq, op, payload, state FROM outbox WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq DESC LIMIT 1",
            params![entity.as_str(), id],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)),
        )
        .optional()?;
    row.map(|(seq, op, payload, state)| {
        Ok(LastOp {
            seq,
            op: OpKind::parse(&op).unwrap_or(OpKind::Update),
            payload: serde_json::from_str(&payload)?,
            pending: state == "pending",
        })
    })
    .transpose()
}

fn synced_raw(
    tx: &Transaction<'_>,
    entity: Entity,
    id: &str,
) -> StoreResult<Option<Map<String, Value>>> {
    let table = entity.synced_table();
    let raw: Option<String> = tx
        .query_row(
            &format!("SELECT raw FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match raw {
        Some(raw) => serde_json::from_str::<Value>(&raw)?.as_object().cloned(),
        None => None,
    })
}

fn view_exists(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<bool> {
    let table = entity.view_table();
    Ok(tx
        .query_row(
            &format!("SELECT 1 FROM {table} WHERE id = ?1"),
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn set_payload(tx: &Transaction<'_>, seq: i64, payload: &Value, now: i64) -> StoreResult<()> {
    tx.execute(
        "UPDATE outbox SET payload = ?1, updated_at = ?2 WHERE seq = ?3",
        params![payload.to_string(), now, seq],
    )?;
    Ok(())
}

pub(crate) fn push_op(
    tx: &Transaction<'_>,
    entity: Entity,
    id: &str,
    parent: Option<&str>,
    op: OpKind,
    payload: &Value,
    now: i64,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO outbox (entity, entity_id, parent_id, op, payload, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![entity.as_str(), id, parent, op.as_str(), payload.to_string(), now],
    )?;
    Ok(())
}

pub(crate) fn log_activity(
    tx: &Transaction<'_>,
    at: i64,
    kind: &str,
    entity: Option<Entity>,
    id: Option<&str>,
    summary: &str,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO activity (at, kind, entity, entity_id, summary) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, kind, entity.map(Entity::as_str), id, summary],
    )?;
    Ok(())
}

fn parent_of(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<Option<String>> {
    Ok(match entity {
        Entity::Contact => None,
        Entity::Note => tx
            .query_row("SELECT contact_id FROM notes WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?,
        Entity::Task => tx
            .query_row("SELECT contact_id FROM tasks WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?,
    })
}

/// Queues changed fields of a record, each with the server value it was made against.
/// Coalesces into an unsent create or update; a field set back to its server value drops
/// out, and an update left empty disappears.
fn queue_update(
    tx: &Transaction<'_>,
    entity: Entity,
    id: &str,
    changes: Map<String, Value>,
    now: i64,
) -> StoreResult<()> {
    if !view_exists(tx, entity, id)? {
        return Err(StoreError::NotFound(format!("{} {id}", entity.as_str())));
    }
    let synced = synced_raw(tx, entity, id)?.unwrap_or_default();
    let last = last_op(tx, entity, id)?;
    match last {
        Some(LastOp {
            seq,
            op: OpKind::Create,
            mut payload,
            pending: true,
        }) => {
            let fields = payload["fields"]
                .as_object_mut()
                .ok_or_else(|| StoreError::InvalidState("damaged create".into()))?;
            for (key, value) in changes {
                fields.insert(key, value);
            }
            set_payload(tx, seq, &payload, now)?;
        }
        Some(LastOp {
            seq,
            op: OpKind::Update,
            mut payload,
            pending: true,
        }) => {
            let fields = payload["fields"]
                .as_object_mut()
                .ok_or_else(|| StoreError::InvalidState("damaged update".into()))?;
            for (key, value) in changes {
                let base = fields
                    .get(&key)
                    .map(|c| c["base"].clone())
                    .unwrap_or_else(|| synced.get(&key).cloned().unwrap_or(Value::Null));
                if value == base {
                    fields.remove(&key);
                } else {
                    fields.insert(key, json!({ "value": value, "base": base }));
                }
            }
            if fields.is_empty() {
                tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
            } else {
                set_payload(tx, seq, &payload, now)?;
            }
        }
        _ => {
            let current: Map<String, Value> = {
                let table = entity.view_table();
                let raw: String = tx.query_row(
                    &format!("SELECT raw FROM {table} WHERE id = ?1"),
                    [id],
                    |r| r.get(0),
                )?;
                serde_json::from_str::<Value>(&raw)?
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
            };
            let fields: Map<String, Value> = changes
                .into_iter()
                .filter(|(key, value)| current.get(key).unwrap_or(&Value::Null) != value)
                .map(|(key, value)| {
                    let base = synced.get(&key).cloned().unwrap_or(Value::Null);
                    (key, json!({ "value": value, "base": base }))
                })
                .collect();
            if !fields.is_empty() {
                let parent = parent_of(tx, entity, id)?;
                push_op(
                    tx,
                    entity,
                    id,
                    parent.as_deref(),
                    OpKind::Update,
                    &json!({ "fields": fields }),
                    now,
                )?;
            }
        }
    }
    view::refresh(tx, entity, id)
}

/// Removes a record's unsent operations and, for a contact, its children's.
fn drop_unsent(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND state = 'pending'",
        params![entity.as_str(), id],
    )?;
    if entity == Entity::Contact {
        let children: Vec<(String, String)> = tx
            .prepare("SELECT DISTINCT entity, entity_id FROM outbox WHERE parent_id = ?1 AND state = 'pending'")?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        tx.execute(
            "DELETE FROM outbox WHERE parent_id = ?1 AND state = 'pending'",
            [id],
        )?;
        for (child_entity, child_id) in children {
            if let Some(child) = Entity::parse(&child_entity) {
                view::refresh(tx, child, &child_id)?;
            }
        }
    }
    Ok(())
}

/// Queues a deletion. A record that never reached GHL (its create still unsent) simply
/// vanishes with all its queued operations, and for a contact its children's.
fn queue_delete(tx: &Transaction<'_>, entity: Entity, id: &str, now: i64) -> StoreResult<()> {
    if !view_exists(tx, entity, id)? {
        return Err(StoreError::NotFound(format!("{} {id}", entity.as_str())));
    }
    let unsent_create: bool = tx
        .query_row(
            "SELECT 1 FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND op = 'create' AND state = 'pending'",
            params![entity.as_str(), id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    drop_unsent(tx, entity, id)?;
    if entity == Entity::Contact {
        tx.execute("DELETE FROM notes WHERE contact_id = ?1", [id])?;
        tx.execute("DELETE FROM tasks WHERE contact_id = ?1", [id])?;
    }
    if !unsent_create {
        let parent = parent_of(tx, entity, id)?;
        push_op(
            tx,
            entity,
            id,
            parent.as_deref(),
            OpKind::Delete,
            &json!({}),
            now,
        )?;
    }
    view::refresh(tx, entity, id)
}

fn display_name(tx: &Transaction<'_>, contact_id: &str) -> StoreResult<String> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> = tx
        .query_row(
            "SELECT first_name, last_name, email FROM contacts WHERE id = ?1",
            [contact_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(match row {
        Some((first, last, email)) => {
            let name = format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default())
                .trim()
                .to_owned();
            if name.is_empty() {
                email.unwrap_or_else(|| "a contact".into())
            } else {
                name
            }
        }
        None => "a contact".into(),
    })
}

fn invalid_if_any(errors: Vec<crate::error::FieldError>) -> StoreResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

fn normalise_tags(tags: &[String]) -> StoreResult<Vec<String>> {
    let tags: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).collect();
    if tags.is_empty() || tags.iter().any(String::is_empty) {
        return Err(StoreError::field("tags", "tags must be non-empty text"));
    }
    Ok(tags)
}

/// Queues the creation of a note or task under a contact (which must exist, locally
/// or in GHL), shows it at once and logs it; returns its local id.
fn queue_child_create(
    tx: &Transaction<'_>,
    entity: Entity,
    contact_id: &str,
    fields: Value,
    now: i64,
    describe: impl FnOnce(&str) -> String,
) -> StoreResult<String> {
    if !view_exists(tx, Entity::Contact, contact_id)? {
        return Err(StoreError::NotFound(format!("contact {contact_id}")));
    }
    let id = new_local_id();
    push_op(
        tx,
        entity,
        &id,
        Some(contact_id),
        OpKind::Create,
        &json!({ "fields": fields }),
        now,
    )?;
    view::refresh(tx, entity, &id)?;
    let name = display_name(tx, contact_id)?;
    log_activity(tx, now, "edit", Some(entity), Some(&id), &describe(&name))?;
    Ok(id)
}

impl Store {
    fn write<T>(
        &mut self,
        f: impl FnOnce(&Transaction<'_>, i64) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let now = self.now();
        let tx = self.write_tx()?;
        let out = f(&tx, now)?;
        tx.commit()?;
        Ok(out)
    }

    /// Creates a contact offline; returns its local id.
    pub fn create_contact(&mut self, mut fields: Map<String, Value>) -> StoreResult<String> {
        invalid_if_any(validate::contact_fields(&mut fields))?;
        let has_identity = ["firstName", "lastName", "email", "phone"].iter().any(|k| {
            fields
                .get(*k)
                .and_then(Value::as_str)
                .is_some_and(|v| !v.trim().is_empty())
        });
        if !has_identity {
            return Err(StoreError::field(
                "firstName",
                "give the contact a name, an email or a phone number",
            ));
        }
        if let Some(Value::Array(tags)) = fields.get_mut("tags") {
            for tag in tags.iter_mut() {
                *tag = Value::String(tag.as_str().unwrap_or_default().trim().to_lowercase());
            }
        }
        self.write(|tx, now| {
            let id = new_local_id();
            push_op(
                tx,
                Entity::Contact,
                &id,
                None,
                OpKind::Create,
                &json!({ "fields": fields }),
                now,
            )?;
            view::contact(tx, &id)?;
            let name = display_name(tx, &id)?;
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Contact),
                Some(&id),
                &format!("Created contact {name}"),
            )?;
            Ok(id)
        })
    }

    /// Changes contact fields (`null` clears one). Tags go through
    /// [`Store::add_tags`]/[`Store::remove_tags`].
    pub fn update_contact(&mut self, id: &str, mut changes: Map<String, Value>) -> StoreResult<()> {
        if changes.contains_key("tags") {
            return Err(StoreError::field(
                "tags",
                "change tags with add or remove, not as a field",
            ));
        }
        invalid_if_any(validate::contact_fields(&mut changes))?;
        let fields: Vec<String> = changes.keys().cloned().collect();
        self.write(|tx, now| {
            queue_update(tx, Entity::Contact, id, changes, now)?;
            let name = display_name(tx, id)?;
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Contact),
                Some(id),
                &format!("Edited {} of {name}", fields.join(", ")),
            )
        })
    }

    /// Deletes a contact (and, on GHL, its notes and tasks).
    pub fn delete_contact(&mut self, id: &str) -> StoreResult<()> {
        self.write(|tx, now| {
            let name = display_name(tx, id)?;
            queue_delete(tx, Entity::Contact, id, now)?;
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Contact),
                Some(id),
                &format!("Deleted contact {name}"),
            )
        })
    }

    /// Adds tags to a contact.
    pub fn add_tags(&mut self, id: &str, tags: &[String]) -> StoreResult<()> {
        self.change_tags(id, &normalise_tags(tags)?, true)
    }

    /// Removes tags from a contact.
    pub fn remove_tags(&mut self, id: &str, tags: &[String]) -> StoreResult<()> {
        self.change_tags(id, &normalise_tags(tags)?, false)
    }

    fn change_tags(&mut self, id: &str, tags: &[String], add: bool) -> StoreResult<()> {
        self.write(|tx, now| {
            if !view_exists(tx, Entity::Contact, id)? {
                return Err(StoreError::NotFound(format!("contact {id}")));
            }
            match last_op(tx, Entity::Contact, id)? {
                Some(LastOp {
                    seq,
                    op: OpKind::Create,
                    mut payload,
                    pending: true,
                }) => {
                    let mut current: Vec<String> = payload["fields"]["tags"]
                        .as_array()
                        .map(|t| {
                            t.iter()
                                .filter_map(|v| v.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    for tag in tags {
                        current.retain(|t| t != tag);
                        if add {
                            current.push(tag.clone());
                        }
                    }
                    payload["fields"]["tags"] = json!(current);
                    set_payload(tx, seq, &payload, now)?;
                }
                Some(LastOp {
                    seq,
                    op: OpKind::Tags,
                    mut payload,
                    pending: true,
                }) => {
                    let mut adds: Vec<String> = payload["add"]
                        .as_array()
                        .map(|t| {
                            t.iter()
                                .filter_map(|v| v.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    let mut removes: Vec<String> = payload["remove"]
                        .as_array()
                        .map(|t| {
                            t.iter()
                                .filter_map(|v| v.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                    for tag in tags {
                        adds.retain(|t| t != tag);
                        removes.retain(|t| t != tag);
                        if add {
                            adds.push(tag.clone())
                        } else {
                            removes.push(tag.clone())
                        }
                    }
                    payload = json!({ "add": adds, "remove": removes });
                    set_payload(tx, seq, &payload, now)?;
                }
                _ => {
                    let payload = if add {
                        json!({ "add": tags, "remove": [] })
                    } else {
                        json!({ "add": [], "remove": tags })
                    };
                    push_op(tx, Entity::Contact, id, None, OpKind::Tags, &payload, now)?;
                }
            }
            view::contact(tx, id)?;
            let name = display_name(tx, id)?;
            let verb = if add { "Tagged" } else { "Untagged" };
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Contact),
                Some(id),
                &format!("{verb} {name}: {}", tags.join(", ")),
            )
        })
    }

    /// Adds a note to a contact; returns the note's local id.
    pub fn create_note(
        &mut self,
        contact_id: &str,
        body: &str,
        title: Option<&str>,
    ) -> StoreResult<String> {
        invalid_if_any(validate::note_body(body))?;
        let mut fields = json!({ "body": body });
        if let Some(title) = title.filter(|t| !t.trim().is_empty()) {
            fields["title"] = title.into();
        }
        self.write(|tx, now| {
            queue_child_create(tx, Entity::Note, contact_id, fields, now, |name| {
                format!("Added a note to {name}")
            })
        })
    }

    /// Changes a note's text.
    pub fn update_note(&mut self, id: &str, body: &str) -> StoreResult<()> {
        invalid_if_any(validate::note_body(body))?;
        let mut changes = Map::new();
        changes.insert("body".into(), body.into());
        self.write(|tx, now| {
            queue_update(tx, Entity::Note, id, changes, now)?;
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Note),
                Some(id),
                "Edited a note",
            )
        })
    }

    /// Deletes a note.
    pub fn delete_note(&mut self, id: &str) -> StoreResult<()> {
        self.write(|tx, now| {
            queue_delete(tx, Entity::Note, id, now)?;
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Note),
                Some(id),
                "Deleted a note",
            )
        })
    }

    /// Adds a task (`title` and `dueDate` required); returns its local id.
    pub fn create_task(
        &mut self,
        contact_id: &str,
        mut fields: Map<String, Value>,
    ) -> StoreResult<String> {
        fields.entry("completed").or_insert(Value::Bool(false));
        invalid_if_any(validate::task_fields(&fields, true))?;
        let title = fields
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        self.write(|tx, now| {
            queue_child_create(
                tx,
                Entity::Task,
                contact_id,
                Value::Object(fields),
                now,
                |name| format!("Added task \"{title}\" for {name}"),
            )
        })
    }

    /// Changes task fields (`title`, `body`, `dueDate`, `completed`, `assignedTo`).
    pub fn update_task(&mut self, id: &str, changes: Map<String, Value>) -> StoreResult<()> {
        invalid_if_any(validate::task_fields(&changes, false))?;
        self.write(|tx, now| {
            queue_update(tx, Entity::Task, id, changes, now)?;
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Task),
                Some(id),
                "Edited a task",
            )
        })
    }

    /// Marks a task done or not done.
    pub fn complete_task(&mut self, id: &str, completed: bool) -> StoreResult<()> {
        let mut changes = Map::new();
        changes.insert("completed".into(), completed.into());
        self.write(|tx, now| {
            queue_update(tx, Entity::Task, id, changes, now)?;
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Task),
                Some(id),
                if completed {
                    "Completed a task"
                } else {
                    "Reopened a task"
                },
            )
        })
    }

    /// Deletes a task.
    pub fn delete_task(&mut self, id: &str) -> StoreResult<()> {
        self.write(|tx, now| {
            queue_delete(tx, Entity::Task, id, now)?;
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Task),
                Some(id),
                "Deleted a task",
            )
        })
    }
}
