//! What a pull writes: GHL's records into server truth, then the view recomputed with
//! pending intent on top, so a pull never loses a local edit. Records GHL deleted are
//! forgotten, except those with pending edits, which become conflicts for the user.

use std::collections::HashSet;

use rusqlite::{params, Transaction};
use serde_json::Value;

use crate::{
    db::Store, edits::log_activity, error::StoreResult, model::Entity, outbox::forget_synced, view,
};

fn pending_ops(tx: &Transaction<'_>, id: &str) -> StoreResult<i64> {
    Ok(tx.query_row(
        "SELECT count(*) FROM outbox WHERE entity_id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// Forgets a record GHL no longer has; if the user has pending changes to it, keeps it
/// and turns those changes into a conflict instead.
fn remote_delete(tx: &Transaction<'_>, entity: Entity, id: &str, now: i64) -> StoreResult<()> {
    let table = entity.synced_table();
    if pending_ops(tx, id)? > 0 {
        tx.execute(
            &format!("UPDATE {table} SET remote_deleted = 1 WHERE id = ?1"),
            [id],
        )?;
        tx.execute(
            "UPDATE outbox SET state = 'conflict', last_error = ?1, updated_at = ?2 WHERE entity_id = ?3 AND state = 'pending'",
            params![format!("This {} was deleted in HighLevel", entity.as_str()), now, id],
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

fn record_id(record: &Value) -> Option<&str> {
    record["id"]
        .as_str()
        .or(record["_id"].as_str())
        .filter(|s| !s.is_empty())
}

impl Store {
    /// Stores contacts as GHL returned them (raw JSON kept) and refreshes their view rows.
    pub fn apply_contacts(&mut self, records: &[Value]) -> StoreResult<usize> {
        let tx = self.write_tx()?;
        let mut n = 0;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO synced_contacts (id, raw, date_updated) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET raw = excluded.raw, date_updated = excluded.date_updated, remote_deleted = 0",
            )?;
            for record in records {
                let Some(id) = record_id(record) else {
                    continue;
                };
                upsert.execute(params![
                    id,
                    record.to_string(),
                    record["dateUpdated"].as_str()
                ])?;
                view::contact(&tx, id)?;
                n += 1;
            }
        }
        tx.commit()?;
        Ok(n)
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

    /// A contact's complete list of notes or tasks from GHL: stored, and those no longer
    /// listed treated as deleted in GHL.
    pub fn apply_children(
        &mut self,
        entity: Entity,
        contact_id: &str,
        records: &[Value],
    ) -> StoreResult<()> {
        let table = match entity {
            Entity::Note => "synced_notes",
            Entity::Task => "synced_tasks",
            Entity::Contact => return Ok(()),
        };
        let now = self.now();
        let tx = self.write_tx()?;
        let listed: HashSet<&str> = records.iter().filter_map(record_id).collect();
        let known: Vec<String> = tx
            .prepare(&format!("SELECT id FROM {table} WHERE contact_id = ?1"))?
            .query_map([contact_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for gone in known.iter().filter(|id| !listed.contains(id.as_str())) {
            remote_delete(&tx, entity, gone, now)?;
        }
        for record in records {
            let Some(id) = record_id(record) else {
                continue;
            };
            tx.execute(
                &format!("INSERT INTO {table} (id, contact_id, raw) VALUES (?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, raw = excluded.raw, remote_deleted = 0"),
                params![id, contact_id, record.to_string()],
            )?;
            view::refresh(&tx, entity, id)?;
        }
        let column = if entity == Entity::Note {
            "notes_at"
        } else {
            "tasks_at"
        };
        tx.execute(
            &format!("INSERT INTO children_freshness (contact_id, {column}) VALUES (?1, ?2) ON CONFLICT (contact_id) DO UPDATE SET {column} = excluded.{column}"),
            params![contact_id, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Appointments from GHL (read-only in the app).
    pub fn apply_appointments(&mut self, records: &[Value]) -> StoreResult<()> {
        let tx = self.write_tx()?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO appointments (id, contact_id, calendar_id, title, start_time, end_time, status, raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, calendar_id = excluded.calendar_id, title = excluded.title,
                     start_time = excluded.start_time, end_time = excluded.end_time, status = excluded.status, raw = excluded.raw",
            )?;
            for r in records {
                let Some(id) = record_id(r) else { continue };
                upsert.execute(params![
                    id,
                    r["contactId"].as_str(),
                    r["calendarId"].as_str(),
                    r["title"].as_str(),
                    r["startTime"].as_str(),
                    r["endTime"].as_str(),
                    r["appointmentStatus"].as_str().or(r["status"].as_str()),
                    r.to_string()
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
