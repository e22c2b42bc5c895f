//! The outbox as rows and what GHL last said about a record: reading queued operations,
//! the counts the top bar shows, and the helpers that write server truth (shared by the
//! engine's acknowledgements and its pulls).

use std::collections::BTreeSet;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde_json::{Map, Value};

use crate::{
    change::Change,
    db::execute_cached,
    db::Store,
    error::{StoreError, StoreResult},
    merge::Ghl,
    model::{Entity, OpState, OutboxCounts, OutboxOp},
};

pub(crate) const COLUMNS: &str = "seq, entity, entity_id, parent_id, op, payload, state, attempts, next_attempt_at, last_error, created_at, sent_at";

// Statements that find one record's unsent operations. Each keeps `state` out of the
// choice of index (`+state`): without statistics SQLite read them through
// `outbox_by_state`, that is through every pending operation, so that deleting many
// contacts behind a long queue took time quadratic in its length.

/// Removes a record's unsent operations.
pub(crate) const DROP_UNSENT: &str =
    "DELETE FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND +state = 'pending'";
/// The records with unsent operations under a contact.
pub(crate) const UNSENT_CHILDREN: &str =
    "SELECT DISTINCT entity, entity_id FROM outbox WHERE parent_id = ?1 AND +state = 'pending'";
/// Removes the unsent operations under a contact.
pub(crate) const DROP_UNSENT_CHILDREN: &str =
    "DELETE FROM outbox WHERE parent_id = ?1 AND +state = 'pending'";
/// Whether a record's creation is still unsent.
pub(crate) const UNSENT_CREATE: &str = "SELECT 1 FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND op = 'create' AND +state = 'pending'";
/// Turns a record's unsent operations into a conflict.
pub(crate) const UNSENT_TO_CONFLICT: &str = "UPDATE outbox SET state = 'conflict', last_error = ?1, updated_at = ?2 WHERE entity_id = ?3 AND +state = 'pending'";

pub(crate) fn read_op(r: &Row<'_>) -> rusqlite::Result<StoreResult<OutboxOp>> {
    let entity: String = r.get(1)?;
    let op: String = r.get(4)?;
    let payload: String = r.get(5)?;
    let state: String = r.get(6)?;
    let seq: i64 = r.get(0)?;
    let (Some(entity), Some(state)) = (Entity::parse(&entity), OpState::parse(&state)) else {
        return Ok(Err(StoreError::Damaged(format!("queued change {seq}"))));
    };
    Ok(Change::from_row(&op, &payload).and_then(|change| {
        Ok(OutboxOp {
            seq,
            entity,
            entity_id: r.get(2)?,
            parent_id: r.get(3)?,
            change,
            state,
            attempts: r.get(7)?,
            next_attempt_at: r.get(8)?,
            last_error: r.get(9)?,
            created_at: r.get(10)?,
            sent_at: r.get(11)?,
        })
    }))
}

/// Runs `sql` (selecting [`COLUMNS`]) and reads every operation it returns.
pub(crate) fn query_ops(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> StoreResult<Vec<OutboxOp>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, read_op)?;
    let mut ops = Vec::new();
    for row in rows {
        ops.push(row??);
    }
    Ok(ops)
}

pub(crate) fn get_op(conn: &Connection, seq: i64) -> StoreResult<OutboxOp> {
    query_ops(
        conn,
        &format!("SELECT {COLUMNS} FROM outbox WHERE seq = ?1"),
        [seq],
    )?
    .pop()
    .ok_or_else(|| StoreError::NotFound(format!("queued change {seq}")))
}

/// Refuses to touch an operation whose request may be on its way: its outcome decides.
pub(crate) fn not_in_flight(op: &OutboxOp) -> StoreResult<()> {
    if op.state == OpState::Sending {
        return Err(StoreError::InvalidState(
            "that change is being sent right now; wait for HighLevel's answer".into(),
        ));
    }
    Ok(())
}

pub(crate) fn set_state(
    tx: &Transaction<'_>,
    seq: i64,
    state: OpState,
    error: Option<&str>,
    next_at: i64,
    now: i64,
) -> StoreResult<()> {
    execute_cached(tx,
        "UPDATE outbox SET state = ?1, last_error = ?2, next_attempt_at = ?3, updated_at = ?4 WHERE seq = ?5",
        params![state.as_str(), error, next_at, now, seq],
    )?;
    Ok(())
}

pub(crate) fn set_change(
    tx: &Transaction<'_>,
    seq: i64,
    change: &Change,
    now: i64,
) -> StoreResult<()> {
    execute_cached(
        tx,
        "UPDATE outbox SET payload = ?1, updated_at = ?2 WHERE seq = ?3",
        params![change.to_json(), now, seq],
    )?;
    Ok(())
}

/// What GHL last said about a record.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Synced {
    /// The record's fields as far as they are known.
    pub record: Map<String, Value>,
    /// Fields whose stored value is not confirmed.
    pub unknown: BTreeSet<String>,
}

impl Synced {
    /// What GHL is known to hold for `field`.
    pub fn ghl(&self, field: &str) -> Ghl<'_> {
        if self.unknown.contains(field) {
            Ghl::Unknown
        } else {
            Ghl::Known(self.record.get(field).unwrap_or(&Value::Null))
        }
    }

    /// The record's `dateUpdated`, its version.
    pub fn version(&self) -> Option<&str> {
        self.record.get("dateUpdated").and_then(Value::as_str)
    }
}

