//! The outbox as the sync engine drives it: which operations are ready, marking them
//! sent, acknowledging GHL's answer (with the atomic local-id → GHL-id remap for
//! creates), retries, rejections, conflicts and discards.

use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::Value;

use crate::{
    db::Store,
    edits::{is_local_id, log_activity},
    error::{StoreError, StoreResult},
    model::{Entity, FieldChoice, OpKind, OpState, OutboxCounts, OutboxOp, PendingChange},
    view,
};

/// GHL's answer to a sent operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Ack {
    /// The record as GHL now holds it (creates and updates).
    Record(Value),
    /// The contact's tags after a tags change.
    Tags(Vec<String>),
    /// The record is gone (deletes; also an update whose record GHL no longer has).
    Deleted,
}

const COLUMNS: &str = "seq, entity, entity_id, parent_id, op, payload, state, attempts, next_attempt_at, last_error, created_at";

fn read_op(r: &Row<'_>) -> rusqlite::Result<OutboxOp> {
    let payload: String = r.get(5)?;
    Ok(OutboxOp {
        seq: r.get(0)?,
        entity: Entity::parse(&r.get::<_, String>(1)?).unwrap_or(Entity::Contact),
        entity_id: r.get(2)?,
        parent_id: r.get(3)?,
        op: OpKind::parse(&r.get::<_, String>(4)?).unwrap_or(OpKind::Update),
        payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
        state: OpState::parse(&r.get::<_, String>(6)?).unwrap_or(OpState::Pending),
        attempts: r.get(7)?,
        next_attempt_at: r.get(8)?,
        last_error: r.get(9)?,
        created_at: r.get(10)?,
    })
}

fn get_op(tx: &Transaction<'_>, seq: i64) -> StoreResult<OutboxOp> {
    tx.query_row(
        &format!("SELECT {COLUMNS} FROM outbox WHERE seq = ?1"),
        [seq],
        read_op,
    )
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("queued change {seq}")))
}

fn set_state(
    tx: &Transaction<'_>,
    seq: i64,
    state: OpState,
    error: Option<&str>,
    next_at: i64,
    now: i64,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE outbox SET state = ?1, last_error = ?2, next_attempt_at = ?3, updated_at = ?4 WHERE seq = ?5",
        params![state.as_str(), error, next_at, now, seq],
    )?;
    Ok(())
}

/// Rewrites a local id to GHL's everywhere it appears, in one transaction.
fn remap(
    tx: &Transaction<'_>,
    entity: Entity,
    local: &str,
    server: &str,
    now: i64,
) -> StoreResult<()> {
    let view_table = entity.view_table();
    tx.execute(
        &format!("UPDATE {view_table} SET id = ?1 WHERE id = ?2"),
        params![server, local],
    )?;
    if entity == Entity::Contact {
        tx.execute(
            "UPDATE notes SET contact_id = ?1 WHERE contact_id = ?2",
            params![server, local],
        )?;
        tx.execute(
            "UPDATE tasks SET contact_id = ?1 WHERE contact_id = ?2",
            params![server, local],
        )?;
        tx.execute(
            "UPDATE outbox SET parent_id = ?1 WHERE parent_id = ?2",
            params![server, local],
        )?;
    }
    tx.execute(
        "UPDATE outbox SET entity_id = ?1 WHERE entity_id = ?2",
        params![server, local],
    )?;
    tx.execute(
        "UPDATE activity SET entity_id = ?1 WHERE entity_id = ?2",
        params![server, local],
    )?;
    tx.execute("INSERT OR REPLACE INTO id_map (local_id, server_id, entity, mapped_at) VALUES (?1, ?2, ?3, ?4)", params![local, server, entity.as_str(), now])?;
    Ok(())
}

