//! The schema, as forward-only migrations embedded in the binary. SQLite's
//! `user_version` records how far a database has come; a database written by a newer
//! GHL Desk (more migrations than this binary knows) is refused rather than misread.
//!
//! Server truth (`synced_*`: what GHL last said, raw JSON kept) and the view the UI reads
//! (`contacts`, `notes`, `tasks`: synced ⊕ pending) are separate tables; the `outbox`
//! holds the user's pending intent.

use rusqlite_migration::{Migrations, M};

const V1_CACHE: &str = r#"
CREATE TABLE synced_contacts (
    id             TEXT PRIMARY KEY,
    raw            TEXT NOT NULL,
    date_updated   TEXT,
    remote_deleted INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE contacts (
    rowid          INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    first_name     TEXT,
    last_name      TEXT,
    sort_name      TEXT NOT NULL DEFAULT '',
    email          TEXT,
    phone          TEXT,
    company_name   TEXT,
    business_id    TEXT,
    tags           TEXT NOT NULL DEFAULT '[]',
    date_added     TEXT,
    date_updated   TEXT,
    raw            TEXT NOT NULL,
    pending        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX contacts_by_name ON contacts (sort_name, id);
CREATE INDEX contacts_by_added ON contacts (date_added, id);
CREATE INDEX contacts_by_updated ON contacts (date_updated, id);
CREATE INDEX contacts_by_business ON contacts (business_id);

CREATE TABLE contact_tags (
    contact_rowid INTEGER NOT NULL REFERENCES contacts (rowid) ON DELETE CASCADE,
    tag           TEXT NOT NULL,
    PRIMARY KEY (tag, contact_rowid)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_tags_by_contact ON contact_tags (contact_rowid);

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    name, email, phone, company, tags,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

CREATE TABLE synced_notes (
    id             TEXT PRIMARY KEY,
    contact_id     TEXT NOT NULL,
    raw            TEXT NOT NULL,
    remote_deleted INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX synced_notes_by_contact ON synced_notes (contact_id);

CREATE TABLE notes (
    id         TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    title      TEXT,
    date_added TEXT,
    raw        TEXT NOT NULL,
    pending    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX notes_by_contact ON notes (contact_id, date_added);

CREATE TABLE synced_tasks (
    id             TEXT PRIMARY KEY,
    contact_id     TEXT NOT NULL,
    raw            TEXT NOT NULL,
    remote_deleted INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX synced_tasks_by_contact ON synced_tasks (contact_id);

CREATE TABLE tasks (
    id          TEXT PRIMARY KEY,
    contact_id  TEXT NOT NULL,
    title       TEXT NOT NULL DEFAULT '',
    body        TEXT,
    due_date    TEXT,
    completed   INTEGER NOT NULL DEFAULT 0,
    assigned_to TEXT,
    raw         TEXT NOT NULL,
    pending     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX tasks_by_contact ON tasks (contact_id, due_date);

CREATE TABLE appointments (
    id          TEXT PRIMARY KEY,
    contact_id  TEXT,
    calendar_id TEXT,
    title       TEXT,
    start_time  TEXT,
    end_time    TEXT,
    status      TEXT,
    raw         TEXT NOT NULL
) STRICT;
CREATE INDEX appointments_by_contact ON appointments (contact_id, start_time);
"#;

const V2_OUTBOX: &str = r#"
CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    entity          TEXT NOT NULL CHECK (entity IN ('contact', 'note', 'task')),
    entity_id       TEXT NOT NULL,
    parent_id       TEXT,
    op              TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete', 'tags')),
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'rejected', 'conflict')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_by_entity ON outbox (entity_id, seq);
CREATE INDEX outbox_by_parent ON outbox (parent_id);
CREATE INDEX outbox_by_state ON outbox (state, next_attempt_at);

CREATE TABLE id_map (
    local_id  TEXT PRIMARY KEY,
    server_id TEXT NOT NULL,
    entity    TEXT NOT NULL,
    mapped_at INTEGER NOT NULL
) STRICT;

CREATE TABLE activity (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    entity    TEXT,
    entity_id TEXT,
    summary   TEXT NOT NULL
) STRICT;
CREATE INDEX activity_by_time ON activity (at DESC);
"#;

const V3_SYNC_STATE: &str = r#"
CREATE TABLE sync_cursors (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE fetch_status (
    scope        TEXT PRIMARY KEY,
    last_attempt INTEGER,
    last_success INTEGER,
    last_error   TEXT
) STRICT;

CREATE TABLE children_freshness (
    contact_id           TEXT PRIMARY KEY,
    contact_date_updated TEXT,
    notes_at             INTEGER,
    tasks_at             INTEGER,
    appointments_at      INTEGER
) STRICT;
"#;

const V4_SETTINGS: &str = r#"
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
"#;

/// What GHL's answers did not say: `unknown` lists the contact fields whose stored value
/// is not confirmed (a search item does not carry every field). The outbox learns the
/// `uncertain` state (a create that may or may not have happened, for the user to settle)
/// and when an operation was last marked as being sent; SQLite cannot change a CHECK
/// constraint in place, so the table is rebuilt with its rows, sequence and indexes.
const V5_KNOWN_FIELDS_AND_UNCERTAIN_CREATES: &str = r#"
ALTER TABLE synced_contacts ADD COLUMN unknown TEXT NOT NULL DEFAULT '[]';

CREATE TABLE outbox_v5 (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    entity          TEXT NOT NULL CHECK (entity IN ('contact', 'note', 'task')),
    entity_id       TEXT NOT NULL,
    parent_id       TEXT,
    op              TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete', 'tags')),
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sending', 'rejected', 'conflict', 'uncertain')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    sent_at         INTEGER
) STRICT;
INSERT INTO outbox_v5 (seq, entity, entity_id, parent_id, op, payload, state, attempts, next_attempt_at, last_error, created_at, updated_at)
    SELECT seq, entity, entity_id, parent_id, op, payload, state, attempts, next_attempt_at, last_error, created_at, updated_at FROM outbox;
DELETE FROM sqlite_sequence WHERE name = 'outbox_v5';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_v5', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_v5 RENAME TO outbox;
CREATE INDEX outbox_by_entity ON outbox (entity_id, seq);
CREATE INDEX outbox_by_parent ON outbox (parent_id);
CREATE INDEX outbox_by_state ON outbox (state, next_attempt_at);
"#;

/// Records GHL sent that could not be read (no id, a number where text belongs, …),
/// remembered so that each is reported once and a count that leaves them out is not
/// mistaken for deletions.
const V6_UNREADABLE: &str = r#"
CREATE TABLE unreadable (
    kind    TEXT NOT NULL,
    key     TEXT NOT NULL,
    reason  TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) STRICT;
"#;

/// The location's contact custom fields as GHL defines them (names for the editor
/// and the CSV export).
const V7_CUSTOM_FIELDS: &str = r#"
CREATE TABLE custom_fields (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    field_key TEXT,
    data_type TEXT,
    position  INTEGER NOT NULL DEFAULT 0,
    raw       TEXT NOT NULL
) STRICT;
"#;

/// The search index learns the ends of phone numbers (digits reversed, so that a
/// prefix search finds the last digits); FTS5 tables cannot gain a column, so it is
/// rebuilt and refilled from the view.
const V8_PHONE_ENDS: &str = r#"
DROP TABLE contacts_fts;
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    name, email, phone, company, tags, phone_ends,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
"#;

/// The business filter names each business after its contacts' most common company: an
/// index of both lets that be read from the index alone, not from 100,000 rows, and
/// serves the business filter as the old index did.
const V9_BUSINESS_COMPANIES: &str = r#"
CREATE INDEX contacts_by_business_company ON contacts (business_id, company_name);
DROP INDEX contacts_by_business;
"#;

/// Every migration, oldest first. Append only: never edit one that has shipped.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1_CACHE),
        M::up(V2_OUTBOX),
        M::up(V3_SYNC_STATE),
        M::up(V4_SETTINGS),
        M::up(V5_KNOWN_FIELDS_AND_UNCERTAIN_CREATES),
        M::up(V6_UNREADABLE),
        M::up(V7_CUSTOM_FIELDS),
        M::up_with_hook(V8_PHONE_ENDS, |tx: &rusqlite::Transaction| {
            crate::view::reindex_contacts(tx)?;
            Ok(())
        }),
        M::up(V9_BUSINESS_COMPANIES),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn every_table_exists_after_migrating() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrations().to_latest(&mut conn).unwrap();
        for table in [
            "synced_contacts",
            "contacts",
            "contact_tags",
            "contacts_fts",
            "notes",
            "tasks",
            "appointments",
            "outbox",
            "id_map",
            "activity",
            "sync_cursors",
            "fetch_status",
            "settings",
            "children_freshness",
            "unreadable",
            "custom_fields",
        ] {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                    [table],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "{table}");
        }
    }

    #[test]
    fn rebuilding_the_search_index_keeps_every_contact_findable() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrations().to_version(&mut conn, 7).unwrap();
        conn.execute_batch(
            "INSERT INTO contacts (id, first_name, last_name, phone, tags, raw) VALUES ('c1', 'Ada', 'Lovelace', '+15125550100', '[\"vip\"]', '{}');",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        for search in ["\"lovel\"*", "\"vip\"*", "phone_ends : \"0010\"*"] {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?1",
                    [search],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "{search}");
        }
    }

    #[test]
    fn rebuilding_the_outbox_keeps_its_rows_and_sequence() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        migrations().to_version(&mut conn, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO outbox (entity, entity_id, op, payload, created_at, updated_at) VALUES ('contact', 'a', 'delete', '{}', 1, 1), ('contact', 'b', 'delete', '{}', 2, 2);
             DELETE FROM outbox WHERE entity_id = 'b';",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
        conn.execute(
            "INSERT INTO outbox (entity, entity_id, op, payload, state, created_at, updated_at) VALUES ('contact', 'c', 'create', '{}', 'uncertain', 3, 3)",
            [],
        )
        .unwrap();
        let seq: i64 = conn
            .query_row("SELECT seq FROM outbox WHERE entity_id = 'c'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(
            seq, 3,
            "a deleted operation's number is not handed out again"
        );
    }
}
