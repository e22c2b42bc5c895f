//! The view the UI reads: for each record, what GHL last said with the user's pending
//! operations applied on top, written in the same transaction as the change that
//! caused it.

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{Map, Value};

use crate::{change::Change, db::execute_cached, error::StoreResult, model::Entity};

/// Applies one queued change to a record's JSON (`None`: the record is gone). A local
/// create is stamped with the time the user made it (`created`, ISO 8601).
fn apply_change(doc: &mut Option<Map<String, Value>>, id: &str, change: &Change, created: &str) {
    match change {
        Change::Create { fields } => {
            let mut fields = fields.clone();
            fields.insert("id".into(), Value::String(id.to_owned()));
            fields.retain(|_, v| !v.is_null());
            for stamp in ["dateAdded", "dateUpdated"] {
                fields
                    .entry(stamp)
                    .or_insert_with(|| Value::String(created.to_owned()));
            }
            *doc = Some(fields);
        }
        Change::Update { fields } => {
            if let Some(record) = doc {
                for (name, field) in fields {
                    match &field.value {
                        Value::Null => record.remove(name),
                        value => record.insert(name.clone(), value.clone()),
                    };
                }
            }
        }
        Change::Tags { add, remove } => {
            if let Some(record) = doc {
                let mut tags = tag_list(record.get("tags"));
                for tag in add {
                    if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                        tags.push(tag.clone());
                    }
                }
                tags.retain(|t| !remove.iter().any(|r| r.eq_ignore_ascii_case(t)));
                record.insert("tags".into(), tags.into_iter().map(Value::String).collect());
            }
        }
        Change::Delete => *doc = None,
    }
}

/// A JSON list of tags as text, skipping anything that is not text.
pub(crate) fn tag_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// A record's view state: synced JSON with its pending operations applied (`None`: the
/// record is gone), how many operations are pending, and its contact (notes and tasks).
struct Composed {
    doc: Option<Map<String, Value>>,
    pending: u32,
    parent: Option<String>,
}

