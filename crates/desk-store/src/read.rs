//! Reads for the UI and the CLI: the contact list (search-as-you-type, tag and business
//! filters, sort, paging), one contact with its notes, tasks and appointments, and the
//! activity log. Reads never touch the network.

use rusqlite::{OptionalExtension, Row};
use serde_json::Value;

use crate::{
    db::Store,
    error::{StoreError, StoreResult},
    model::{
        ActivityEntry, ActivityQuery, AppointmentRow, Business, ContactDetail, ContactPage,
        ContactQuery, ContactRow, ContactSort, NoteRow, TaskRow,
    },
};

/// Largest page the list returns.
pub const MAX_PAGE: u32 = 500;

const CONTACT_COLUMNS: &str = "c.id, c.first_name, c.last_name, c.email, c.phone, c.company_name, c.business_id, c.tags, c.date_added, c.date_updated, c.pending";

fn contact_row(r: &Row<'_>) -> rusqlite::Result<ContactRow> {
    contact_row_at(r, 0)
}

/// A contact row whose [`CONTACT_COLUMNS`] start at column `at`.
fn contact_row_at(r: &Row<'_>, at: usize) -> rusqlite::Result<ContactRow> {
    let tags: String = r.get(at + 7)?;
    Ok(ContactRow {
        id: r.get(at)?,
        first_name: r.get(at + 1)?,
        last_name: r.get(at + 2)?,
        email: r.get(at + 3)?,
        phone: r.get(at + 4)?,
        company_name: r.get(at + 5)?,
        business_id: r.get(at + 6)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        date_added: r.get(at + 8)?,
        date_updated: r.get(at + 9)?,
        pending: r.get::<_, i64>(at + 10)? as u32,
    })
}

/// Quotes one search term for FTS5, as a prefix.
fn prefix_term(term: &str) -> String {
    format!("\"{}\"*", term.replace('"', ""))
}

/// Turns what the user typed into an FTS5 query: every word must prefix-match some
/// field. Phone-like words match on their digits, at the start of a number or at its
/// end ("0100" finds +1 512 555 0100).
pub(crate) fn fts_query(search: &str) -> Option<String> {
    let mut terms: Vec<String> = Vec::new();
    let mut digits_run = String::new();
    let flush = |digits: &mut String, terms: &mut Vec<String>| {
        if !digits.is_empty() {
            let reversed: String = digits.chars().rev().collect();
            terms.push(format!(
                "(- {{phone_ends}} : {} OR phone_ends : {})",
                prefix_term(digits),
                prefix_term(&reversed)
            ));
            digits.clear();
        }
    };
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
        flush(&mut digits_run, &mut terms);
        let term: String = word
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '\''))
            .collect();
        if !term.is_empty() {
            terms.push(format!("- {{phone_ends}} : {}", prefix_term(&term)));
        }
    }
    flush(&mut digits_run, &mut terms);
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

/// Row ids in ascending order that are in both lists.
fn intersect(a: &[i64], b: &[i64]) -> Vec<i64> {
    let (mut i, mut j) = (0, 0);
    let mut both = Vec::with_capacity(a.len().min(b.len()));
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    both
}

/// The whole list's order, on `contacts c`, with the index that yields it.
fn order(sort: ContactSort, reverse: bool) -> (&'static str, &'static str) {
    match (sort, reverse) {
        (ContactSort::Name, false) => ("c.sort_name, c.id", "contacts_by_name"),
        (ContactSort::Name, true) => ("c.sort_name DESC, c.id DESC", "contacts_by_name"),
        (ContactSort::DateAdded, false) => ("c.date_added DESC, c.id DESC", "contacts_by_added"),
        (ContactSort::DateAdded, true) => ("c.date_added, c.id", "contacts_by_added"),
        (ContactSort::DateUpdated, false) => {
            ("c.date_updated DESC, c.id DESC", "contacts_by_updated")
        }
        (ContactSort::DateUpdated, true) => ("c.date_updated, c.id", "contacts_by_updated"),
    }
}

