//! The outbox as the sync engine drives it: which operations are ready, marking them
//! sent, and recording how each ended (GHL's acknowledgement with the atomic local-id →
//! GHL-id remap for creates, a retry later, a rejection, a conflict, or a create whose
//! outcome the user must settle). Only [`SyncStore`] offers these.

use rusqlite::{params, Transaction};
use serde_json::{Map, Value};

use crate::{
    db::SyncStore,
    edits::{is_local_id, log_activity},
    error::{StoreError, StoreResult},
    model::{Entity, OpKind, OpState, OutboxOp},
    queue::{forget_synced, get_op, query_ops, set_state, store_synced, synced, Synced, COLUMNS},
    view,
};

/// GHL's answer to a sent operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Ack {
    /// The whole record as GHL now holds it (creates and updates answer with it).
    Record(Map<String, Value>),
    /// The contact's tags after a tags change.
    Tags(Vec<String>),
    /// The record is gone (deletes; also an update whose record GHL no longer has).
    Deleted,
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
        for sql in [
            "UPDATE notes SET contact_id = ?1 WHERE contact_id = ?2",
            "UPDATE tasks SET contact_id = ?1 WHERE contact_id = ?2",
            "UPDATE outbox SET parent_id = ?1 WHERE parent_id = ?2",
        ] {
            tx.execute(sql, params![server, local])?;
        }
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

impl SyncStore {
    /// The operations to send now: for each record, its earliest queued operation, if
    /// pending and due, and if it refers to no record GHL does not have yet (a note
    /// waits for its new contact). A record whose first operation is in flight, rejected,
    /// in conflict or uncertain holds back its later operations and nothing else. A
    /// contact's deletion also waits while a note or task of it is in flight (sent by
    /// this process or another): GHL gets the child first, then the deletion.
    pub fn ready_ops(&self, now: i64) -> StoreResult<Vec<OutboxOp>> {
        let ops = query_ops(
            &self.conn,
            &format!(
                "SELECT {COLUMNS} FROM outbox o WHERE seq = (SELECT min(seq) FROM outbox WHERE entity = o.entity AND entity_id = o.entity_id)
                 AND state = 'pending' AND next_attempt_at <= ?1
                 AND NOT (o.op = 'delete' AND EXISTS (SELECT 1 FROM outbox c WHERE c.parent_id = o.entity_id AND c.state = 'sending'))
                 ORDER BY seq"
            ),
            [now],
        )?;
        Ok(ops
            .into_iter()
            .filter(|op| op.parent_id.as_deref().is_none_or(|p| !is_local_id(p)))
            .filter(|op| op.kind() == OpKind::Create || !is_local_id(&op.entity_id))
            .collect())
    }

    /// Operations marked sent whose outcome is unknown (the process sending them died):
    /// the engine looks each record up before sending any again.
    pub fn in_flight(&self) -> StoreResult<Vec<OutboxOp>> {
        query_ops(
            &self.conn,
            &format!("SELECT {COLUMNS} FROM outbox WHERE state = 'sending' ORDER BY seq"),
            [],
        )
    }

