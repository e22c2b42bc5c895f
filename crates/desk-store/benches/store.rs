//! Store benchmarks over a realistic 100,000-contact location (seeded by the sandbox's
//! generator): ingest rate, search-as-you-type latency (p50/p99 over 1,000 queries) and
//! the time from opening the database file to the first page of the list, and the
//! time bulk edits of every contact matching a one-letter search take to queue.
//! `GHL_BENCH_CONTACTS` changes the size.

use std::time::{Duration, Instant};

use desk_store::{
    model::{Carried, ContactQuery, ContactSort, Pulled},
    Store, SyncStore,
};
use ghl_sandbox::seed::{seed, SeedConfig};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Milliseconds of the slowest of three runs of `f`.
fn ms<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut worst = 0.0f64;
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        last = Some(f());
        worst = worst.max(t.elapsed().as_secs_f64() * 1e3);
    }
    (worst, last.expect("ran"))
}

/// A page of 50 at the start, the middle and the end of the list, for each order.
fn deep_pages(store: &SyncStore, total: u32) {
    for (label, sort) in [
        ("name", ContactSort::Name),
        ("newest", ContactSort::DateAdded),
        ("recently changed", ContactSort::DateUpdated),
    ] {
        let figures: Vec<String> = [0, total / 2, total.saturating_sub(50)]
            .iter()
            .map(|&offset| {
                let (took, page) = ms(|| {
                    store
                        .list_contacts(&ContactQuery {
                            sort,
                            offset,
                            limit: 50,
                            ..ContactQuery::default()
                        })
                        .expect("page")
                });
                assert_eq!(page.rows.len(), 50);
                format!("{took:.2} ms at {offset}")
            })
            .collect();
        println!("page of 50 by {label}: {}", figures.join(", "));
    }
}

/// The first rows of a one-letter search by name must be the first matches by name.
fn common_prefix(store: &SyncStore, records: &[Pulled]) {
    let (took, page) = ms(|| {
        store
            .list_contacts(&ContactQuery {
                search: Some("a".into()),
                limit: 50,
                ..ContactQuery::default()
            })
            .expect("search")
    });
    let starts_a = |v: Option<&str>| {
        v.is_some_and(|s| {
            s.split(|c: char| !c.is_alphanumeric())
                .any(|w| w.to_lowercase().starts_with('a'))
        })
    };
    let matching = records
        .iter()
        .filter(|r| {
            ["firstName", "lastName", "email", "companyName"]
                .iter()
                .any(|k| starts_a(r.record.get(*k).and_then(|v| v.as_str())))
        })
        .count();
    let mut names: Vec<String> = Vec::new();
    for offset in (0..).step_by(desk_store::MAX_PAGE as usize) {
        let rows = store
            .list_contacts(&ContactQuery {
                offset,
                limit: desk_store::MAX_PAGE,
                ..ContactQuery::default()
            })
            .expect("walk")
            .rows;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            let hit = [
                &row.first_name,
                &row.last_name,
                &row.email,
                &row.company_name,
            ]
            .iter()
            .any(|v| starts_a(v.as_deref()))
                || row.tags.iter().any(|t| t.starts_with('a'));
            if hit {
                names.push(row.id.clone());
            }
            if names.len() >= 50 {
                break;
            }
        }
        if names.len() >= 50 {
            break;
        }
    }
    let right = page.rows.iter().zip(&names).all(|(row, id)| &row.id == id);
    println!(
        "search \"a\" by name: {took:.2} ms, {} matches (about {matching} by name, email or company), first 50 rows in name order: {}",
        page.total,
        if right { "yes" } else { "NO" }
    );
}

/// The last four digits of a phone number find its contact.
fn phone_endings(store: &SyncStore, records: &[Pulled]) {
    let mut found = 0;
    let mut tried = 0;
    let mut timings = Vec::new();
    for record in records.iter().step_by(997).take(100) {
        let Some(phone) = record.record.get("phone").and_then(|v| v.as_str()) else {
            continue;
        };
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let ending = &digits[digits.len().saturating_sub(4)..];
        tried += 1;
        let t = Instant::now();
        store
            .list_contacts(&ContactQuery {
                search: Some(ending.to_owned()),
                limit: 50,
                ..ContactQuery::default()
            })
            .expect("search");
        timings.push(t.elapsed());
        let id = record.record.get("id").and_then(|v| v.as_str());
        let all = store
            .matching_contact_ids(&ContactQuery {
                search: Some(ending.to_owned()),
                ..ContactQuery::default()
            })
            .expect("search");
        if all.iter().any(|r| Some(r.as_str()) == id) {
            found += 1;
        }
    }
    timings.sort();
    println!(
        "last four digits of a phone: {found} of {tried} contacts found, p50 {:.2} ms",
        percentile(&timings, 0.5).as_secs_f64() * 1e3
    );
}

