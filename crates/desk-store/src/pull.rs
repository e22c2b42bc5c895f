//! What a pull writes: GHL's records into server truth, then the view recomputed with
//! pending intent on top, so a pull never loses a local edit. A partial answer (a search
//! item) only replaces the fields it carries; the others keep their value and, when the
//! record changed since, are marked unknown until a full read. Records GHL deleted are
//! forgotten, except those with pending edits, which become conflicts for the user.

use std::collections::{BTreeSet, HashSet};

use rusqlite::{params, Transaction};
use serde_json::{Map, Value};

use crate::{
    db::execute_cached,
    db::SyncStore,
    edits::log_activity,
    error::StoreResult,
    model::{Carried, Entity, Pulled},
    queue::{self, forget_synced, store_synced, synced, Synced},
    validate::FIELDS,
    view,
};

fn pending_ops(tx: &Transaction<'_>, id: &str) -> StoreResult<i64> {
    Ok(tx
        .prepare_cached("SELECT count(*) FROM outbox WHERE entity_id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// Forgets a record GHL no longer has; if the user has pending changes to it, keeps it
/// and turns those changes into a conflict instead.
fn remote_delete(tx: &Transaction<'_>, entity: Entity, id: &str, now: i64) -> StoreResult<()> {
    let table = entity.synced_table();
    if pending_ops(tx, id)? > 0 {
        execute_cached(
            tx,
            &format!("UPDATE {table} SET remote_deleted = 1 WHERE id = ?1"),
            [id],
        )?;
        execute_cached(
            tx,
            queue::UNSENT_TO_CONFLICT,
            params![
                format!("This {} was deleted in HighLevel", entity.as_str()),
                now,
                id
            ],
        )?;
        log_activity(
            tx,
            now,
            "conflict",
            Some(entity),
            Some(id),
            &format!("A {} you changed was deleted in HighLevel", entity.as_str()),
        )?;
    } else {
        forget_synced(tx, entity, id)?;
    }
    view::refresh(tx, entity, id)
}

fn record_id(record: &Map<String, Value>) -> Option<&str> {
    record
        .get("id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Merges what one answer says about a contact into what was known: a full record
/// replaces everything; a partial one replaces the fields it carries (absent ones among
/// them are empty) and keeps the others, which become unknown if the record changed
/// since (or was never read in full).
pub(crate) fn merge_pulled(known: Option<Synced>, pulled: &Pulled) -> Synced {
    let Carried::Only(carried) = &pulled.carried else {
        return Synced {
            record: pulled.record.clone(),
            unknown: BTreeSet::new(),
        };
    };
    let editable = FIELDS.iter().map(|f| f.name);
    let new_version = pulled.record.get("dateUpdated").and_then(Value::as_str);
    let (mut record, mut unknown, moved) = match known {
        Some(known) => {
            let moved = known.version() != new_version;
            (known.record, known.unknown, moved)
        }
        None => (
            Map::new(),
            editable.clone().map(str::to_owned).collect(),
            true,
        ),
    };
    if moved {
        unknown.extend(
            editable
                .filter(|name| !carried.iter().any(|c| c == name))
                .map(str::to_owned),
        );
    }
    for name in carried {
        match pulled.record.get(name) {
            Some(value) => record.insert(name.clone(), value.clone()),
            None => record.remove(name),
        };
        unknown.remove(name);
    }
    for (name, value) in &pulled.record {
        if !FIELDS.iter().any(|f| f.name == name) {
            record.insert(name.clone(), value.clone());
        }
    }
    Synced { record, unknown }
}

impl SyncStore {
    /// Stores contacts as GHL returned them (raw JSON kept, partial answers merged) and
    /// refreshes their view rows; returns how many were stored. An answer older than
    /// what is stored (a read that crossed a send's answer) is left out.
    pub fn apply_contacts(&mut self, pulled: &[Pulled]) -> StoreResult<usize> {
        let tx = self.write_tx()?;
        let mut stored = Vec::new();
        for contact in pulled {
            let Some(id) = record_id(&contact.record) else {
                continue;
            };
            let known = synced(&tx, Entity::Contact, id)?;
            let answered = contact.record.get("dateUpdated").and_then(Value::as_str);
            if let (Some(stored), Some(answered)) =
                (known.as_ref().and_then(Synced::version), answered)
            {
                if stored > answered {
                    continue;
                }
            }
            let merged = merge_pulled(known, contact);
            store_synced(&tx, Entity::Contact, id, None, &merged)?;
            stored.push(id);
        }
        view::contacts(&tx, stored.iter().copied())?;
        tx.commit()?;
        Ok(stored.len())
    }

    /// Contacts GHL deleted.
    pub fn apply_contact_deletions(&mut self, ids: &[String]) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        for id in ids {
            remote_delete(&tx, Entity::Contact, id, now)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A contact's complete notes, tasks and appointments from GHL, in one transaction:
    /// stored, those of its notes and tasks no longer listed treated as deleted in GHL,
    /// and the contact's children marked fresh as of its current version. `None` for
    /// appointments leaves them alone (they came location-wide).
    pub fn apply_children(
        &mut self,
        contact_id: &str,
        notes: &[Map<String, Value>],
        tasks: &[Map<String, Value>],
        appointments: Option<&[Map<String, Value>]>,
    ) -> StoreResult<()> {
        let now = self.now();
        let tx = self.write_tx()?;
        for (entity, records) in [(Entity::Note, notes), (Entity::Task, tasks)] {
            let table = entity.synced_table();
            let listed: HashSet<&str> = records.iter().filter_map(record_id).collect();
            let known: Vec<String> = tx
                .prepare_cached(&format!("SELECT id FROM {table} WHERE contact_id = ?1"))?
                .query_map([contact_id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for gone in known.iter().filter(|id| !listed.contains(id.as_str())) {
                remote_delete(&tx, entity, gone, now)?;
            }
            for record in records {
                let Some(id) = record_id(record) else {
                    continue;
                };
                let whole = Synced {
                    record: record.clone(),
                    unknown: BTreeSet::new(),
                };
                store_synced(&tx, entity, id, Some(contact_id), &whole)?;
                view::refresh(&tx, entity, id)?;
            }
        }
        if let Some(appointments) = appointments {
            store_appointments(&tx, appointments)?;
        }
        execute_cached(&tx,
            "INSERT INTO children_freshness (contact_id, contact_date_updated, notes_at, tasks_at, appointments_at)
             SELECT ?1, (SELECT date_updated FROM synced_contacts WHERE id = ?1), ?2, ?2, ?2
             ON CONFLICT (contact_id) DO UPDATE SET contact_date_updated = excluded.contact_date_updated,
                 notes_at = ?2, tasks_at = ?2, appointments_at = ?2",
            params![contact_id, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Appointments from GHL (read-only in the app).
    pub fn apply_appointments(&mut self, records: &[Map<String, Value>]) -> StoreResult<()> {
        let tx = self.write_tx()?;
        store_appointments(&tx, records)?;
        tx.commit()?;
        Ok(())
    }
}

fn store_appointments(tx: &Transaction<'_>, records: &[Map<String, Value>]) -> StoreResult<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO appointments (id, contact_id, calendar_id, title, start_time, end_time, status, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, calendar_id = excluded.calendar_id, title = excluded.title,
             start_time = excluded.start_time, end_time = excluded.end_time, status = excluded.status, raw = excluded.raw",
    )?;
    let text =
        |r: &Map<String, Value>, key: &str| r.get(key).and_then(Value::as_str).map(str::to_owned);
    for r in records {
        let Some(id) = record_id(r) else { continue };
        upsert.execute(params![
            id,
            text(r, "contactId"),
            text(r, "calendarId"),
            text(r, "title"),
            text(r, "startTime"),
            text(r, "endTime"),
            text(r, "appointmentStatus").or_else(|| text(r, "status")),
            Value::Object(r.clone()).to_string()
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn partial(record: Value, carried: &[&str]) -> Pulled {
        Pulled {
            record: map(record),
            carried: Carried::Only(carried.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    #[test]
    fn a_partial_answer_replaces_only_what_it_carries() {
        let full = Pulled {
            record: map(
                json!({ "id": "c", "firstName": "Ada", "website": "ada.dev", "dateUpdated": "v1" }),
            ),
            carried: Carried::All,
        };
        let known = merge_pulled(None, &full);
        assert!(known.unknown.is_empty());
        let same_version = partial(
            json!({ "id": "c", "firstName": "Ada B", "dateUpdated": "v1" }),
            &["firstName"],
        );
        let merged = merge_pulled(Some(known.clone()), &same_version);
        assert_eq!(merged.record["firstName"], "Ada B");
        assert_eq!(merged.record["website"], "ada.dev");
        assert!(merged.unknown.is_empty(), "{:?}", merged.unknown);
        let moved = partial(
            json!({ "id": "c", "firstName": "Ada", "dateUpdated": "v2" }),
            &["firstName", "city"],
        );
        let merged = merge_pulled(Some(known), &moved);
        assert!(merged.unknown.contains("website"));
        assert!(
            !merged.unknown.contains("city"),
            "carried and absent: empty"
        );
        assert!(!merged.record.contains_key("city"));
        assert_eq!(
            merged.record["website"], "ada.dev",
            "the last known value stays"
        );
    }

    #[test]
    fn a_record_first_seen_in_a_partial_answer_knows_only_what_it_carried() {
        let first = merge_pulled(
            None,
            &partial(
                json!({ "id": "c", "email": "a@x.io", "dateUpdated": "v1" }),
                &["email", "phone"],
            ),
        );
        assert!(first.unknown.contains("address1"));
        assert!(!first.unknown.contains("email"));
        assert!(!first.unknown.contains("phone"));
    }
}
