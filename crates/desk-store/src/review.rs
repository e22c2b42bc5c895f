//! Queued changes as the user reviews them: each described (the contact, the fields
//! with GHL's value before and the user's after, the clashing fields of a conflict), and
//! what the user decides: discard, send again, or settle a conflict field by field.

use rusqlite::{params, Connection};
use serde_json::Value;

use crate::{
    change::{Base, Change, FieldChange},
    db::Store,
    edits::{display_name, log_activity},
    error::{StoreError, StoreResult},
    merge::{field_verdict, Ghl, Verdict},
    model::{Entity, FieldChoice, FieldDiff, OpKind, OpState, OutboxOp, PendingChange},
    queue::{
        forget_synced, get_op, not_in_flight, remote_deleted, set_change, set_state, synced, Synced,
    },
    view,
};

/// A value as people read it: text as is, nothing as empty, anything else as JSON.
pub(crate) fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The fields of an update that clash with what GHL holds now (a field whose current
/// value is not known counts: the user should see it).
pub(crate) fn clashing_fields(change: &Change, ghl: &Synced) -> Vec<String> {
    let Change::Update { fields } = change else {
        return Vec::new();
    };
    fields
        .iter()
        .filter(|(name, field)| field_verdict(field, ghl.ghl(name), ghl.version()) != Verdict::Send)
        .map(|(name, _)| name.clone())
        .collect()
}

fn describe(op: &OutboxOp) -> String {
    let what = op.entity.as_str();
    match &op.change {
        Change::Create { fields } => {
            let names: Vec<&str> = fields.keys().map(String::as_str).collect();
            format!("New {what} ({})", names.join(", "))
        }
        Change::Update { fields } => {
            let names: Vec<&str> = fields.keys().map(String::as_str).collect();
            format!("Changed {what}: {}", names.join(", "))
        }
        Change::Delete => format!("Deleted {what}"),
        Change::Tags { add, remove } => match (add.is_empty(), remove.is_empty()) {
            (false, true) => format!("Added tags: {}", add.join(", ")),
            (true, false) => format!("Removed tags: {}", remove.join(", ")),
            _ => format!(
                "Added tags: {}; removed: {}",
                add.join(", "),
                remove.join(", ")
            ),
        },
    }
}

fn diffs(change: &Change) -> Vec<FieldDiff> {
    match change {
        Change::Create { fields } => fields
            .iter()
            .filter(|(name, _)| name.as_str() != "tags")
            .map(|(name, value)| FieldDiff {
                field: name.clone(),
                before: Some(String::new()),
                after: shown(value),
            })
            .collect(),
        Change::Update { fields } => fields
            .iter()
            .map(|(name, field)| FieldDiff {
                field: name.clone(),
                before: match &field.base {
                    Base::Known(value) => Some(shown(value)),
                    Base::Unknown { .. } => None,
                },
                after: shown(&field.value),
            })
            .collect(),
        Change::Delete | Change::Tags { .. } => Vec::new(),
    }
}

fn describe_for_review(conn: &Connection, op: OutboxOp, now: i64) -> StoreResult<PendingChange> {
    let contact_id = match op.entity {
        Entity::Contact => Some(op.entity_id.clone()),
        Entity::Note | Entity::Task => op.parent_id.clone(),
    };
    let contact_name = match &contact_id {
        Some(id) => display_name(conn, id)?,
        None => "a contact".into(),
    };
    let ghl = synced(conn, op.entity, &op.entity_id)?.unwrap_or_default();
    let choices = if op.state == OpState::Conflict {
        clashing_fields(&op.change, &ghl)
            .into_iter()
            .map(|name| FieldChoice {
                mine: op.change.values().get(&name).map(shown).unwrap_or_default(),
                ghl: match ghl.ghl(&name) {
                    Ghl::Known(value) => shown(value),
                    Ghl::Unknown => "(not known yet)".into(),
                },
                field: name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let (tags_added, tags_removed) = match &op.change {
        Change::Tags { add, remove } => (add.clone(), remove.clone()),
        Change::Create { fields } => (
            fields
                .get("tags")
                .and_then(Value::as_array)
                .map(|tags| tags.iter().map(shown).collect())
                .unwrap_or_default(),
            Vec::new(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    Ok(PendingChange {
        seq: u32::try_from(op.seq).unwrap_or(u32::MAX),
        summary: describe(&op),
        fields: diffs(&op.change),
        retry_at: (op.state == OpState::Pending && op.next_attempt_at > now)
            .then_some(op.next_attempt_at),
        entity: op.entity,
        entity_id: op.entity_id,
        contact_id,
        contact_name,
        op: op.change.kind(),
        state: op.state,
        last_error: op.last_error,
        attempts: u32::try_from(op.attempts).unwrap_or(u32::MAX),
        created_at: op.created_at,
        tags_added,
        tags_removed,
        choices,
    })
}

impl Store {
    /// Every queued change, described for people, in queue order.
    pub fn pending_changes(&self) -> StoreResult<Vec<PendingChange>> {
        self.described(self.outbox()?)
    }

    /// The first `limit` queued changes as the review screen lists them: those waiting
    /// for the user (refused, conflicting, uncertain) first, then the rest, each in queue
    /// order. A bulk edit of every match queues one change per contact; the screen reads
    /// a page of them, not tens of thousands at every sync.
    pub fn changes_to_review(&self, limit: usize) -> StoreResult<Vec<PendingChange>> {
        self.described(crate::queue::query_ops(
            &self.conn,
            &format!(
                "SELECT {} FROM outbox ORDER BY state IN ('pending', 'sending'), seq LIMIT ?1",
                crate::queue::COLUMNS
            ),
            [i64::try_from(limit).unwrap_or(i64::MAX)],
        )?)
    }

    /// The queued changes of one contact and of its notes and tasks, oldest first (the
    /// contact pane marks the fields they set).
    pub fn pending_changes_of(&self, contact_id: &str) -> StoreResult<Vec<PendingChange>> {
        self.described(crate::queue::query_ops(
            &self.conn,
            &format!(
                "SELECT {} FROM outbox WHERE entity_id = ?1 OR parent_id = ?1 ORDER BY seq",
                crate::queue::COLUMNS
            ),
            [contact_id],
        )?)
    }

    /// Queued operations described for people, as of now.
    fn described(&self, ops: Vec<OutboxOp>) -> StoreResult<Vec<PendingChange>> {
        let now = self.now();
        ops.into_iter()
            .map(|op| describe_for_review(&self.conn, op, now))
            .collect()
    }

    /// Sends a refused or uncertain change again on the next sync (after the user fixed
    /// what GHL refused, or checked that an uncertain create is not in GHL), or a change
    /// waiting for its retry at once.
    pub fn retry_now(&mut self, seq: i64) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        let op = get_op(&tx, seq)?;
        not_in_flight(&op)?;
        if op.state == OpState::Conflict {
            return Err(StoreError::InvalidState(
                "this change conflicts with HighLevel: keep yours or HighLevel's instead".into(),
            ));
        }
        set_state(&tx, seq, OpState::Pending, None, 0, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Settles a conflict in favour of the user's values for every field.
    pub fn keep_mine(&mut self, seq: i64) -> StoreResult<()> {
        self.resolve_conflict(seq, &[])
    }

    /// Settles a conflict in favour of GHL's values for the clashing fields; the
    /// user's other fields are still sent.
    pub fn keep_ghl(&mut self, seq: i64) -> StoreResult<()> {
        let op = get_op(&self.conn, seq)?;
        if op.state != OpState::Conflict {
            return Err(StoreError::InvalidState(format!(
                "queued change {seq} is not a conflict"
            )));
        }
        if op.kind() != OpKind::Update || remote_deleted(&self.conn, op.entity, &op.entity_id)? {
            return self.discard(seq);
        }
        let ghl = synced(&self.conn, op.entity, &op.entity_id)?.unwrap_or_default();
        self.resolve_conflict(seq, &clashing_fields(&op.change, &ghl))
    }

    /// Settles a conflict field by field: the fields in `take_ghl` leave the change
    /// (the record shows GHL's values); the others are rebased on GHL's current values
    /// and sent on the next sync. An update left with no field is dropped. Only a
    /// change in conflict can be settled this way.
    pub fn resolve_conflict(&mut self, seq: i64, take_ghl: &[String]) -> StoreResult<()> {
        let op = get_op(&self.conn, seq)?;
        if op.state != OpState::Conflict {
            return Err(StoreError::InvalidState(format!(
                "queued change {seq} is not a conflict"
            )));
        }
        let message = if take_ghl.is_empty() {
            "Kept your version of a conflicting change".to_owned()
        } else {
            format!("Kept HighLevel's {}", take_ghl.join(", "))
        };
        self.rebase(seq, take_ghl, &message)
    }

    /// Drops `take_ghl` from a queued update and rebases its other fields on what GHL
    /// holds now, so that they are sent without clashing again; the change goes back
    /// to pending (or away, when no field is left).
    pub(crate) fn rebase(
        &mut self,
        seq: i64,
        take_ghl: &[String],
        message: &str,
    ) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        let op = get_op(&tx, seq)?;
        not_in_flight(&op)?;
        if remote_deleted(&tx, op.entity, &op.entity_id)? {
            return Err(StoreError::InvalidState(format!(
                "this {} was deleted in HighLevel: discard the change, or create it again",
                op.entity.as_str()
            )));
        }
        let ghl = synced(&tx, op.entity, &op.entity_id)?.unwrap_or_default();
        let change = match op.change {
            Change::Update { mut fields } => {
                if let Some(unknown) = take_ghl.iter().find(|f| !fields.contains_key(*f)) {
                    return Err(StoreError::field(
                        unknown,
                        "this change does not set that field",
                    ));
                }
                fields.retain(|name, _| !take_ghl.contains(name));
                for (name, field) in fields.iter_mut() {
                    *field = FieldChange {
                        value: field.value.clone(),
                        base: match ghl.ghl(name) {
                            Ghl::Known(value) => Base::Known(value.clone()),
                            Ghl::Unknown => Base::Unknown {
                                since: ghl.version().map(str::to_owned),
                            },
                        },
                    };
                }
                Change::Update { fields }
            }
            other => other,
        };
        let empty = matches!(&change, Change::Update { fields } if fields.is_empty());
        if empty {
            tx.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
        } else {
            set_change(&tx, seq, &change, now)?;
            set_state(&tx, seq, OpState::Pending, None, 0, now)?;
        }
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
        Ok(())
    }

    /// Drops a change; the record goes back to GHL's version. Discarding a create drops
    /// the record with everything queued for it and, for a contact, its children.
    pub fn discard(&mut self, seq: i64) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        let op = get_op(&tx, seq)?;
        not_in_flight(&op)?;
        if op.kind() == OpKind::Create {
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
            let remote_deleted = remote_deleted(&tx, op.entity, &op.entity_id)?;
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
}