fn store_synced(
    tx: &Transaction<'_>,
    entity: Entity,
    id: &str,
    parent: Option<&str>,
    record: &Value,
) -> StoreResult<()> {
    let raw = record.to_string();
    match entity {
        Entity::Contact => {
            tx.execute(
                "INSERT INTO synced_contacts (id, raw, date_updated) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET raw = excluded.raw, date_updated = excluded.date_updated, remote_deleted = 0",
                params![id, raw, record["dateUpdated"].as_str()],
            )?;
        }
        Entity::Note | Entity::Task => {
            let contact = record["contactId"].as_str().or(parent).unwrap_or_default();
            tx.execute(
                &format!("INSERT INTO {} (id, contact_id, raw) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, raw = excluded.raw, remote_deleted = 0", entity.synced_table()),
                params![id, contact, raw],
            )?;
        }
    }
    Ok(())
}

pub(crate) fn forget_synced(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<()> {
    tx.execute(
        &format!("DELETE FROM {} WHERE id = ?1", entity.synced_table()),
        [id],
    )?;
    if entity == Entity::Contact {
        tx.execute("DELETE FROM synced_notes WHERE contact_id = ?1", [id])?;
        tx.execute("DELETE FROM synced_tasks WHERE contact_id = ?1", [id])?;
        tx.execute(
            "DELETE FROM notes WHERE contact_id = ?1 AND pending = 0",
            [id],
        )?;
        tx.execute(
            "DELETE FROM tasks WHERE contact_id = ?1 AND pending = 0",
            [id],
        )?;
        tx.execute("DELETE FROM appointments WHERE contact_id = ?1", [id])?;
        tx.execute("DELETE FROM children_freshness WHERE contact_id = ?1", [id])?;
    }
    Ok(())
}

impl Store {
    /// Every queued operation, in order (the pending-changes screen).
    pub fn outbox(&self) -> StoreResult<Vec<OutboxOp>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY seq"))?;
        let ops = stmt.query_map([], read_op)?.collect::<Result<_, _>>()?;
        Ok(ops)
    }

    /// Every queued change, described for people, in queue order; a conflict lists each
    /// field with both values.
    pub fn pending_changes(&self) -> StoreResult<Vec<PendingChange>> {
        self.outbox()?
            .into_iter()
            .map(|op| {
                let fields = || {
                    op.payload["fields"]
                        .as_object()
                        .map(|f| f.keys().cloned().collect::<Vec<_>>().join(", "))
                        .unwrap_or_default()
                };
                let list = |key: &str| {
                    op.payload[key]
                        .as_array()
                        .map(|t| {
                            t.iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default()
                };
                let what = op.entity.as_str();
                let summary = match op.op {
                    OpKind::Create => format!("New {what} ({})", fields()),
                    OpKind::Update => format!("Changed {what}: {}", fields()),
                    OpKind::Delete => format!("Deleted {what}"),
                    OpKind::Tags => match (list("add"), list("remove")) {
                        (add, remove) if remove.is_empty() => format!("Added tags: {add}"),
                        (add, remove) if add.is_empty() => format!("Removed tags: {remove}"),
                        (add, remove) => format!("Added tags: {add}; removed: {remove}"),
                    },
                };
                let fields = if op.state == OpState::Conflict && op.op == OpKind::Update {
                    field_choices(
                        &op.payload,
                        &synced_raw(&self.conn, op.entity, &op.entity_id)?,
                    )
                } else {
                    Vec::new()
                };
                Ok(PendingChange {
                    seq: op.seq as u32,
                    entity: op.entity,
                    entity_id: op.entity_id,
                    op: op.op,
                    state: op.state,
                    summary,
                    last_error: op.last_error,
                    attempts: op.attempts as u32,
                    fields,
                })
            })
            .collect()
    }

    /// The queued operations of one record, in order.
    pub fn ops_for(&self, entity_id: &str) -> StoreResult<Vec<OutboxOp>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE entity_id = ?1 ORDER BY seq"
        ))?;
        let ops = stmt
            .query_map([entity_id], read_op)?
            .collect::<Result<_, _>>()?;
        Ok(ops)
    }

    /// One queued operation.
    pub fn outbox_op(&self, seq: i64) -> StoreResult<OutboxOp> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE seq = ?1"),
                [seq],
                read_op,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("queued change {seq}")))
    }

    /// Operations that may be sent now: for each record, its first queued operation,
    /// if pending and due, and if it refers to no record GHL does not have yet (a note
    /// waits for its new contact). A record whose first operation is in flight, rejected
    /// or in conflict holds back its later operations and nothing else.
    pub fn ready_ops(&self, now: i64) -> StoreResult<Vec<OutboxOp>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM outbox o WHERE seq = (SELECT min(seq) FROM outbox WHERE entity = o.entity AND entity_id = o.entity_id)
             AND state = 'pending' AND next_attempt_at <= ?1 ORDER BY seq"
        ))?;
        let ops: Vec<OutboxOp> = stmt.query_map([now], read_op)?.collect::<Result<_, _>>()?;
        Ok(ops
            .into_iter()
            .filter(|op| op.parent_id.as_deref().is_none_or(|p| !is_local_id(p)))
            .filter(|op| op.op == OpKind::Create || !is_local_id(&op.entity_id))
            .collect())
    }

    /// Operations marked sent whose outcome is unknown (after a crash): the engine looks
    /// the record up before sending any again.
    pub fn in_flight(&self) -> StoreResult<Vec<OutboxOp>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE state = 'sending' ORDER BY seq"
        ))?;
        let ops = stmt.query_map([], read_op)?.collect::<Result<_, _>>()?;
        Ok(ops)
    }

    /// Marks an operation as sent, before the request leaves (durably, so a crash
    /// leaves a trace).
    pub fn begin_send(&mut self, seq: i64) -> StoreResult<()> {
        let now = self.now();
        let changed = self.conn.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?1 WHERE seq = ?2 AND state = 'pending'",
            params![now, seq],
        )?;
        if changed == 0 {
            return Err(StoreError::InvalidState(format!(
                "queued change {seq} is not pending"
            )));
        }
        Ok(())
    }

    /// [`Store::begin_send`] for several operations in one durable write, so a round of
    /// concurrent sends costs one disk flush; all are marked or none.
    pub fn begin_sends(&mut self, seqs: &[i64]) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        {
            let mut mark = tx.prepare_cached(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?1 WHERE seq = ?2 AND state = 'pending'",
            )?;
            for seq in seqs {
                if mark.execute(params![now, seq])? == 0 {
                    return Err(StoreError::InvalidState(format!(
                        "queued change {seq} is not pending"
                    )));
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records GHL's acknowledgement: server truth is updated, the operation leaves the
    /// queue and, for a create, the local id becomes GHL's everywhere.
    pub fn complete(&mut self, seq: i64, ack: Ack) -> StoreResult<String> {
        let now = self.now();
        let tx = self.write_tx()?;
        let op = get_op(&tx, seq)?;
        let mut id = op.entity_id.clone();
        tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
        match (&op.op, ack) {
            (OpKind::Create, Ack::Record(record)) => {
                let server = record["id"]
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        StoreError::InvalidState("GHL's answer to a create carried no id".into())
                    })?
                    .to_owned();
                remap(&tx, op.entity, &op.entity_id, &server, now)?;
                store_synced(&tx, op.entity, &server, op.parent_id.as_deref(), &record)?;
                id = server;
            }
            (_, Ack::Record(record)) => {
                store_synced(&tx, op.entity, &id, op.parent_id.as_deref(), &record)?
            }
            (_, Ack::Tags(tags)) => {
                let raw: Option<String> = tx
                    .query_row(
                        "SELECT raw FROM synced_contacts WHERE id = ?1",
                        [&id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(raw) = raw {
                    let mut record: Value = serde_json::from_str(&raw)?;
                    record["tags"] = tags.into();
                    tx.execute(
                        "UPDATE synced_contacts SET raw = ?1 WHERE id = ?2",
                        params![record.to_string(), id],
                    )?;
                }
            }
            (_, Ack::Deleted) => forget_synced(&tx, op.entity, &id)?,
        }
        view::refresh(&tx, op.entity, &id)?;
        tx.commit()?;
        Ok(id)
    }

    /// A failure worth retrying later (network, 5xx, 429): back to pending until `next_at`.
    pub fn retry_later(&mut self, seq: i64, error: &str, next_at: i64) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        set_state(&tx, seq, OpState::Pending, Some(error), next_at, now)?;
        tx.commit()?;
        Ok(())
    }

    /// GHL refused the operation: it waits for the user, holding back only its record.
    pub fn reject(&mut self, seq: i64, message: &str) -> StoreResult<()> {
        self.set_blocked(seq, OpState::Rejected, message, "error")
    }

    /// The same field changed on GHL: the operation waits for the user's decision.
    pub fn mark_conflict(&mut self, seq: i64, message: &str) -> StoreResult<()> {
        self.set_blocked(seq, OpState::Conflict, message, "conflict")
    }

    fn set_blocked(
        &mut self,
        seq: i64,
        state: OpState,
        message: &str,
        kind: &str,
    ) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        let op = get_op(&tx, seq)?;
        set_state(&tx, seq, state, Some(message), 0, now)?;
        log_activity(
            &tx,
            now,
            kind,
            Some(op.entity),
            Some(&op.entity_id),
            message,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Sends a rejected or conflicting operation again (after the user edited it).
    pub fn retry_now(&mut self, seq: i64) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        get_op(&tx, seq)?;
        set_state(&tx, seq, OpState::Pending, None, 0, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Replaces the payload of a queued (not in-flight) operation, e.g. after the user
    /// fixed a rejected value or chose per field in a conflict.
    pub fn replace_payload(&mut self, seq: i64, payload: Value) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        let op = get_op(&tx, seq)?;
        if op.state == OpState::Sending {
            return Err(StoreError::InvalidState(
                "that change is being sent; wait for the answer".into(),
            ));
        }
        tx.execute(
            "UPDATE outbox SET payload = ?1, updated_at = ?2 WHERE seq = ?3",
            params![payload.to_string(), now, seq],
        )?;
        view::refresh(&tx, op.entity, &op.entity_id)?;
        tx.commit()?;
        Ok(())
    }

    /// Resolves a conflict in favour of the user's values: each field's base becomes
    /// GHL's current value, so the change is sent as is on the next sync.
    pub fn keep_mine(&mut self, seq: i64) -> StoreResult<()> {
        self.settle_fields(seq, &[], "Kept your version of a conflicting change")
    }

    /// Resolves a conflict field by field: `take_ghl` leave the change (the record shows
    /// GHL's values), the other fields are rebased on GHL's current values and sent on
    /// the next sync. An update left with no field is dropped.
    pub fn keep_theirs(&mut self, seq: i64, take_ghl: &[String]) -> StoreResult<()> {
        let message = if take_ghl.is_empty() {
            "Kept your version of a conflicting change".to_owned()
        } else {
            format!("Kept HighLevel's {}", take_ghl.join(", "))
        };
        self.settle_fields(seq, take_ghl, &message)
    }

    fn settle_fields(&mut self, seq: i64, take_ghl: &[String], message: &str) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        let mut op = get_op(&tx, seq)?;
        if op.state == OpState::Sending {
            return Err(StoreError::InvalidState(
                "that change is being sent; wait for the answer".into(),
            ));
        }
        let server = synced_raw(&tx, op.entity, &op.entity_id)?;
        let left = match op.payload["fields"].as_object_mut() {
            Some(changes) => {
                changes.retain(|key, _| !take_ghl.contains(key));
                for (key, change) in changes.iter_mut() {
                    change["base"] = server.get(key).cloned().unwrap_or(Value::Null);
                }
                changes.len()
            }
            None => 0,
        };
        tx.execute("UPDATE outbox SET payload = ?1, state = 'pending', last_error = NULL, next_attempt_at = 0, updated_at = ?2 WHERE seq = ?3", params![op.payload.to_string(), now, seq])?;
        view::refresh(&tx, op.entity, &op.entity_id)?;
        log_activity(
            &tx,
            now,
            "resolve",
            Some(op.entity),
            Some(&op.entity_id),
            message,
        )?;
        tx.commit()?;
        if left == 0 && op.op == OpKind::Update {
            self.discard(seq)?;
        }
        Ok(())
    }

    /// Drops an operation; the record reverts to GHL's version. Discarding a create
    /// drops the record with everything queued for it and, for a contact, its children.
    pub fn discard(&mut self, seq: i64) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        let op = get_op(&tx, seq)?;
        if op.state == OpState::Sending {
            return Err(StoreError::InvalidState(
                "that change is being sent; wait for the answer".into(),
            ));
        }
        if op.op == OpKind::Create {
            tx.execute(
                "DELETE FROM outbox WHERE entity = ?1 AND entity_id = ?2",
                params![op.entity.as_str(), op.entity_id],
            )?;
            if op.entity == Entity::Contact {
                tx.execute("DELETE FROM outbox WHERE parent_id = ?1", [&op.entity_id])?;
                tx.execute("DELETE FROM notes WHERE contact_id = ?1", [&op.entity_id])?;
                tx.execute("DELETE FROM tasks WHERE contact_id = ?1", [&op.entity_id])?;
            }
        } else {
            tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
            let remote_deleted: bool = tx
                .query_row(
                    &format!(
                        "SELECT remote_deleted FROM {} WHERE id = ?1",
                        op.entity.synced_table()
                    ),
                    [&op.entity_id],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
                .is_some_and(|d| d == 1);
            let left: i64 = tx.query_row(
                "SELECT count(*) FROM outbox WHERE entity_id = ?1",
                [&op.entity_id],
                |r| r.get(0),
            )?;
            if remote_deleted && left == 0 {
                forget_synced(&tx, op.entity, &op.entity_id)?;
            }
        }
        view::refresh(&tx, op.entity, &op.entity_id)?;
        log_activity(
            &tx,
            now,
            "discard",
            Some(op.entity),
            Some(&op.entity_id),
            "Discarded a pending change",
        )?;
        tx.commit()?;
        Ok(())
    }

    /// When the outbox last changed (a change queued, edited, sent or resolved), so that
    /// another process's edits (the CLI's) can be noticed cheaply.
    pub fn outbox_last_change(&self) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT max(updated_at) FROM outbox", [], |r| r.get(0))?)
    }

    /// When the earliest change put back for a later attempt (after a server error or
    /// a rate limit) becomes due, if one is waiting past `now`.
    pub fn next_retry_at(&self, now: i64) -> StoreResult<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending' AND next_attempt_at > ?1",
            [now],
            |r| r.get(0),
        )?)
    }

    /// Counts for the top bar.
    pub fn outbox_counts(&self) -> StoreResult<OutboxCounts> {
        Ok(self.conn.query_row(
            "SELECT coalesce(sum(state IN ('pending', 'sending')), 0), coalesce(sum(state = 'rejected'), 0), coalesce(sum(state = 'conflict'), 0) FROM outbox",
            [],
            |r| Ok(OutboxCounts { pending: r.get::<_, i64>(0)? as u32, rejected: r.get::<_, i64>(1)? as u32, conflicts: r.get::<_, i64>(2)? as u32 }),
        )?)
    }

    /// GHL's id for a local id that has been mapped.
    pub fn server_id(&self, local_id: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT server_id FROM id_map WHERE local_id = ?1",
                [local_id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// What GHL last said about a record (`null` when nothing is known).
fn synced_raw(conn: &rusqlite::Connection, entity: Entity, id: &str) -> StoreResult<Value> {
    let raw: Option<String> = conn
        .query_row(
            &format!("SELECT raw FROM {} WHERE id = ?1", entity.synced_table()),
            [id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(raw
        .map(|raw| serde_json::from_str(&raw))
        .transpose()?
        .unwrap_or(Value::Null))
}

/// A value as people read it: text as is, nothing as empty, anything else as JSON.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Each field of a conflicting update with the user's value and GHL's.
fn field_choices(payload: &Value, server: &Value) -> Vec<FieldChoice> {
    payload["fields"]
        .as_object()
        .map(|changes| {
            changes
                .iter()
                .map(|(key, change)| {
                    let ghl = server.get(key).unwrap_or(&Value::Null);
                    FieldChoice {
                        field: key.clone(),
                        mine: shown(&change["value"]),
                        ghl: shown(ghl),
                        clashing: ghl != &change["base"] && ghl != &change["value"],
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}