    /// Marks operations as being sent, in one durable write before any request leaves,
    /// so that a crash leaves a trace; all are marked or none. No attempt is counted
    /// yet: only a request that actually left counts (see [`SyncStore::retry_later`]).
    pub fn begin_sends(&mut self, seqs: &[i64]) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        {
            let mut mark = tx.prepare_cached(
                "UPDATE outbox SET state = 'sending', sent_at = ?1, updated_at = ?1 WHERE seq = ?2 AND state = 'pending'",
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
    /// queue and, for a create, the local id becomes GHL's everywhere. Returns the
    /// record's id (GHL's, after a create).
    pub fn complete(&mut self, seq: i64, ack: Ack) -> StoreResult<String> {
        let now = self.now();
        let tx = self.write_tx()?;
        let op = get_op(&tx, seq)?;
        let mut id = op.entity_id.clone();
        tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
        match ack {
            Ack::Record(record) => {
                if op.kind() == OpKind::Create {
                    let server = record
                        .get("id")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .ok_or_else(|| {
                            StoreError::InvalidState(
                                "GHL's answer to a create carried no id".into(),
                            )
                        })?
                        .to_owned();
                    remap(&tx, op.entity, &op.entity_id, &server, now)?;
                    id = server;
                }
                let whole = Synced {
                    record,
                    unknown: Default::default(),
                };
                store_synced(&tx, op.entity, &id, op.parent_id.as_deref(), &whole)?;
            }
            Ack::Tags(tags) => {
                if let Some(mut known) = synced(&tx, Entity::Contact, &id)? {
                    known.record.insert("tags".into(), tags.into());
                    known.unknown.remove("tags");
                    store_synced(&tx, Entity::Contact, &id, None, &known)?;
                }
            }
            Ack::Deleted => forget_synced(&tx, op.entity, &id)?,
        }
        view::refresh(&tx, op.entity, &id)?;
        tx.commit()?;
        Ok(id)
    }

    /// A sent operation failed in a way worth retrying (network, 5xx, 429): back to
    /// pending until `next_at`, one attempt counted.
    pub fn retry_later(&mut self, seq: i64, error: &str, next_at: i64) -> StoreResult<()> {
        self.settle(seq, OpState::Pending, error, next_at, true, None)
    }

    /// An operation marked for sending whose request never left (the sync stopped, or
    /// its process died before sending it): back to pending, no attempt counted.
    pub fn put_back(&mut self, seq: i64, why: &str) -> StoreResult<()> {
        self.settle(seq, OpState::Pending, why, 0, false, None)
    }

    /// GHL refused the operation: it waits for the user, holding back only its record.
    pub fn reject(&mut self, seq: i64, message: &str) -> StoreResult<()> {
        self.settle(seq, OpState::Rejected, message, 0, true, Some("error"))
    }

    /// The same field changed in GHL: the operation waits for the user's decision.
    pub fn mark_conflict(&mut self, seq: i64, message: &str) -> StoreResult<()> {
        self.settle(seq, OpState::Conflict, message, 0, false, Some("conflict"))
    }

    /// A create whose outcome is unknown and that GHL's records cannot settle (no
    /// match, or several): the user checks GHL and sends it again or discards it.
    pub fn mark_uncertain(&mut self, seq: i64, message: &str) -> StoreResult<()> {
        self.settle(seq, OpState::Uncertain, message, 0, true, Some("error"))
    }

    fn settle(
        &mut self,
        seq: i64,
        state: OpState,
        message: &str,
        next_at: i64,
        attempted: bool,
        log: Option<&str>,
    ) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        let op = get_op(&tx, seq)?;
        set_state(&tx, seq, state, Some(message), next_at, now)?;
        if attempted {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?1",
                [seq],
            )?;
        }
        if let Some(kind) = log {
            log_activity(
                &tx,
                now,
                kind,
                Some(op.entity),
                Some(&op.entity_id),
                message,
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// A queued update of a contact that GHL's current record clashes with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// The update.
    pub seq: i64,
    /// Fields GHL changed to something else since the user's base.
    pub fields: Vec<String>,
    /// Fields whose current value in GHL is not known: read the record first.
    pub unknown: Vec<String>,
}

impl SyncStore {
    /// The pending updates of `id` that clash with what GHL is known to hold now, by
    /// the three-way rule ([`crate::merge::field_verdict`]).
    pub fn clashes(&self, entity: Entity, id: &str) -> StoreResult<Vec<Clash>> {
        let Some(ghl) = synced(&self.conn, entity, id)? else {
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        for op in self.ops_for(id)? {
            let (OpState::Pending, crate::Change::Update { fields }) = (op.state, &op.change)
            else {
                continue;
            };
            let mut clash = Clash {
                seq: op.seq,
                fields: Vec::new(),
                unknown: Vec::new(),
            };
            for (name, field) in fields {
                match crate::merge::field_verdict(field, ghl.ghl(name), ghl.version()) {
                    crate::merge::Verdict::Send => {}
                    crate::merge::Verdict::Clash => clash.fields.push(name.clone()),
                    crate::merge::Verdict::ReadFirst => clash.unknown.push(name.clone()),
                }
            }
            if !clash.fields.is_empty() || !clash.unknown.is_empty() {
                found.push(clash);
            }
        }
        Ok(found)
    }

    /// Settles a clash by the account's policy in GHL's favour (its clashing fields
    /// leave the change) or the user's (every field rebased on GHL's current value);
    /// the other fields are sent either way.
    pub fn settle_clash(&mut self, clash: &Clash, prefer_ghl: bool) -> StoreResult<()> {
        let fields = if prefer_ghl {
            clash.fields.as_slice()
        } else {
            &[]
        };
        let message = if prefer_ghl {
            format!(
                "Changed in HighLevel too: kept HighLevel's {} (your merge policy)",
                clash.fields.join(", ")
            )
        } else {
            format!(
                "Changed in HighLevel too: kept your {} (your merge policy)",
                clash.fields.join(", ")
            )
        };
        self.rebase(clash.seq, fields, &message)
    }

    /// Remembers a record GHL sent that could not be read (so the next syncs neither
    /// report it again nor mistake the count for a deletion), logging it the first
    /// time. `key` is its id, or a stand-in for a record without one.
    pub fn note_unreadable(&mut self, kind: &str, key: &str, reason: &str) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        let new = tx.execute(
            "INSERT INTO unreadable (kind, key, reason, seen_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (kind, key) DO UPDATE SET reason = excluded.reason, seen_at = excluded.seen_at
             WHERE unreadable.reason IS NOT excluded.reason",
            params![kind, key, reason, now],
        )? > 0;
        if new {
            log_activity(
                &tx,
                now,
                "error",
                None,
                None,
                &format!("Skipped a {kind} HighLevel sent that cannot be read ({key}): {reason}"),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Forgets that records could be read no more: they came back readable, or GHL no
    /// longer has them.
    pub fn forget_unreadable(&mut self, kind: &str, keys: &[String]) -> StoreResult<()> {
        let tx = self.write_tx()?;
        for key in keys {
            tx.execute(
                "DELETE FROM unreadable WHERE kind = ?1 AND key = ?2",
                params![kind, key],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The keys of records of `kind` remembered as unreadable.
    pub fn unreadable(&self, kind: &str) -> StoreResult<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key FROM unreadable WHERE kind = ?1 ORDER BY key")?;
        let keys = stmt
            .query_map([kind], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(keys)
    }
}
