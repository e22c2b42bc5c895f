//! Local edits. Each is one transaction that records the user's intent in the outbox
//! (coalesced with earlier unsent intent for the same record), rewrites the view the UI
//! reads, and logs the activity. Bad input is refused with field-level errors first
//! ([`crate::validate`]).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{Map, Value};

use crate::{
    change::{Base, Change, FieldChange},
    db::{execute_cached, Store},
    error::{FieldError, StoreError, StoreResult},
    merge::{same, Ghl},
    model::{Entity, OpKind},
    queue::{self, remote_deleted, set_change, synced},
    validate::{self, ContactEdit},
    view,
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

/// The record's unsent operation that a new change of `kind` merges into: the last one,
/// or one further back when every operation after it commutes with the change (field
/// updates and tag changes touch different things; an update setting `tags` commutes
/// with neither), so that editing fields and tags by turns queues one request of each
/// kind instead of one per edit. A create takes in both kinds. Nothing merges past an
/// operation that is no longer waiting (in flight, in conflict, rejected) or a deletion.
/// `sets_tags` says whether the new change sets tags (a tag change always does).
fn unsent_op_to_merge(
    tx: &Transaction<'_>,
    entity: Entity,
    id: &str,
    kind: OpKind,
    sets_tags: bool,
) -> StoreResult<Option<(i64, Change)>> {
    let mut stmt = tx.prepare_cached(
        "SELECT seq, op, payload, state FROM outbox WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq DESC",
    )?;
    let mut rows = stmt.query(params![entity.as_str(), id])?;
    while let Some(row) = rows.next()? {
        let state: String = row.get(3)?;
        if state != "pending" {
            return Ok(None);
        }
        let seq: i64 = row.get(0)?;
        let change = Change::from_row(&row.get::<_, String>(1)?, &row.get::<_, String>(2)?)?;
        let takes_in = matches!(
            (&change, kind),
            (Change::Create { .. }, _)
                | (Change::Update { .. }, OpKind::Update)
                | (Change::Tags { .. }, OpKind::Tags)
        );
        if takes_in {
            return Ok(Some((seq, change)));
        }
        let commutes = match (&change, kind) {
            (Change::Tags { .. }, OpKind::Update) => !sets_tags,
            (Change::Update { fields }, OpKind::Tags) => !fields.contains_key("tags"),
            _ => false,
        };
        if !commutes {
            return Ok(None);
        }
    }
    Ok(None)
}

fn view_exists(conn: &Connection, entity: Entity, id: &str) -> StoreResult<bool> {
    let table = entity.view_table();
    Ok(conn
        .query_row(
            &format!("SELECT 1 FROM {table} WHERE id = ?1"),
            [id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

pub(crate) fn push_op(
    tx: &Transaction<'_>,
    entity: Entity,
    id: &str,
    parent: Option<&str>,
    change: &Change,
    now: i64,
) -> StoreResult<()> {
    execute_cached(
        tx,
        "INSERT INTO outbox (entity, entity_id, parent_id, op, payload, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![entity.as_str(), id, parent, change.kind().as_str(), change.to_json(), now],
    )?;
    Ok(())
}

pub(crate) fn log_activity(
    conn: &Connection,
    at: i64,
    kind: &str,
    entity: Option<Entity>,
    id: Option<&str>,
    summary: &str,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO activity (at, kind, entity, entity_id, summary) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, kind, entity.map(Entity::as_str), id, summary],
    )?;
    Ok(())
}

/// Logs a user's edit of a record.
fn log_edit(
    tx: &Transaction<'_>,
    now: i64,
    entity: Entity,
    id: &str,
    summary: &str,
) -> StoreResult<()> {
    log_activity(tx, now, "edit", Some(entity), Some(id), summary)
}

fn parent_of(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<Option<String>> {
    let table = match entity {
        Entity::Contact => return Ok(None),
        Entity::Note | Entity::Task => entity.view_table(),
    };
    Ok(tx
        .query_row(
            &format!("SELECT contact_id FROM {table} WHERE id = ?1"),
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Queues changed fields of a record, each with the value it was made against: what an
/// earlier queued change of the record sets, else GHL's value, else (GHL's value not
/// known) the record's version. Coalesces into an unsent create or update; a field set
/// back to its base drops out, and an update left empty disappears. A field is only
/// skipped as "no change" when the value it would replace is known.
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
    let ghl = synced(tx, entity, id)?.unwrap_or_default();
    let last = unsent_op_to_merge(tx, entity, id, OpKind::Update, changes.contains_key("tags"))?;
    let earlier = values_queued_before(tx, entity, id, last.as_ref().map(|(seq, _)| *seq))?;
    let base_of = |name: &str| match (earlier.get(name), ghl.ghl(name)) {
        (Some(queued), _) => Base::Known(queued.clone()),
        (None, Ghl::Known(value)) => Base::Known(value.clone()),
        (None, Ghl::Unknown) => Base::Unknown {
            since: ghl.version().map(str::to_owned),
        },
    };
    match last {
        Some((seq, Change::Create { mut fields })) => {
            fields.extend(changes);
            set_change(tx, seq, &Change::Create { fields }, now)?;
        }
        Some((seq, Change::Update { mut fields })) => {
            for (name, value) in changes {
                let base = fields
                    .get(&name)
                    .map_or_else(|| base_of(&name), |earlier| earlier.base.clone());
                match &base {
                    Base::Known(known) if same(known, &value) => {
                        fields.remove(&name);
                    }
                    _ => {
                        fields.insert(name, FieldChange { value, base });
                    }
                }
            }
            if fields.is_empty() {
                tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
            } else {
                set_change(tx, seq, &Change::Update { fields }, now)?;
            }
        }
        _ => {
            let fields: BTreeMap<String, FieldChange> = changes
                .into_iter()
                .filter_map(|(name, value)| {
                    let base = base_of(&name);
                    match &base {
                        Base::Known(known) if same(known, &value) => None,
                        _ => Some((name, FieldChange { value, base })),
                    }
                })
                .collect();
            if !fields.is_empty() {
                let parent = parent_of(tx, entity, id)?;
                push_op(
                    tx,
                    entity,
                    id,
                    parent.as_deref(),
                    &Change::Update { fields },
                    now,
                )?;
            }
        }
    }
    view::refresh(tx, entity, id)
}

/// The values that a record's queued operations set (other than `except`), which the
/// view shows on top of GHL's and GHL will hold once they are sent.
fn values_queued_before(
    tx: &Transaction<'_>,
    entity: Entity,
    id: &str,
    except: Option<i64>,
) -> StoreResult<Map<String, Value>> {
    let mut stmt = tx.prepare_cached(
        "SELECT op, payload FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND seq IS NOT ?3 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![entity.as_str(), id, except], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut values = Map::new();
    for row in rows {
        let (op, payload) = row?;
        values.extend(Change::from_row(&op, &payload)?.values());
    }
    Ok(values)
}

/// Removes a record's unsent operations and, for a contact, its children's.
fn drop_unsent(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<()> {
    execute_cached(tx, queue::DROP_UNSENT, params![entity.as_str(), id])?;
    if entity == Entity::Contact {
        let children: Vec<(String, String)> = tx
            .prepare_cached(queue::UNSENT_CHILDREN)?
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        execute_cached(tx, queue::DROP_UNSENT_CHILDREN, [id])?;
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
    queue_deletion(tx, entity, id, now)?;
    view::refresh(tx, entity, id)
}

/// Queues a deletion (see [`queue_delete`]) and leaves the record's view row to the
/// caller, so that a bulk deletion rewrites the view of all its contacts at once.
fn queue_deletion(tx: &Transaction<'_>, entity: Entity, id: &str, now: i64) -> StoreResult<()> {
    if !view_exists(tx, entity, id)? {
        return Err(StoreError::NotFound(format!("{} {id}", entity.as_str())));
    }
    let unsent_create = tx
        .prepare_cached(queue::UNSENT_CREATE)?
        .query_row(params![entity.as_str(), id], |_| Ok(()))
        .optional()?
        .is_some();
    let parent = parent_of(tx, entity, id)?;
    drop_unsent(tx, entity, id)?;
    if entity == Entity::Contact {
        execute_cached(tx, "DELETE FROM notes WHERE contact_id = ?1", [id])?;
        execute_cached(tx, "DELETE FROM tasks WHERE contact_id = ?1", [id])?;
    }
    if !unsent_create {
        push_op(tx, entity, id, parent.as_deref(), &Change::Delete, now)?;
    }
    Ok(())
}

/// A contact's name as the app shows it (name, else email, else "a contact").
pub(crate) fn display_name(conn: &Connection, contact_id: &str) -> StoreResult<String> {
    let shown: Option<String> = conn
        .query_row(
            "SELECT coalesce(nullif(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), ''), nullif(email, ''), nullif(phone, ''))
             FROM contacts WHERE id = ?1",
            [contact_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(shown.unwrap_or_else(|| "a contact".into()))
}

fn invalid_if_any(errors: Vec<FieldError>) -> StoreResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errors))
    }
}

/// Refuses a note or task for a contact that is gone: deleted here (its deletion
/// queued) or in GHL.
fn contact_is_live(tx: &Transaction<'_>, contact_id: &str) -> StoreResult<()> {
    if !view_exists(tx, Entity::Contact, contact_id)? {
        return Err(StoreError::NotFound(format!("contact {contact_id}")));
    }
    if remote_deleted(tx, Entity::Contact, contact_id)? {
        return Err(StoreError::field(
            "contactId",
            "this contact was deleted in HighLevel; nothing can be added to it",
        ));
    }
    Ok(())
}

/// Queues the creation of a note or task under a contact (which must exist, locally
/// or in GHL), shows it at once and logs it; returns its local id.
fn queue_child_create(
    tx: &Transaction<'_>,
    entity: Entity,
    contact_id: &str,
    fields: Map<String, Value>,
    now: i64,
    describe: impl FnOnce(&str) -> String,
) -> StoreResult<String> {
    contact_is_live(tx, contact_id)?;
    let id = new_local_id();
    push_op(
        tx,
        entity,
        &id,
        Some(contact_id),
        &Change::Create { fields },
        now,
    )?;
    view::refresh(tx, entity, &id)?;
    let name = display_name(tx, contact_id)?;
    log_activity(tx, now, "edit", Some(entity), Some(&id), &describe(&name))?;
    Ok(id)
}

/// The contacts of a bulk edit with their tags, each once, in the order they are
/// stored, so that the edit reads and writes each table front to back instead of at
/// random; an id not in the view is an error.
fn in_store_order<'a>(
    tx: &Transaction<'_>,
    ids: &'a [String],
) -> StoreResult<Vec<(&'a str, String)>> {
    let mut stmt = tx.prepare_cached("SELECT rowid, tags FROM contacts WHERE id = ?1")?;
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        let Some((rowid, tags)) = stmt
            .query_row([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .optional()?
        else {
            return Err(StoreError::NotFound(format!("contact {id}")));
        };
        found.push((rowid, id.as_str(), tags));
    }
    found.sort_by_key(|(rowid, ..)| *rowid);
    found.dedup_by_key(|(rowid, ..)| *rowid);
    Ok(found.into_iter().map(|(_, id, tags)| (id, tags)).collect())
}

/// Merges a tag change into an unsent create or tags operation, or queues a new one.
fn queue_tags(
    tx: &Transaction<'_>,
    id: &str,
    tags: &[String],
    add: bool,
    now: i64,
) -> StoreResult<()> {
    match unsent_op_to_merge(tx, Entity::Contact, id, OpKind::Tags, true)? {
        Some((seq, Change::Create { mut fields })) => {
            let mut current: Vec<String> = fields
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            current.retain(|t| !tags.contains(t));
            if add {
                current.extend(tags.iter().cloned());
            }
            fields.insert("tags".into(), current.into());
            set_change(tx, seq, &Change::Create { fields }, now)
        }
        Some((
            seq,
            Change::Tags {
                add: mut adds,
                remove: mut removes,
            },
        )) => {
            adds.retain(|t| !tags.contains(t));
            removes.retain(|t| !tags.contains(t));
            if add {
                adds.extend(tags.iter().cloned());
            } else {
                removes.extend(tags.iter().cloned());
            }
            let change = Change::Tags {
                add: adds,
                remove: removes,
            };
            set_change(tx, seq, &change, now)
        }
        _ => {
            let (adds, removes) = if add {
                (tags.to_vec(), Vec::new())
            } else {
                (Vec::new(), tags.to_vec())
            };
            let change = Change::Tags {
                add: adds,
                remove: removes,
            };
            push_op(tx, Entity::Contact, id, None, &change, now)
        }
    }
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
        invalid_if_any(validate::contact_fields(&mut fields, ContactEdit::Create))?;
        let has_identity = ["firstName", "lastName", "name", "email", "phone"]
            .iter()
            .any(|k| {
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
        fields.retain(|_, value| !value.is_null());
        self.write(|tx, now| {
            let id = new_local_id();
            push_op(
                tx,
                Entity::Contact,
                &id,
                None,
                &Change::Create { fields },
                now,
            )?;
            view::contact(tx, &id)?;
            let name = display_name(tx, &id)?;
            log_edit(
                tx,
                now,
                Entity::Contact,
                &id,
                &format!("Created contact {name}"),
            )?;
            Ok(id)
        })
    }

    /// Changes contact fields (`null` clears one). Tags go through
    /// [`Store::add_tags`]/[`Store::remove_tags`].
    pub fn update_contact(&mut self, id: &str, mut changes: Map<String, Value>) -> StoreResult<()> {
        invalid_if_any(validate::contact_fields(&mut changes, ContactEdit::Update))?;
        if changes.is_empty() {
            return Err(StoreError::field(
                "fields",
                "name at least one field to change",
            ));
        }
        let fields: Vec<String> = changes.keys().cloned().collect();
        self.write(|tx, now| {
            queue_update(tx, Entity::Contact, id, changes, now)?;
            let name = display_name(tx, id)?;
            log_edit(
                tx,
                now,
                Entity::Contact,
                id,
                &format!("Edited {} of {name}", fields.join(", ")),
            )
        })
    }

    /// Deletes a contact (and, in GHL, its notes and tasks).
    pub fn delete_contact(&mut self, id: &str) -> StoreResult<()> {
        self.write(|tx, now| {
            let name = display_name(tx, id)?;
            queue_delete(tx, Entity::Contact, id, now)?;
            log_edit(
                tx,
                now,
                Entity::Contact,
                id,
                &format!("Deleted contact {name}"),
            )
        })
    }

    /// Adds tags to a contact.
    pub fn add_tags(&mut self, id: &str, tags: &[String]) -> StoreResult<()> {
        self.change_tags(id, tags, true)
    }

    /// Removes tags from a contact.
    pub fn remove_tags(&mut self, id: &str, tags: &[String]) -> StoreResult<()> {
        self.change_tags(id, tags, false)
    }

    fn change_tags(&mut self, id: &str, tags: &[String], add: bool) -> StoreResult<()> {
        let tags = validate::tags(tags).map_err(StoreError::Invalid)?;
        self.write(|tx, now| {
            if !view_exists(tx, Entity::Contact, id)? {
                return Err(StoreError::NotFound(format!("contact {id}")));
            }
            queue_tags(tx, id, &tags, add, now)?;
            view::contact(tx, id)?;
            let name = display_name(tx, id)?;
            let verb = if add { "Tagged" } else { "Untagged" };
            log_edit(
                tx,
                now,
                Entity::Contact,
                id,
                &format!("{verb} {name}: {}", tags.join(", ")),
            )
        })
    }

    /// Tags (`add`) or untags many contacts at once, each an ordinary queued tags change,
    /// in one transaction: all or none. Contacts that already have (or lack) every tag
    /// are left alone. Returns how many contacts changed.
    pub fn bulk_tags(&mut self, ids: &[String], tags: &[String], add: bool) -> StoreResult<u32> {
        let tags = validate::tags(tags).map_err(StoreError::Invalid)?;
        self.write(|tx, now| {
            let mut changed = Vec::new();
            for (id, current) in in_store_order(tx, ids)? {
                let current: Vec<String> = serde_json::from_str(&current).unwrap_or_default();
                let wanted: Vec<String> = tags
                    .iter()
                    .filter(|t| current.contains(t) != add)
                    .cloned()
                    .collect();
                if wanted.is_empty() {
                    continue;
                }
                queue_tags(tx, id, &wanted, add, now)?;
                changed.push(id);
            }
            view::contacts(tx, changed.iter().copied())?;
            let changed = u32::try_from(changed.len()).unwrap_or(u32::MAX);
            if changed > 0 {
                let verb = if add { "Tagged" } else { "Untagged" };
                log_activity(
                    tx,
                    now,
                    "edit",
                    Some(Entity::Contact),
                    None,
                    &format!("{verb} {changed} contacts: {}", tags.join(", ")),
                )?;
            }
            Ok(changed)
        })
    }

    /// Deletes many contacts at once, each an ordinary queued deletion, in one
    /// transaction: all or none. Returns how many.
    pub fn bulk_delete(&mut self, ids: &[String]) -> StoreResult<u32> {
        self.write(|tx, now| {
            let ids: Vec<&str> = in_store_order(tx, ids)?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            for id in &ids {
                queue_deletion(tx, Entity::Contact, id, now)?;
            }
            view::contacts(tx, ids.iter().copied())?;
            log_activity(
                tx,
                now,
                "edit",
                Some(Entity::Contact),
                None,
                &format!("Deleted {} contacts", ids.len()),
            )?;
            Ok(u32::try_from(ids.len()).unwrap_or(u32::MAX))
        })
    }

    /// Adds a note to a contact; returns the note's local id.
    pub fn create_note(
        &mut self,
        contact_id: &str,
        body: &str,
        title: Option<&str>,
    ) -> StoreResult<String> {
        let mut body = body.to_owned();
        invalid_if_any(validate::note_body(&mut body))?;
        let mut fields = Map::new();
        fields.insert("body".into(), body.into());
        if let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) {
            fields.insert("title".into(), title.into());
        }
        self.write(|tx, now| {
            queue_child_create(tx, Entity::Note, contact_id, fields, now, |name| {
                format!("Added a note to {name}")
            })
        })
    }

    /// Changes a note's text.
    pub fn update_note(&mut self, id: &str, body: &str) -> StoreResult<()> {
        let mut body = body.to_owned();
        invalid_if_any(validate::note_body(&mut body))?;
        let mut changes = Map::new();
        changes.insert("body".into(), body.into());
        self.write(|tx, now| {
            queue_update(tx, Entity::Note, id, changes, now)?;
            log_edit(tx, now, Entity::Note, id, "Edited a note")
        })
    }

    /// Deletes a note.
    pub fn delete_note(&mut self, id: &str) -> StoreResult<()> {
        self.write(|tx, now| {
            queue_delete(tx, Entity::Note, id, now)?;
            log_edit(tx, now, Entity::Note, id, "Deleted a note")
        })
    }

    /// Adds a task (`title` and `dueDate` required); returns its local id.
    pub fn create_task(
        &mut self,
        contact_id: &str,
        mut fields: Map<String, Value>,
    ) -> StoreResult<String> {
        fields.entry("completed").or_insert(Value::Bool(false));
        invalid_if_any(validate::task_fields(&mut fields, true))?;
        let title = fields
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        self.write(|tx, now| {
            queue_child_create(tx, Entity::Task, contact_id, fields, now, |name| {
                format!("Added task \"{title}\" for {name}")
            })
        })
    }

    /// Changes task fields (`title`, `body`, `dueDate`, `completed`, `assignedTo`).
    pub fn update_task(&mut self, id: &str, mut changes: Map<String, Value>) -> StoreResult<()> {
        invalid_if_any(validate::task_fields(&mut changes, false))?;
        if changes.is_empty() {
            return Err(StoreError::field(
                "fields",
                "name at least one field to change",
            ));
        }
        let summary = if changes.len() == 1 {
            match changes.get("completed") {
                Some(Value::Bool(true)) => "Completed a task",
                Some(Value::Bool(false)) => "Reopened a task",
                _ => "Edited a task",
            }
        } else {
            "Edited a task"
        };
        self.write(|tx, now| {
            queue_update(tx, Entity::Task, id, changes, now)?;
            log_edit(tx, now, Entity::Task, id, summary)
        })
    }

    /// Marks a task done or not done.
    pub fn complete_task(&mut self, id: &str, completed: bool) -> StoreResult<()> {
        let mut changes = Map::new();
        changes.insert("completed".into(), completed.into());
        self.update_task(id, changes)
    }

    /// Deletes a task.
    pub fn delete_task(&mut self, id: &str) -> StoreResult<()> {
        self.write(|tx, now| {
            queue_delete(tx, Entity::Task, id, now)?;
            log_edit(tx, now, Entity::Task, id, "Deleted a task")
        })
    }
}
