//! The test rig shared by the engine's tests: an in-process sandbox, a client with a
//! Private Integration token, an in-memory store and a clock the test moves.

// Each test binary uses part of the rig.
#![allow(dead_code)]

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use desk_store::{model::ContactQuery, SyncStore};
use desk_sync::{sync_once, SyncOptions, SyncSummary};
use ghl::{ClientConfig, GhlClient, Record, RetryPolicy, StaticToken};
use ghl_sandbox::{Limits, LoggedRequest, Sandbox, SandboxConfig};
use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

pub struct Rig {
    pub sandbox: Sandbox,
    pub client: GhlClient,
    pub store: SyncStore,
    pub clock: Arc<AtomicI64>,
}

impl Rig {
    pub async fn new(contacts: usize) -> Self {
        Self::with_scopes(contacts, None).await
    }

    /// A rig whose token has only `scopes` (every scope when `None`).
    pub async fn with_scopes(contacts: usize, scopes: Option<&[&str]>) -> Self {
        let limits = Limits {
            max: 100_000,
            interval_ms: 200,
            daily: 1_000_000,
        };
        let sandbox = Sandbox::start_local(SandboxConfig {
            contacts,
            limits,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let location = sandbox.info().locations[0].clone();
        let mut config = ClientConfig::with_bases(sandbox.base_url(), sandbox.base_url()).unwrap();
        config.retry = RetryPolicy {
            max_retries: 2,
            base: std::time::Duration::from_millis(1),
            cap: std::time::Duration::from_millis(5),
        };
        let token = match scopes {
            Some(scopes) => sandbox
                .mint_private_integration(&location.id, scopes)
                .unwrap(),
            None => location.private_integration_token,
        };
        let client =
            GhlClient::new(config, Arc::new(StaticToken::new(token)), location.id).unwrap();
        Self {
            sandbox,
            client,
            store: SyncStore::open_in_memory().unwrap(),
            clock: Arc::new(AtomicI64::new(wall_clock())),
        }
    }

    pub async fn sync(&mut self) -> SyncSummary {
        self.sync_with(SyncOptions {
            children_budget: 10_000,
        })
        .await
    }

    pub async fn sync_with(&mut self, options: SyncOptions) -> SyncSummary {
        let clock = self.clock.clone();
        sync_once(
            &mut self.store,
            &self.client,
            options,
            move || clock.load(Ordering::SeqCst),
            &|_| {},
            &CancellationToken::new(),
        )
        .await
        .unwrap()
    }

    pub fn advance(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn since(&self) -> u64 {
        self.sandbox.requests(0).last().map_or(0, |r| r.seq)
    }

    pub fn log(&self, since: u64) -> Vec<LoggedRequest> {
        self.sandbox.requests(since)
    }

    pub async fn control(&self, path: &str, body: Value) -> Value {
        reqwest::Client::new()
            .post(format!("{}{path}", self.sandbox.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A contact as GHL holds it now.
    pub async fn on_ghl(&self, id: &str) -> Record {
        self.client.get_contact(id).await.unwrap()
    }

    pub fn some_contact(&self) -> String {
        self.store
            .list_contacts(&ContactQuery {
                limit: 1,
                ..ContactQuery::default()
            })
            .unwrap()
            .rows[0]
            .id
            .clone()
    }
}

/// Now, in epoch milliseconds: the rig's clock starts at the real time (appointment
/// windows are around it) and moves only when a test says so.
pub fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

pub fn fields(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

pub fn posts(log: &[LoggedRequest], path: &str) -> usize {
    log.iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .count()
}
