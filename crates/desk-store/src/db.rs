//! Opening a location's database: pragmas for durability and concurrency, migrations,
//! and the clock the store stamps changes with.

use std::{path::Path, sync::Arc};

use rusqlite::{Connection, OpenFlags, Params};

use crate::{
    error::{StoreError, StoreResult},
    migrations::migrations,
};

/// Milliseconds since the epoch; injectable so tests control time.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// Now, by the wall clock, in milliseconds since the epoch.
pub fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(wall_clock_ms)
}

/// One location's local store, as the user's side of the app uses it: every read, every
/// user edit, the review of queued changes and the account's settings. What only the
/// sync engine may do (mark sends, acknowledge them, write GHL's records) lives on
/// [`SyncStore`], so a command holding a `Store` cannot do it.
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) clock: Clock,
    pub(crate) ranks: crate::ranks::Ranks,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.conn.path())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to
    /// date. A database from a newer GHL Desk is refused with [`StoreError::TooNew`].
    /// An existing file that is empty or not a database is refused with
    /// [`StoreError::Corrupt`], never silently made into an empty store; disk problems
    /// name the file ([`StoreError::about_file`]).
    pub fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Migration(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            return Err(StoreError::Corrupt {
                path: path.to_owned(),
                why: "the file is empty".into(),
            });
        }
        let opened = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(StoreError::from)
        .and_then(|conn| Self::setup(conn, system_clock()));
        opened.map_err(|err| match err {
            StoreError::Migration(why) if why.contains("not a database") => StoreError::Corrupt {
                path: path.to_owned(),
                why,
            },
            other => other.about_file(path),
        })
    }

    /// An in-memory store (tests, benchmarks).
    pub fn open_in_memory() -> StoreResult<Self> {
        Self::setup(Connection::open_in_memory()?, system_clock())
    }

    /// Replaces the clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn setup(mut conn: Connection, clock: Clock) -> StoreResult<Self> {
        // First, so that every later statement waits for another connection's write
        // (the app's reader, its sync, the CLI) instead of failing at once.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a committed edit survives power loss, not just a crash of the app.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // An ingest runs a few dozen distinct statements per record; keep them all.
        conn.set_prepared_statement_cache_capacity(128);
        migrations().to_latest(&mut conn).map_err(|err| match err {
            rusqlite_migration::Error::MigrationDefinition(
                rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
            ) => StoreError::TooNew,
            other => StoreError::Migration(other.to_string()),
        })?;
        Ok(Self {
            conn,
            clock,
            ranks: crate::ranks::Ranks::default(),
        })
    }

    /// A write transaction that takes the write lock when it begins. A deferred one
    /// that reads first would fail at once ("database is locked") when another
    /// connection wrote meanwhile; this one waits its turn instead.
    pub(crate) fn write_tx(&mut self) -> StoreResult<rusqlite::Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    pub(crate) fn now(&self) -> i64 {
        (self.clock)()
    }
}

/// The sync engine's handle on a location's store: everything a [`Store`] offers plus
/// the operations that only the engine may call (pulled records, sends and their
/// outcomes, cursors and fetch status). Opened on its own connection.
#[derive(Debug)]
pub struct SyncStore {
    pub(crate) store: Store,
}

impl SyncStore {
    /// Opens the database at `path` for the sync engine (see [`Store::open`]).
    pub fn open(path: &Path) -> StoreResult<Self> {
        Ok(Self {
            store: Store::open(path)?,
        })
    }

    /// An in-memory store for the engine (tests, benchmarks).
    pub fn open_in_memory() -> StoreResult<Self> {
        Ok(Self {
            store: Store::open_in_memory()?,
        })
    }

    /// Replaces the clock (tests).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self {
            store: self.store.with_clock(clock),
        }
    }
}

impl std::ops::Deref for SyncStore {
    type Target = Store;

    fn deref(&self) -> &Store {
        &self.store
    }
}

impl std::ops::DerefMut for SyncStore {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.store
    }
}

/// Runs a statement through the connection's statement cache: the statements of an
/// ingest run once per record, so preparing each once matters.
pub(crate) fn execute_cached(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_with_wal_and_foreign_keys_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locations/abc.sqlite3");
        {
            let store = Store::open(&path).unwrap();
            let mode: String = store
                .conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            assert_eq!(mode, "wal");
            let fk: i64 = store
                .conn
                .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .unwrap();
            assert_eq!(fk, 1);
        }
        Store::open(&path).unwrap();
    }

    #[test]
    fn an_empty_or_foreign_file_is_refused_not_made_empty() {
        let dir = tempfile::tempdir().unwrap();
        for (name, contents) in [
            ("empty.sqlite3", &b""[..]),
            ("junk.sqlite3", &[7u8; 4096][..]),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, contents).unwrap();
            match Store::open(&path) {
                Err(StoreError::Corrupt { path: named, .. }) => assert_eq!(named, path),
                other => panic!("{name}: {other:?}"),
            }
            assert_eq!(
                std::fs::read(&path).unwrap(),
                contents,
                "{name}: left untouched"
            );
        }
    }

    #[test]
    fn a_full_disk_names_the_file_and_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("full.sqlite3");
        let mut store = Store::open(&path).unwrap();
        let pages: i64 = store
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        store
            .conn
            .pragma_update(None, "max_page_count", pages + 2)
            .unwrap();
        let err = (0..1_000)
            .find_map(|n| {
                let mut fields = serde_json::Map::new();
                fields.insert(
                    "firstName".into(),
                    format!("Filler {n} {}", "x".repeat(200)).into(),
                );
                store.create_contact(fields).err()
            })
            .expect("the disk fills up");
        let explained = err.about_file(&path).to_string();
        assert!(
            explained.contains("full") && explained.contains("full.sqlite3"),
            "{explained}"
        );
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite3");
        drop(Store::open(&path).unwrap());
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew)));
    }
}
