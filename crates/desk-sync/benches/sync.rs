//! Sync benchmark at GHL's real rate limit (100 requests per 10 s) against the sandbox:
//! (1) a first full sync of N contacts with every contact's notes, tasks and
//! appointments; (2) flushing 1,000 queued edits. For each: wall time, requests, 429s,
//! and the ratio of the wall time to the floor the limit allows for that many requests
//! ((⌈requests / 100⌉ − 1) × 10 s; goal ≤ 1.05, 0 × 429). `GHL_BENCH_CONTACTS` sets N
//! (default 300; 10,000 takes about 17 minutes because of the limit) and
//! `GHL_BENCH_LATENCY_MS` the sandbox's answer latency (default 150 ms, like a real
//! round trip to GHL, so that the figures include hiding latency behind concurrency).

use std::{sync::Arc, time::Instant};

use desk_store::SyncStore;
use desk_sync::{sync_once, SyncOptions};
use ghl::{ClientConfig, GhlClient, StaticToken};
use ghl_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use tokio_util::sync::CancellationToken;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn report(label: &str, sandbox: &Sandbox, since: u64, started_ms: i64, seconds: f64) -> u64 {
    let log = sandbox.requests(since);
    let after = |n: usize| {
        log.get(n - 1)
            .map_or("-".to_owned(), |r| format!("{} ms", r.time_ms - started_ms))
    };
    println!(
        "{label}: ramp: request 1 after {}, 10 after {}, 100 after {}",
        after(1),
        after(10),
        after(100)
    );
    let requests = log.len() as f64;
    let limited = log.iter().filter(|r| r.status == 429).count();
    let floor = ((requests / 100.0).ceil() - 1.0).max(0.0) * 10.0;
    let ratio = if floor > 0.0 {
        format!("{:.3}", seconds / floor)
    } else {
        "n/a".into()
    };
    println!("{label}: {requests} requests in {seconds:.1} s; floor {floor:.1} s; ratio {ratio}; 429s {limited}");
    log.last().map_or(since, |r| r.seq)
}

#[tokio::main]
async fn main() {
    let contacts: usize = std::env::var("GHL_BENCH_CONTACTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let latency_ms: u64 = std::env::var("GHL_BENCH_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts,
        faults: ghl_sandbox::Faults {
            latency_ms,
            ..ghl_sandbox::Faults::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let location = sandbox.info().locations[0].clone();
    let config = ClientConfig::with_bases(sandbox.base_url(), sandbox.base_url()).expect("config");
    let client = GhlClient::new(
        config,
        Arc::new(StaticToken::new(location.private_integration_token)),
        location.id,
    )
    .expect("client");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = SyncStore::open(&dir.path().join("bench.sqlite3")).expect("store");
    let options = SyncOptions {
        children_budget: u32::try_from(contacts).unwrap_or(u32::MAX),
    };
    let cancel = CancellationToken::new();

    let started = Instant::now();
    let started_ms = now_ms();
    let summary = sync_once(&mut store, &client, options, now_ms, &|_| {}, &cancel)
        .await
        .expect("first sync");
    let since = report(
        &format!(
            "first sync of {} contacts with children ({} ms latency)",
            summary.pulled, latency_ms
        ),
        &sandbox,
        0,
        started_ms,
        started.elapsed().as_secs_f64(),
    );

    let rows = store
        .list_contacts(&desk_store::model::ContactQuery {
            limit: 500,
            ..Default::default()
        })
        .expect("list")
        .rows;
    let mut edits = 0;
    'queue: for round in 0.. {
        for (n, row) in rows.iter().enumerate() {
            if edits == 1000 {
                break 'queue;
            }
            match (round + n) % 3 {
                0 => {
                    let fields = json!({ "firstName": format!("Bench{round}x{n}"), "email": format!("bench{round}x{n}@example.com") });
                    store
                        .create_contact(fields.as_object().cloned().unwrap_or_default())
                        .expect("create");
                }
                1 => store
                    .create_note(&row.id, &format!("bench note {round}x{n}"), None)
                    .map(|_| ())
                    .expect("note"),
                _ => store
                    .update_contact(
                        &row.id,
                        json!({ "city": format!("Bench {round}x{n}") })
                            .as_object()
                            .cloned()
                            .unwrap_or_default(),
                    )
                    .expect("update"),
            }
            edits += 1;
        }
    }
    let queued = store.outbox().expect("outbox").len();
    let started = Instant::now();
    let started_ms = now_ms();
    let summary = sync_once(
        &mut store,
        &client,
        SyncOptions { children_budget: 0 },
        now_ms,
        &|_| {},
        &cancel,
    )
    .await
    .expect("flush");
    report(
        &format!(
            "flush of {edits} edits ({queued} operations, {} pushed)",
            summary.pushed
        ),
        &sandbox,
        since,
        started_ms,
        started.elapsed().as_secs_f64(),
    );
}