impl Store {
    /// One page of contacts matching a search and filters, in the order asked, with the
    /// number of all matches.
    pub fn list_contacts(&self, query: &ContactQuery) -> StoreResult<ContactPage> {
        let limit = if query.limit == 0 {
            100
        } else {
            query.limit.min(MAX_PAGE)
        };
        let Some(matches) = self.matches(query)? else {
            return self.whole_list_page(query, limit);
        };
        let total = u32::try_from(matches.len()).unwrap_or(u32::MAX);
        let page = self.ranks.page(
            &self.conn,
            &matches,
            query.sort,
            query.reverse,
            query.offset as usize,
            limit as usize,
        )?;
        Ok(ContactPage {
            rows: self.contacts_by_rowid(&page)?,
            total,
        })
    }

    /// A page of the unfiltered list: the order's index is walked with row ids only
    /// (no table reads for the rows skipped), then the page's rows are read.
    fn whole_list_page(&self, query: &ContactQuery, limit: u32) -> StoreResult<ContactPage> {
        let total: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM contacts")?
            .query_row([], |r| r.get(0))?;
        let (order, index) = order(query.sort, query.reverse);
        let sql = format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts c WHERE c.rowid IN
                (SELECT c.rowid FROM contacts c INDEXED BY {index} ORDER BY {order} LIMIT ?1 OFFSET ?2)
             ORDER BY {order}"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)?
            .query_map([i64::from(limit), i64::from(query.offset)], contact_row)?
            .collect::<Result<_, _>>()?;
        Ok(ContactPage {
            rows,
            total: u32::try_from(total).unwrap_or(u32::MAX),
        })
    }

