//! Sync bookkeeping: cursors, per-scope fetch status (last attempt, last success, last
//! error) and when each contact's children were last fetched.

use rusqlite::{params, OptionalExtension};

use crate::{
    db::{Store, SyncStore},
    error::StoreResult,
    model::FetchStatus,
};

impl Store {
    /// A saved cursor (e.g. the newest `dateUpdated` a pull saw), if any.
    pub fn cursor(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM sync_cursors WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The fetch status of `scope`.
    pub fn fetch_status(&self, scope: &str) -> StoreResult<FetchStatus> {
        Ok(self
            .conn
            .query_row(
                "SELECT last_attempt, last_success, last_error FROM fetch_status WHERE scope = ?1",
                [scope],
                |r| {
                    Ok(FetchStatus {
                        last_attempt: r.get(0)?,
                        last_success: r.get(1)?,
                        last_error: r.get(2)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// How many contacts still wait for their notes, tasks and appointments.
    pub fn children_due_count(&self) -> StoreResult<u32> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM synced_contacts s LEFT JOIN children_freshness f ON f.contact_id = s.id
             WHERE s.remote_deleted = 0 AND (f.contact_id IS NULL OR f.notes_at IS NULL OR f.tasks_at IS NULL
                OR f.contact_date_updated IS NOT s.date_updated)",
            [],
            |r| r.get::<_, u32>(0),
        )?)
    }

    /// How many contacts GHL last reported (server truth, not the view).
    pub fn synced_contact_count(&self) -> StoreResult<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM synced_contacts WHERE remote_deleted = 0",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }
}

impl SyncStore {
    /// Saves a cursor.
    pub fn set_cursor(&mut self, name: &str, value: &str) -> StoreResult<()> {
        self.conn.execute("INSERT INTO sync_cursors (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value", params![name, value])?;
        Ok(())
    }

    /// Records how a sync cycle ended in the activity log: `problem` for a failure (a
    /// failure the same as the last one logged is not repeated), else what it did.
    pub fn log_sync(&mut self, summary: &str, problem: bool) -> StoreResult<()> {
        let now = self.now();
        let kind = if problem { "error" } else { "sync" };
        if problem {
            let last: Option<(String, String)> = self
                .conn
                .query_row(
                    "SELECT kind, summary FROM activity WHERE kind IN ('sync', 'error') AND entity IS NULL ORDER BY id DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if last.is_some_and(|(k, s)| k == kind && s == summary) {
                return Ok(());
            }
        }
        crate::edits::log_activity(&self.conn, now, kind, None, None, summary)
    }

    /// Records that a fetch of `scope` started.
    pub fn fetch_attempted(&mut self, scope: &str) -> StoreResult<()> {
        let now = self.now();
        self.conn.execute(
            "INSERT INTO fetch_status (scope, last_attempt) VALUES (?1, ?2) ON CONFLICT (scope) DO UPDATE SET last_attempt = excluded.last_attempt",
            params![scope, now],
        )?;
        Ok(())
    }

    /// Records that a fetch of `scope` succeeded (clearing its last error).
    pub fn fetch_succeeded(&mut self, scope: &str) -> StoreResult<()> {
        let now = self.now();
        self.conn.execute(
            "INSERT INTO fetch_status (scope, last_attempt, last_success) VALUES (?1, ?2, ?2)
             ON CONFLICT (scope) DO UPDATE SET last_success = excluded.last_success, last_error = NULL",
            params![scope, now],
        )?;
        Ok(())
    }

    /// Records that a fetch of `scope` failed.
    pub fn fetch_failed(&mut self, scope: &str, error: &str) -> StoreResult<()> {
        let now = self.now();
        self.conn.execute(
            "INSERT INTO fetch_status (scope, last_attempt, last_error) VALUES (?1, ?2, ?3)
             ON CONFLICT (scope) DO UPDATE SET last_error = excluded.last_error",
            params![scope, now, error],
        )?;
        Ok(())
    }

    /// Contacts whose notes or tasks were never fetched, or were fetched before the
    /// contact last changed in GHL, oldest first: what a pull should fetch next.
    pub fn contacts_needing_children(&self, limit: u32) -> StoreResult<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id FROM synced_contacts s LEFT JOIN children_freshness f ON f.contact_id = s.id
             WHERE s.remote_deleted = 0 AND (f.contact_id IS NULL OR f.notes_at IS NULL OR f.tasks_at IS NULL
                OR f.contact_date_updated IS NOT s.date_updated)
             ORDER BY coalesce(f.notes_at, 0), s.id LIMIT ?1",
        )?;
        let ids = stmt
            .query_map([limit], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// The ids of every contact GHL last reported, for reconciling deletions.
    pub fn synced_contact_ids(&self) -> StoreResult<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM synced_contacts WHERE remote_deleted = 0")?;
        let ids = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// The fields GHL's value is not known for, of a contact the user has changes
    /// queued for: a pull reads such a contact whole before deciding on conflicts.
    pub fn unknown_fields(&self, contact_id: &str) -> StoreResult<Vec<String>> {
        let unknown: Option<String> = self
            .conn
            .query_row(
                "SELECT unknown FROM synced_contacts WHERE id = ?1",
                [contact_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(unknown
            .map(|u| serde_json::from_str(&u))
            .transpose()?
            .unwrap_or_default())
    }
}