/// What GHL last said about a record, if anything.
pub(crate) fn synced(conn: &Connection, entity: Entity, id: &str) -> StoreResult<Option<Synced>> {
    let unknown = if entity == Entity::Contact {
        "unknown"
    } else {
        "'[]'"
    };
    let row: Option<(String, String)> = conn
        .prepare_cached(&format!(
            "SELECT raw, {unknown} FROM {} WHERE id = ?1",
            entity.synced_table()
        ))?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(raw, unknown)| {
        Ok(Synced {
            record: match serde_json::from_str::<Value>(&raw)? {
                Value::Object(map) => map,
                _ => Map::new(),
            },
            unknown: serde_json::from_str(&unknown)?,
        })
    })
    .transpose()
}

/// Writes what GHL said about a record, replacing what was known.
pub(crate) fn store_synced(
    tx: &Transaction<'_>,
    entity: Entity,
    id: &str,
    parent: Option<&str>,
    synced: &Synced,
) -> StoreResult<()> {
    let raw = Value::Object(synced.record.clone()).to_string();
    match entity {
        Entity::Contact => {
            execute_cached(tx,
                "INSERT INTO synced_contacts (id, raw, date_updated, unknown) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET raw = excluded.raw, date_updated = excluded.date_updated, unknown = excluded.unknown, remote_deleted = 0",
                params![id, raw, synced.version(), serde_json::to_string(&synced.unknown)?],
            )?;
        }
        Entity::Note | Entity::Task => {
            let contact = synced
                .record
                .get("contactId")
                .and_then(Value::as_str)
                .or(parent)
                .unwrap_or_default();
            execute_cached(tx,
                &format!("INSERT INTO {} (id, contact_id, raw) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, raw = excluded.raw, remote_deleted = 0", entity.synced_table()),
                params![id, contact, raw],
            )?;
        }
    }
    Ok(())
}

/// Whether GHL deleted a record that the user still has changes queued for.
pub(crate) fn remote_deleted(conn: &Connection, entity: Entity, id: &str) -> StoreResult<bool> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT remote_deleted FROM {} WHERE id = ?1",
            entity.synced_table()
        ))?
        .query_row([id], |r| r.get::<_, i64>(0))
        .optional()?
        == Some(1))
}

/// Forgets what GHL said about a record (and, for a contact, about its children).
pub(crate) fn forget_synced(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<()> {
    execute_cached(
        tx,
        &format!("DELETE FROM {} WHERE id = ?1", entity.synced_table()),
        [id],
    )?;
    if entity == Entity::Contact {
        execute_cached(tx, "DELETE FROM synced_notes WHERE contact_id = ?1", [id])?;
        execute_cached(tx, "DELETE FROM synced_tasks WHERE contact_id = ?1", [id])?;
        execute_cached(
            tx,
            "DELETE FROM notes WHERE contact_id = ?1 AND pending = 0",
            [id],
        )?;
        execute_cached(
            tx,
            "DELETE FROM tasks WHERE contact_id = ?1 AND pending = 0",
            [id],
        )?;
        execute_cached(tx, "DELETE FROM appointments WHERE contact_id = ?1", [id])?;
        execute_cached(
            tx,
            "DELETE FROM children_freshness WHERE contact_id = ?1",
            [id],
        )?;
    }
    Ok(())
}

impl Store {
    /// Every queued operation, in order.
    pub fn outbox(&self) -> StoreResult<Vec<OutboxOp>> {
        query_ops(
            &self.conn,
            &format!("SELECT {COLUMNS} FROM outbox ORDER BY seq"),
            [],
        )
    }

    /// The queued operations of one record, in order.
    pub fn ops_for(&self, entity_id: &str) -> StoreResult<Vec<OutboxOp>> {
        query_ops(
            &self.conn,
            &format!("SELECT {COLUMNS} FROM outbox WHERE entity_id = ?1 ORDER BY seq"),
            [entity_id],
        )
    }

    /// One queued operation.
    pub fn outbox_op(&self, seq: i64) -> StoreResult<OutboxOp> {
        get_op(&self.conn, seq)
    }

    /// Counts for the top bar.
    pub fn outbox_counts(&self) -> StoreResult<OutboxCounts> {
        Ok(self.conn.prepare_cached("SELECT coalesce(sum(state IN ('pending', 'sending')), 0), coalesce(sum(state = 'rejected'), 0),
                    coalesce(sum(state IN ('conflict', 'uncertain')), 0), coalesce(sum(state = 'pending' AND next_attempt_at > ?1), 0)
             FROM outbox")?.query_row(
            [self.now()],
            |r| {
                Ok(OutboxCounts {
                    pending: r.get(0)?,
                    rejected: r.get(1)?,
                    conflicts: r.get(2)?,
                    waiting_for_retry: r.get(3)?,
                })
            },
        )?)
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
        Ok(self.conn.prepare_cached("SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending' AND next_attempt_at > ?1")?.query_row(
            [now],
            |r| r.get(0),
        )?)
    }

    /// GHL's id for a local id that has been mapped.
    pub fn server_id(&self, local_id: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT server_id FROM id_map WHERE local_id = ?1")?
            .query_row([local_id], |r| r.get(0))
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_records_unsent_operations_are_found_through_its_own_index() {
        let store = Store::open_in_memory().unwrap();
        for sql in [
            DROP_UNSENT,
            UNSENT_CHILDREN,
            DROP_UNSENT_CHILDREN,
            UNSENT_CREATE,
            UNSENT_TO_CONFLICT,
        ] {
            let mut stmt = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let mut rows = stmt.raw_query();
            let mut plan = Vec::new();
            while let Some(row) = rows.next().unwrap() {
                plan.push(row.get::<_, String>(3).unwrap());
            }
            assert!(
                plan.iter()
                    .any(|step| step.contains("outbox_by_entity")
                        || step.contains("outbox_by_parent")),
                "{sql}: {plan:?}"
            );
        }
    }
}