fn compose(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<Composed> {
    let synced_table = entity.synced_table();
    let parent_column = if entity == Entity::Contact {
        "NULL"
    } else {
        "contact_id"
    };
    let synced: Option<(String, Option<String>)> = tx
        .prepare_cached(&format!(
            "SELECT raw, {parent_column} FROM {synced_table} WHERE id = ?1"
        ))?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (mut doc, mut parent) = match synced {
        Some((raw, parent)) => (
            serde_json::from_str::<Value>(&raw)?.as_object().cloned(),
            parent,
        ),
        None => (None, None),
    };
    let mut stmt = tx.prepare_cached("SELECT op, payload, parent_id, created_at FROM outbox WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq")?;
    let ops = stmt
        .query_map(params![entity.as_str(), id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (op, payload, parent_id, created_at) in &ops {
        let change = Change::from_row(op, payload)?;
        apply_change(&mut doc, id, &change, &iso_ms(*created_at));
        parent = parent.or(parent_id.clone());
    }
    Ok(Composed {
        doc,
        pending: ops.len() as u32,
        parent,
    })
}

/// Epoch milliseconds as GHL writes timestamps (`2026-01-02T03:04:05.678Z`).
pub(crate) fn iso_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn text(doc: &Map<String, Value>, key: &str) -> Option<String> {
    doc.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Lower-cased "last first" for sorting by name.
fn sort_name(doc: &Map<String, Value>) -> String {
    let last = text(doc, "lastName").unwrap_or_default();
    let first = text(doc, "firstName").unwrap_or_default();
    let name = format!("{last} {first}").trim().to_lowercase();
    if name.is_empty() {
        text(doc, "email").unwrap_or_default().to_lowercase()
    } else {
        name
    }
}

/// Phone tokens for search: the digits, and for North American numbers also the ten
/// digits without the country code, so `512555` finds `+15125550100`.
pub(crate) fn phone_tokens(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 && digits.starts_with('1') {
        format!("{digits} {}", &digits[1..])
    } else {
        digits
    }
}

/// What a contact is found by.
pub(crate) struct Searchable {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub tags: Vec<String>,
}

/// Rewrites a contact's search entry: its words, and its phone's digits reversed, so
/// that the end of a number finds it too.
pub(crate) fn search_index(
    tx: &rusqlite::Connection,
    rowid: i64,
    contact: &Searchable,
) -> rusqlite::Result<()> {
    let name = format!(
        "{} {}",
        contact.first_name.as_deref().unwrap_or_default(),
        contact.last_name.as_deref().unwrap_or_default()
    );
    let phone = contact.phone.as_deref().unwrap_or_default();
    let ends: String = phone.chars().filter(char::is_ascii_digit).rev().collect();
    tx.prepare_cached("DELETE FROM contacts_fts WHERE rowid = ?1")?
        .execute([rowid])?;
    tx.prepare_cached(
        "INSERT INTO contacts_fts (rowid, name, email, phone, company, tags, phone_ends) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
            rowid,
            name,
            contact.email.as_deref().unwrap_or_default(),
            phone_tokens(phone),
            contact.company.as_deref().unwrap_or_default(),
            contact.tags.join(" "),
            ends
        ])?;
    Ok(())
}

/// Rebuilds every contact's search entry from the view (after the index changed shape).
pub(crate) fn reindex_contacts(tx: &rusqlite::Connection) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "SELECT rowid, first_name, last_name, email, phone, company_name, tags FROM contacts",
    )?;
    let contacts = stmt
        .query_map([], |r| {
            let tags: String = r.get(6)?;
            Ok((
                r.get::<_, i64>(0)?,
                Searchable {
                    first_name: r.get(1)?,
                    last_name: r.get(2)?,
                    email: r.get(3)?,
                    phone: r.get(4)?,
                    company: r.get(5)?,
                    tags: serde_json::from_str(&tags).unwrap_or_default(),
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (rowid, contact) in &contacts {
        search_index(tx, *rowid, contact)?;
    }
    Ok(())
}

/// Rewrites a contact's view row (or removes it) from synced state and outbox.
pub(crate) fn contact(tx: &Transaction<'_>, id: &str) -> StoreResult<()> {
    contacts(tx, [id])
}

/// Rewrites many contacts' view rows, then their search entries in rowid order. FTS5
/// writes its pending entries to disk as a segment of their own whenever another
/// statement opens a savepoint or a rowid comes lower than the one before, so entries
/// written between the other writes of a bulk edit or an ingest, or in the order of its
/// ids, each became a segment, and merging those segments was most of the time it took.
pub(crate) fn contacts<'a>(
    tx: &Transaction<'_>,
    ids: impl IntoIterator<Item = &'a str>,
) -> StoreResult<()> {
    let mut entries = Vec::new();
    for id in ids {
        if let Some(entry) = contact_row(tx, id)? {
            entries.push(entry);
        }
    }
    entries.sort_by_key(|entry| entry.rowid);
    for Reindex { rowid, search } in entries {
        match search {
            Some(search) => search_index(tx, rowid, &search)?,
            None => {
                execute_cached(tx, "DELETE FROM contacts_fts WHERE rowid = ?1", [rowid])?;
            }
        }
    }
    Ok(())
}

/// A contact whose search entry must be rewritten (`search`) or removed (`None`).
struct Reindex {
    rowid: i64,
    search: Option<Searchable>,
}

/// A contact's view row as stored: what its indexes, tag rows and search entry hold.
#[derive(PartialEq)]
struct ContactRow {
    first_name: Option<String>,
    last_name: Option<String>,
    sort_name: String,
    email: Option<String>,
    phone: Option<String>,
    company_name: Option<String>,
    business_id: Option<String>,
    tags: String,
    date_added: Option<String>,
    date_updated: Option<String>,
}

impl ContactRow {
    fn of(doc: &Map<String, Value>, tags: &[String]) -> StoreResult<Self> {
        Ok(Self {
            first_name: text(doc, "firstName"),
            last_name: text(doc, "lastName"),
            sort_name: sort_name(doc),
            email: text(doc, "email"),
            phone: text(doc, "phone"),
            company_name: text(doc, "companyName"),
            business_id: text(doc, "businessId"),
            tags: serde_json::to_string(tags)?,
            date_added: text(doc, "dateAdded"),
            date_updated: text(doc, "dateUpdated"),
        })
    }

    /// Whether the contact's indexed columns (its orders and business) differ.
    fn indexed_differ(&self, other: &Self) -> bool {
        self.sort_name != other.sort_name
            || self.date_added != other.date_added
            || self.date_updated != other.date_updated
            || self.business_id != other.business_id
            || self.company_name != other.company_name
    }

    /// Whether what the contact is found by differs.
    fn searched_differ(&self, other: &Self) -> bool {
        self.first_name != other.first_name
            || self.last_name != other.last_name
            || self.email != other.email
            || self.phone != other.phone
            || self.company_name != other.company_name
            || self.tags != other.tags
    }

    fn searchable(&self, tags: Vec<String>) -> Searchable {
        Searchable {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            company: self.company_name.clone(),
            tags,
        }
    }
}

/// The stored view row of a contact, with its rowid.
fn stored_contact(tx: &Transaction<'_>, id: &str) -> StoreResult<Option<(i64, ContactRow)>> {
    Ok(tx
        .prepare_cached(
            "SELECT rowid, first_name, last_name, sort_name, email, phone, company_name, business_id, tags, date_added, date_updated
             FROM contacts WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                ContactRow {
                    first_name: r.get(1)?,
                    last_name: r.get(2)?,
                    sort_name: r.get(3)?,
                    email: r.get(4)?,
                    phone: r.get(5)?,
                    company_name: r.get(6)?,
                    business_id: r.get(7)?,
                    tags: r.get(8)?,
                    date_added: r.get(9)?,
                    date_updated: r.get(10)?,
                },
            ))
        })
        .optional()?)
}

/// Rewrites a contact's view row and tag rows, touching only the indexes whose columns
/// changed (a tag or field edit of many contacts then rewrites no order's index); says
/// what its search entry needs, if anything.
fn contact_row(tx: &Transaction<'_>, id: &str) -> StoreResult<Option<Reindex>> {
    let Composed { doc, pending, .. } = compose(tx, Entity::Contact, id)?;
    let stored = stored_contact(tx, id)?;
    let Some(doc) = doc else {
        let Some((rowid, _)) = stored else {
            return Ok(None);
        };
        execute_cached(tx, "DELETE FROM contacts WHERE rowid = ?1", [rowid])?;
        return Ok(Some(Reindex {
            rowid,
            search: None,
        }));
    };
    let tags = tag_list(doc.get("tags"));
    let row = ContactRow::of(&doc, &tags)?;
    let raw = serde_json::to_string(&doc)?;
    let (rowid, tags_changed, searched_changed) = match &stored {
        Some((rowid, old)) if !row.indexed_differ(old) => {
            execute_cached(
                tx,
                "UPDATE contacts SET first_name = ?2, last_name = ?3, email = ?4, phone = ?5, tags = ?6, raw = ?7, pending = ?8
                 WHERE rowid = ?1",
                params![rowid, row.first_name, row.last_name, row.email, row.phone, row.tags, raw, pending],
            )?;
            (*rowid, row.tags != old.tags, row.searched_differ(old))
        }
        _ => {
            let rowid: i64 = tx.prepare_cached("INSERT INTO contacts (id, first_name, last_name, sort_name, email, phone, company_name, business_id, tags, date_added, date_updated, raw, pending)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                 ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name, sort_name = excluded.sort_name,
                     email = excluded.email, phone = excluded.phone, company_name = excluded.company_name, business_id = excluded.business_id,
                     tags = excluded.tags, date_added = excluded.date_added, date_updated = excluded.date_updated, raw = excluded.raw, pending = excluded.pending
                 RETURNING rowid")?.query_row(
                params![
                    id,
                    row.first_name,
                    row.last_name,
                    row.sort_name,
                    row.email,
                    row.phone,
                    row.company_name,
                    row.business_id,
                    row.tags,
                    row.date_added,
                    row.date_updated,
                    raw,
                    pending
                ],
                |r| r.get(0),
            )?;
            let changed = stored.as_ref().is_none_or(|(_, old)| row.tags != old.tags);
            let searched = stored
                .as_ref()
                .is_none_or(|(_, old)| row.searched_differ(old));
            (rowid, changed, searched)
        }
    };
    if tags_changed {
        execute_cached(
            tx,
            "DELETE FROM contact_tags WHERE contact_rowid = ?1",
            [rowid],
        )?;
        for tag in &tags {
            execute_cached(
                tx,
                "INSERT OR IGNORE INTO contact_tags (contact_rowid, tag) VALUES (?1, ?2)",
                params![rowid, tag.to_lowercase()],
            )?;
        }
    }
    Ok(searched_changed.then(|| Reindex {
        rowid,
        search: Some(row.searchable(tags)),
    }))
}

/// Rewrites a note's view row (or removes it).
pub(crate) fn note(tx: &Transaction<'_>, id: &str) -> StoreResult<()> {
    let Composed {
        doc,
        pending,
        parent,
    } = compose(tx, Entity::Note, id)?;
    let Some(doc) = doc else {
        execute_cached(tx, "DELETE FROM notes WHERE id = ?1", [id])?;
        return Ok(());
    };
    let contact_id = text(&doc, "contactId").or(parent).unwrap_or_default();
    execute_cached(tx,
        "INSERT INTO notes (id, contact_id, body, title, date_added, raw, pending) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, body = excluded.body, title = excluded.title,
             date_added = excluded.date_added, raw = excluded.raw, pending = excluded.pending",
        params![id, contact_id, text(&doc, "body").unwrap_or_default(), text(&doc, "title"), text(&doc, "dateAdded"), serde_json::to_string(&doc)?, pending],
    )?;
    Ok(())
}

/// Rewrites a task's view row (or removes it).
pub(crate) fn task(tx: &Transaction<'_>, id: &str) -> StoreResult<()> {
    let Composed {
        doc,
        pending,
        parent,
    } = compose(tx, Entity::Task, id)?;
    let Some(doc) = doc else {
        execute_cached(tx, "DELETE FROM tasks WHERE id = ?1", [id])?;
        return Ok(());
    };
    let contact_id = text(&doc, "contactId").or(parent).unwrap_or_default();
    execute_cached(tx,
        "INSERT INTO tasks (id, contact_id, title, body, due_date, completed, assigned_to, raw, pending) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET contact_id = excluded.contact_id, title = excluded.title, body = excluded.body, due_date = excluded.due_date,
             completed = excluded.completed, assigned_to = excluded.assigned_to, raw = excluded.raw, pending = excluded.pending",
        params![
            id,
            contact_id,
            text(&doc, "title").unwrap_or_default(),
            text(&doc, "body"),
            text(&doc, "dueDate"),
            doc.get("completed").and_then(Value::as_bool).unwrap_or(false),
            text(&doc, "assignedTo"),
            serde_json::to_string(&doc)?,
            pending
        ],
    )?;
    Ok(())
}

/// Rewrites the view row of any entity.
pub(crate) fn refresh(tx: &Transaction<'_>, entity: Entity, id: &str) -> StoreResult<()> {
    match entity {
        Entity::Contact => contact(tx, id),
        Entity::Note => note(tx, id),
        Entity::Task => task(tx, id),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::change::{Base, FieldChange};
    use serde_json::json;

    #[test]
    fn changes_apply_in_order() {
        let mut doc = None;
        let create = Change::Create {
            fields: json!({ "firstName": "Ada", "tags": ["a"], "email": null })
                .as_object()
                .unwrap()
                .clone(),
        };
        apply_change(&mut doc, "local_1", &create, "2026-01-01T00:00:00.000Z");
        assert_eq!(
            doc.as_ref().unwrap()["dateAdded"],
            "2026-01-01T00:00:00.000Z"
        );
        assert_eq!(doc.as_ref().unwrap()["id"], "local_1");
        assert!(!doc.as_ref().unwrap().contains_key("email"));
        let mut fields = BTreeMap::new();
        for (name, value, base) in [
            ("firstName", "Ada B", json!("Ada")),
            ("city", "Oslo", Value::Null),
        ] {
            fields.insert(
                name.to_owned(),
                FieldChange {
                    value: json!(value),
                    base: Base::Known(base),
                },
            );
        }
        apply_change(&mut doc, "local_1", &Change::Update { fields }, "");
        let tags = Change::Tags {
            add: vec!["b".into()],
            remove: vec!["A".into()],
        };
        apply_change(&mut doc, "local_1", &tags, "");
        let d = doc.as_ref().unwrap();
        assert_eq!(d["firstName"], "Ada B");
        assert_eq!(d["city"], "Oslo");
        assert_eq!(d["tags"], json!(["b"]));
        apply_change(&mut doc, "local_1", &Change::Delete, "");
        assert!(doc.is_none());
    }

    #[test]
    fn phone_tokens_cover_national_numbers() {
        assert_eq!(phone_tokens("+15125550100"), "15125550100 5125550100");
        assert_eq!(phone_tokens("+442079460958"), "442079460958");
    }
}
