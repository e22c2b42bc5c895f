//! Reads for the UI and the CLI: the contact list (search-as-you-type, tag and business
//! filters, sort, paging), one contact with its notes, tasks and appointments, and the
//! activity log. Reads never touch the network.

use rusqlite::{params_from_iter, types::Value as Sql, OptionalExtension, Row};
use serde_json::Value;

use crate::{
    db::Store,
    error::{StoreError, StoreResult},
    model::{
        ActivityEntry, AppointmentRow, ContactDetail, ContactPage, ContactQuery, ContactRow,
        ContactSort, NoteRow, TaskRow,
    },
};

/// Largest page the list returns.
pub const MAX_PAGE: u32 = 500;

/// Most matches a search considers. Beyond this the page says the results are
/// truncated (the UI asks to keep typing), which keeps every keystroke's query bounded
/// however common a prefix is.
pub const SEARCH_CAP: u32 = 1000;

const CONTACT_COLUMNS: &str = "c.id, c.first_name, c.last_name, c.email, c.phone, c.company_name, c.business_id, c.tags, c.date_added, c.date_updated, c.pending";

fn contact_row(r: &Row<'_>) -> rusqlite::Result<ContactRow> {
    let tags: String = r.get(7)?;
    Ok(ContactRow {
        id: r.get(0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        email: r.get(3)?,
        phone: r.get(4)?,
        company_name: r.get(5)?,
        business_id: r.get(6)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        date_added: r.get(8)?,
        date_updated: r.get(9)?,
        pending: r.get::<_, i64>(10)? as u32,
    })
}

/// Turns what the user typed into an FTS5 query: every word must prefix-match some
/// field. Phone-like words match on their digits.
pub(crate) fn fts_query(search: &str) -> Option<String> {
    let mut terms: Vec<String> = Vec::new();
    let mut digits_run = String::new();
    for word in search.split_whitespace() {
        let phone_like = word.chars().any(|c| c.is_ascii_digit())
            && word
                .chars()
                .all(|c| c.is_ascii_digit() || "+-().".contains(c));
        if phone_like {
            // "(512) 555-01" is one number typed in pieces.
            digits_run.extend(word.chars().filter(char::is_ascii_digit));
            continue;
        }
        if !digits_run.is_empty() {
            terms.push(std::mem::take(&mut digits_run));
        }
        let term: String = word
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '\''))
            .collect();
        if !term.is_empty() {
            terms.push(term);
        }
    }
    if !digits_run.is_empty() {
        terms.push(digits_run);
    }
    (!terms.is_empty()).then(|| {
        terms
            .iter()
            .map(|t| format!("\"{t}\"*"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

impl Store {
    /// One page of contacts. With search text, at most [`SEARCH_CAP`] matches (the
    /// most recently stored) are sorted and paged, and `truncated` says when there were
    /// more.
    pub fn list_contacts(&self, query: &ContactQuery) -> StoreResult<ContactPage> {
        let mut joins = String::new();
        let mut wheres: Vec<&str> = Vec::new();
        let mut args: Vec<Sql> = Vec::new();
        let search = query.search.as_deref().and_then(fts_query);
        if let Some(tag) = query.tag.as_deref().filter(|t| !t.is_empty()) {
            joins.push_str(" JOIN contact_tags t ON t.contact_rowid = c.rowid");
            wheres.push("t.tag = ?");
            args.push(Sql::Text(tag.trim().to_lowercase()));
        }
        if let Some(business) = query.business_id.as_deref().filter(|b| !b.is_empty()) {
            wheres.push("c.business_id = ?");
            args.push(Sql::Text(business.to_owned()));
        }
        let order = match query.sort {
            ContactSort::Name => "c.sort_name, c.id",
            ContactSort::DateAdded => "c.date_added DESC, c.id",
            ContactSort::DateUpdated => "c.date_updated DESC, c.id",
        };
        let limit = if query.limit == 0 {
            100
        } else {
            query.limit.min(MAX_PAGE)
        };
        let Some(fts) = search else {
            let filter = if wheres.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", wheres.join(" AND "))
            };
            let source = format!("contacts c{joins}{filter}");
            let total: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM {source}"),
                params_from_iter(args.iter()),
                |r| r.get(0),
            )?;
            args.push(Sql::Integer(i64::from(limit)));
            args.push(Sql::Integer(i64::from(query.offset)));
            let sql =
                format!("SELECT {CONTACT_COLUMNS} FROM {source} ORDER BY {order} LIMIT ? OFFSET ?");
            let rows = self
                .conn
                .prepare_cached(&sql)?
                .query_map(params_from_iter(args.iter()), contact_row)?
                .collect::<Result<_, _>>()?;
            return Ok(ContactPage {
                rows,
                total: total as u32,
                truncated: false,
            });
        };
        // The matches are found once (newest first, one beyond the cap to detect
        // truncation), then sorted and paged.
        let hits = if wheres.is_empty() {
            format!("SELECT rowid AS hit FROM contacts_fts WHERE contacts_fts MATCH ? ORDER BY rowid DESC LIMIT {}", SEARCH_CAP + 1)
        } else {
            format!(
                "SELECT c.rowid AS hit FROM contacts_fts f JOIN contacts c ON c.rowid = f.rowid{joins} WHERE contacts_fts MATCH ? AND {} ORDER BY f.rowid DESC LIMIT {}",
                wheres.join(" AND "),
                SEARCH_CAP + 1
            )
        };
        let mut search_args = vec![Sql::Text(fts)];
        search_args.extend(args);
        let found: Vec<i64> = self
            .conn
            .prepare_cached(&hits)?
            .query_map(params_from_iter(search_args.iter()), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let truncated = found.len() > SEARCH_CAP as usize;
        let kept = &found[..found.len().min(SEARCH_CAP as usize)];
        if kept.is_empty() {
            return Ok(ContactPage {
                rows: Vec::new(),
                total: 0,
                truncated: false,
            });
        }
        let ids = kept
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!("SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.rowid IN ({ids}) ORDER BY {order} LIMIT ?1 OFFSET ?2");
        let rows = self
            .conn
            .prepare(&sql)?
            .query_map([i64::from(limit), i64::from(query.offset)], contact_row)?
            .collect::<Result<_, _>>()?;
        Ok(ContactPage {
            rows,
            total: kept.len() as u32,
            truncated,
        })
    }

    /// A contact with its notes (newest first), tasks (by due date) and appointments.
    pub fn contact_detail(&self, id: &str) -> StoreResult<ContactDetail> {
        let (contact, raw) = self
            .conn
            .query_row(
                &format!("SELECT {CONTACT_COLUMNS}, c.raw FROM contacts c WHERE c.id = ?1"),
                [id],
                |r| Ok((contact_row(r)?, r.get::<_, String>(11)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
        let notes = self
            .conn
            .prepare_cached("SELECT id, contact_id, body, title, date_added, pending FROM notes WHERE contact_id = ?1 ORDER BY date_added DESC, id")?
            .query_map([id], |r| Ok(NoteRow { id: r.get(0)?, contact_id: r.get(1)?, body: r.get(2)?, title: r.get(3)?, date_added: r.get(4)?, pending: r.get::<_, i64>(5)? as u32 }))?
            .collect::<Result<_, _>>()?;
        let tasks = self
            .conn
            .prepare_cached("SELECT id, contact_id, title, body, due_date, completed, assigned_to, pending FROM tasks WHERE contact_id = ?1 ORDER BY completed, due_date, id")?
            .query_map([id], |r| {
                Ok(TaskRow {
                    id: r.get(0)?,
                    contact_id: r.get(1)?,
                    title: r.get(2)?,
                    body: r.get(3)?,
                    due_date: r.get(4)?,
                    completed: r.get::<_, i64>(5)? != 0,
                    assigned_to: r.get(6)?,
                    pending: r.get::<_, i64>(7)? as u32,
                })
            })?
            .collect::<Result<_, _>>()?;
        let appointments = self
            .conn
            .prepare_cached("SELECT id, contact_id, calendar_id, title, start_time, end_time, status FROM appointments WHERE contact_id = ?1 ORDER BY start_time DESC")?
            .query_map([id], |r| Ok(AppointmentRow { id: r.get(0)?, contact_id: r.get(1)?, calendar_id: r.get(2)?, title: r.get(3)?, start_time: r.get(4)?, end_time: r.get(5)?, status: r.get(6)? }))?
            .collect::<Result<_, _>>()?;
        Ok(ContactDetail {
            contact,
            raw: serde_json::from_str::<Value>(&raw)?,
            notes,
            tasks,
            appointments,
        })
    }

    /// A note's or task's fields as the view holds them (synced ⊕ pending).
    pub fn child_raw(&self, entity: crate::model::Entity, id: &str) -> StoreResult<Value> {
        let table = entity.view_table();
        let raw: String = self
            .conn
            .query_row(
                &format!("SELECT raw FROM {table} WHERE id = ?1"),
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("{} {id}", entity.as_str())))?;
        Ok(serde_json::from_str(&raw)?)
    }

    /// Every tag in use, with how many contacts carry it (for the tag filter).
    pub fn tags(&self) -> StoreResult<Vec<(String, u32)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT tag, count(*) FROM contact_tags GROUP BY tag ORDER BY tag")?;
        let tags = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u32)))?
            .collect::<Result<_, _>>()?;
        Ok(tags)
    }

    /// The latest activity, newest first.
    pub fn activity(&self, limit: u32) -> StoreResult<Vec<ActivityEntry>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, at, kind, entity, entity_id, summary FROM activity ORDER BY at DESC, id DESC LIMIT ?1")?;
        let entries = stmt
            .query_map([limit], |r| {
                Ok(ActivityEntry {
                    id: r.get(0)?,
                    at: r.get::<_, i64>(1)?.to_string(),
                    kind: r.get(2)?,
                    entity: r.get(3)?,
                    entity_id: r.get(4)?,
                    summary: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_becomes_prefix_terms() {
        assert_eq!(fts_query("Ada lov").as_deref(), Some("\"Ada\"* \"lov\"*"));
        assert_eq!(fts_query("(512) 555-01").as_deref(), Some("\"51255501\"*"));
        assert_eq!(
            fts_query("ada 512 555").as_deref(),
            Some("\"ada\"* \"512555\"*")
        );
        assert_eq!(
            fts_query("ada@example.com").as_deref(),
            Some("\"ada@example.com\"*")
        );
        assert_eq!(fts_query("\"; DROP"), Some("\"DROP\"*".into()));
        assert_eq!(fts_query("   "), None);
    }
}
