//! Store benchmarks over a realistic 100,000-contact location (seeded by the sandbox's
//! generator): ingest rate, search-as-you-type latency (p50/p99 over 1,000 queries) and
//! the time from opening the database file to the first page of the list.
//! `GHL_BENCH_CONTACTS` changes the size.

use std::time::{Duration, Instant};

use desk_store::{
    model::{Carried, ContactQuery, Pulled},
    Store, SyncStore,
};
use ghl_sandbox::seed::{seed, SeedConfig};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
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
    drop(store);

    let t = Instant::now();
    let store = Store::open(&path).expect("reopen");
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
}
