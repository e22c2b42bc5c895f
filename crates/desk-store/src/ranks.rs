//! Each contact's position in each order of the list, read once from the order's index
//! and kept until the database changes. A search or filter then pages its matches by
//! position: the first page of a one-letter search over 100,000 contacts takes the same
//! few milliseconds as a rare name, and a page deep in the matches no more, where a
//! sort or an index walk would cost tens of milliseconds.

use std::cell::RefCell;

use rusqlite::Connection;

use crate::{error::StoreResult, model::ContactSort};

/// Positions by contact row id, for one order (`u32::MAX`: not in the list).
type Positions = Vec<u32>;

/// The cached positions, with the database state they were read at.
#[derive(Default)]
pub(crate) struct Ranks {
    cached: RefCell<Cached>,
}

#[derive(Default)]
struct Cached {
    stamp: Option<(i64, u64)>,
    by: [Option<Positions>; 3],
}

fn slot(sort: ContactSort) -> usize {
    match sort {
        ContactSort::Name => 0,
        ContactSort::DateAdded => 1,
        ContactSort::DateUpdated => 2,
    }
}

/// The order's index walked from the first row to the last.
fn walk(sort: ContactSort) -> &'static str {
    match sort {
        ContactSort::Name => {
            "SELECT rowid FROM contacts INDEXED BY contacts_by_name ORDER BY sort_name, id"
        }
        ContactSort::DateAdded => {
            "SELECT rowid FROM contacts INDEXED BY contacts_by_added ORDER BY date_added DESC, id DESC"
        }
        ContactSort::DateUpdated => {
            "SELECT rowid FROM contacts INDEXED BY contacts_by_updated ORDER BY date_updated DESC, id DESC"
        }
    }
}

impl Ranks {
    /// Orders `rowids` as the list would and returns the `offset..offset + limit` slice
    /// of them.
    pub(crate) fn page(
        &self,
        conn: &Connection,
        rowids: &[i64],
        sort: ContactSort,
        reverse: bool,
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<i64>> {
        let mut cached = self.cached.borrow_mut();
        // Another connection's commit moves `data_version`; this one's own writes move
        // `total_changes`.
        let data_version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let stamp = Some((data_version, conn.total_changes()));
        if cached.stamp != stamp {
            *cached = Cached {
                stamp,
                ..Cached::default()
            };
        }
        let positions = match &mut cached.by[slot(sort)] {
            Some(positions) => positions,
            empty => empty.insert(read_positions(conn, sort)?),
        };
        let key = |rowid: i64| {
            let at = usize::try_from(rowid)
                .ok()
                .and_then(|i| positions.get(i))
                .copied()
                .unwrap_or(u32::MAX);
            if reverse && at != u32::MAX {
                u32::MAX - 1 - at
            } else {
                at
            }
        };
        let mut keyed: Vec<(u32, i64)> = rowids.iter().map(|&r| (key(r), r)).collect();
        let end = (offset + limit).min(keyed.len());
        if offset >= end {
            return Ok(Vec::new());
        }
        if end < keyed.len() {
            keyed.select_nth_unstable(end);
            keyed.truncate(end);
        }
        keyed.sort_unstable();
        Ok(keyed[offset..].iter().map(|&(_, rowid)| rowid).collect())
    }
}

fn read_positions(conn: &Connection, sort: ContactSort) -> StoreResult<Positions> {
    let mut stmt = conn.prepare_cached(walk(sort))?;
    let mut positions: Positions = Vec::new();
    let mut rows = stmt.query([])?;
    let mut at = 0u32;
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(0)?;
        let Ok(index) = usize::try_from(rowid) else {
            continue;
        };
        if positions.len() <= index {
            positions.resize(index + 1, u32::MAX);
        }
        positions[index] = at;
        at += 1;
    }
    Ok(positions)
}