/// The tag and business filters' lists, read again after every sync and edit.
fn filter_lists(store: &SyncStore) {
    let (tags_took, tags) = ms(|| store.tags().expect("tags"));
    let (businesses_took, businesses) = ms(|| store.businesses().expect("businesses"));
    println!(
        "filter lists: {} tags in {tags_took:.2} ms, {} businesses in {businesses_took:.2} ms",
        tags.len(),
        businesses.len()
    );
}

/// Tags, untags, then deletes every contact matching "a" (about a third of the
/// location): the time from the user's confirmation to each edit being accepted, and the
/// first page of the pending screen with that queue behind it.
fn bulk_edits(store: &mut Store) {
    let query = ContactQuery {
        search: Some("a".into()),
        ..ContactQuery::default()
    };
    let ids = store.matching_contact_ids(&query).expect("matching ids");
    let tags = vec!["bench-bulk".to_owned()];
    let t = Instant::now();
    let tagged = store.bulk_tags(&ids, &tags, true).expect("bulk tag");
    let tag_took = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let page = store.changes_to_review(200).expect("review page");
    let review_took = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let untagged = store.bulk_tags(&ids, &tags, false).expect("bulk untag");
    let untag_took = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let deleted = store.bulk_delete(&ids).expect("bulk delete");
    let delete_took = t.elapsed().as_secs_f64();
    println!(
        "bulk tag: {tagged} contacts in {tag_took:.2} s ({:.0} µs each), untag {untagged} in {untag_took:.2} s, delete {deleted} in {delete_took:.2} s; first 200 pending in {review_took:.2} ms",
        tag_took * 1e6 / f64::from(tagged.max(1)),
    );
    assert_eq!(page.len(), 200);
}

fn main() {
    let size: usize = std::env::var("GHL_BENCH_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let world = seed(SeedConfig {
        seed: 7,
        contacts: size,
    });
    let first_location = world.locations[0].id.clone();
    let records: Vec<Pulled> = world
        .contacts_of(&first_location)
        .map(|c| Pulled {
            record: c.clone(),
            carried: Carried::All,
        })
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite3");

    let mut store = SyncStore::open(&path).expect("open");
    let started = Instant::now();
    for batch in records.chunks(1000) {
        store.apply_contacts(batch).expect("ingest");
    }
    let ingest = started.elapsed();
    println!(
        "ingest: {} contacts in {:.2} s = {:.0} contacts/s",
        records.len(),
        ingest.as_secs_f64(),
        records.len() as f64 / ingest.as_secs_f64()
    );

    let prefixes: Vec<String> = records
        .iter()
        .cycle()
        .step_by(97)
        .take(1000)
        .enumerate()
        .map(|(i, r)| {
            let field = match i % 4 {
                0 => r.record["firstName"].as_str(),
                1 => r.record["lastName"].as_str(),
                2 => r.record["email"].as_str(),
                _ => r.record["phone"].as_str().map(|p| &p[2..8]),
            };
            let text = field.unwrap_or("a");
            text.chars().take(2 + i % 3).collect()
        })
        .collect();
    let mut timings = Vec::with_capacity(prefixes.len());
    for prefix in &prefixes {
        let query = ContactQuery {
            search: Some(prefix.clone()),
            limit: 50,
            ..ContactQuery::default()
        };
        let t = Instant::now();
        let page = store.list_contacts(&query).expect("search");
        timings.push(t.elapsed());
        assert!(page.total > 0, "{prefix} found nothing");
    }
    timings.sort();
    println!(
        "search (first 50 rows + total, {} queries): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        timings.len(),
        percentile(&timings, 0.5).as_secs_f64() * 1e3,
        percentile(&timings, 0.99).as_secs_f64() * 1e3,
        timings.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    deep_pages(&store, records.len() as u32);
    common_prefix(&store, &records);
    phone_endings(&store, &records);
    filter_lists(&store);
    drop(store);

    let t = Instant::now();
    let mut store = Store::open(&path).expect("reopen");
    let page = store
        .list_contacts(&ContactQuery {
            limit: 100,
            ..ContactQuery::default()
        })
        .expect("first page");
    println!(
        "open to first page: {:.2} ms ({} of {} contacts)",
        t.elapsed().as_secs_f64() * 1e3,
        page.rows.len(),
        page.total
    );
    bulk_edits(&mut store);
}