    /// The row ids (ascending) of the contacts a query's search and filters let
    /// through; `None` when it has neither.
    fn matches(&self, query: &ContactQuery) -> StoreResult<Option<Vec<i64>>> {
        let mut lists: Vec<Vec<i64>> = Vec::new();
        let mut read = |sql: &str, arg: String| -> StoreResult<()> {
            let ids = self
                .conn
                .prepare_cached(sql)?
                .query_map([arg], |r| r.get::<_, i64>(0))?
                .collect::<Result<_, _>>()?;
            lists.push(ids);
            Ok(())
        };
        if let Some(fts) = query.search.as_deref().and_then(fts_query) {
            read(
                "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1 ORDER BY rowid",
                fts,
            )?;
        }
        if let Some(tag) = query
            .tag
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            read(
                "SELECT contact_rowid FROM contact_tags WHERE tag = ?1 ORDER BY contact_rowid",
                tag.to_lowercase(),
            )?;
        }
        if let Some(business) = query.business_id.as_deref().filter(|b| !b.is_empty()) {
            read(
                "SELECT rowid FROM contacts WHERE business_id = ?1 ORDER BY rowid",
                business.to_owned(),
            )?;
        }
        Ok(lists.into_iter().reduce(|a, b| intersect(&a, &b)))
    }

    /// The contacts with these row ids, in the order given.
    fn contacts_by_rowid(&self, rowids: &[i64]) -> StoreResult<Vec<ContactRow>> {
        if rowids.is_empty() {
            return Ok(Vec::new());
        }
        let list = rowids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let mut found: std::collections::HashMap<i64, ContactRow> = self
            .conn
            .prepare(&format!(
                "SELECT c.rowid, {CONTACT_COLUMNS} FROM contacts c WHERE c.rowid IN ({list})"
            ))?
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, contact_row_at(r, 1)?)))?
            .collect::<Result<_, _>>()?;
        Ok(rowids.iter().filter_map(|r| found.remove(r)).collect())
    }

    /// The ids of every contact matching a query's search and filters, in its order
    /// (for "select all matches").
    pub fn matching_contact_ids(&self, query: &ContactQuery) -> StoreResult<Vec<String>> {
        let mut ids = Vec::new();
        let mut page = ContactQuery {
            offset: 0,
            limit: MAX_PAGE,
            ..query.clone()
        };
        loop {
            let rows = self.list_contacts(&page)?.rows;
            let done = rows.len() < MAX_PAGE as usize;
            ids.extend(rows.into_iter().map(|r| r.id));
            if done {
                return Ok(ids);
            }
            page.offset += MAX_PAGE;
        }
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

    /// The businesses contacts belong to, each named after the company most of its
    /// contacts give, with how many contacts it has (for the business filter).
    pub fn businesses(&self) -> StoreResult<Vec<Business>> {
        let mut stmt = self.conn.prepare_cached(BUSINESSES)?;
        let mut businesses: Vec<Business> = stmt
            .query_map([], |r| {
                Ok(Business {
                    id: r.get(0)?,
                    contacts: r.get::<_, i64>(1)? as u32,
                    name: r.get(2)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        businesses.sort_by(|a, b| {
            (
                a.name.is_none(),
                a.name.as_deref().map(str::to_lowercase),
                &a.id,
            )
                .cmp(&(
                    b.name.is_none(),
                    b.name.as_deref().map(str::to_lowercase),
                    &b.id,
                ))
        });
        Ok(businesses)
    }

    /// A page of the activity log, newest first: of the given kinds (all when empty),
    /// whose text contains `search`, older than the entry `before`.
    pub fn activity_page(&self, query: &ActivityQuery) -> StoreResult<Vec<ActivityEntry>> {
        let mut sql =
            String::from("SELECT id, at, kind, entity, entity_id, summary FROM activity WHERE 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if !query.kinds.is_empty() {
            sql.push_str(&format!(
                " AND kind IN ({})",
                vec!["?"; query.kinds.len()].join(", ")
            ));
            args.extend(
                query
                    .kinds
                    .iter()
                    .cloned()
                    .map(rusqlite::types::Value::Text),
            );
        }
        if let Some(search) = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            sql.push_str(" AND summary LIKE ? ESCAPE '\\'");
            let escaped = search
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            args.push(rusqlite::types::Value::Text(format!("%{escaped}%")));
        }
        if let Some(before) = query.before {
            sql.push_str(" AND id < ?");
            args.push(rusqlite::types::Value::Integer(before));
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        let limit = if query.limit == 0 {
            100
        } else {
            query.limit.min(MAX_PAGE)
        };
        args.push(rusqlite::types::Value::Integer(i64::from(limit)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let entries = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), activity_entry)?
            .collect::<Result<_, _>>()?;
        Ok(entries)
    }

    /// The latest activity, newest first.
    pub fn activity(&self, limit: u32) -> StoreResult<Vec<ActivityEntry>> {
        self.activity_page(&ActivityQuery {
            limit,
            ..ActivityQuery::default()
        })
    }
}

fn activity_entry(r: &Row<'_>) -> rusqlite::Result<ActivityEntry> {
    Ok(ActivityEntry {
        id: r.get(0)?,
        at: r.get::<_, i64>(1)?.to_string(),
        kind: r.get(2)?,
        entity: r.get(3)?,
        entity_id: r.get(4)?,
        summary: r.get(5)?,
    })
}

/// Each business with its contact count and its contacts' most common company.
const BUSINESSES: &str = "SELECT b.business_id, b.contacts,
        (SELECT company_name FROM contacts n WHERE n.business_id = b.business_id AND n.company_name <> ''
         GROUP BY company_name ORDER BY count(*) DESC, company_name LIMIT 1)
     FROM (SELECT business_id, count(*) AS contacts FROM contacts WHERE business_id <> '' GROUP BY business_id) b";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_business_list_is_read_from_an_index_alone() {
        let store = Store::open_in_memory().unwrap();
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {BUSINESSES}"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let reads: Vec<&String> = plan
            .iter()
            .filter(|step| step.contains(" n ") || step.contains("contacts"))
            .collect();
        assert!(!reads.is_empty(), "{plan:?}");
        assert!(
            reads.iter().all(|step| step.contains("COVERING INDEX")),
            "every read of the contacts is from a covering index: {plan:?}"
        );
    }

    #[test]
    fn search_text_becomes_prefix_terms() {
        let word = |w: &str| format!("- {{phone_ends}} : \"{w}\"*");
        assert_eq!(
            fts_query("Ada lov").unwrap(),
            format!("{} AND {}", word("Ada"), word("lov"))
        );
        assert_eq!(
            fts_query("(512) 555-01").unwrap(),
            "(- {phone_ends} : \"51255501\"* OR phone_ends : \"10555215\"*)"
        );
        assert_eq!(
            fts_query("ada 512 555").unwrap(),
            format!(
                "{} AND (- {{phone_ends}} : \"512555\"* OR phone_ends : \"555215\"*)",
                word("ada")
            )
        );
        assert_eq!(
            fts_query("ada@example.com").unwrap(),
            word("ada@example.com")
        );
        assert_eq!(fts_query("\"; DROP").unwrap(), word("DROP"));
        assert_eq!(fts_query("   "), None);
    }
}
