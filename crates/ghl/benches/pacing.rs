//! Pacing benchmark: N searches (default 1,000) from 16 concurrent tasks against the
//! sandbox at GHL's real limit (100 per 10 s). Prints the wall time, the floor the limit
//! allows ((⌈N / 100⌉ − 1) × 10 s), their ratio (goal ≤ 1.05), the 429s the sandbox
//! answered (goal 0) and when each window of 100 requests began. `GHL_BENCH_REQUESTS`
//! changes N.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Instant,
};

use ghl::{ClientConfig, GhlClient, SearchRequest, StaticToken};
use ghl_sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() {
    let total: usize = std::env::var("GHL_BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts: 200,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let info = sandbox.info();
    let location = &info.locations[0];
    let config = ClientConfig::with_bases(sandbox.base_url(), sandbox.base_url()).expect("config");
    let token = Arc::new(StaticToken::new(location.private_integration_token.clone()));
    let client = Arc::new(GhlClient::new(config, token, location.id.clone()).expect("client"));

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let (client, next) = (client.clone(), next.clone());
            tokio::spawn(async move {
                let one = SearchRequest {
                    page_limit: 1,
                    ..SearchRequest::default()
                };
                while next.fetch_add(1, Ordering::SeqCst) < total {
                    client.search_contacts(&one).await.expect("request");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    let elapsed = started.elapsed().as_secs_f64();

    let log = sandbox.requests(0);
    let limited = log.iter().filter(|r| r.status == 429).count();
    let budget = client.budget();
    let floor = ((total as f64 / f64::from(budget.max)).ceil() - 1.0).max(0.0)
        * budget.interval.as_secs_f64();
    let ratio = if floor > 0.0 {
        format!("{:.3}", elapsed / floor)
    } else {
        "n/a (one window)".into()
    };
    println!("pacing: {total} requests in {elapsed:.2} s; floor {floor:.2} s; ratio {ratio}; 429s {limited}; requests seen {}", log.len());
    if let Some(first) = log.first() {
        let starts: Vec<String> = log
            .iter()
            .step_by(budget.max as usize)
            .map(|r| format!("{:.2}", (r.time_ms - first.time_ms) as f64 / 1000.0))
            .collect();
        println!("window starts (s): {}", starts.join(" "));
    }
    println!(
        "daily budget left: {:?} of {:?}",
        budget.daily_remaining, budget.daily_limit
    );
}
