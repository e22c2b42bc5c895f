//! A desk over a fresh data folder and an in-process sandbox, with a memory vault.

// Each test binary uses part of the rig.
#![allow(dead_code)]

use std::sync::Arc;

use desk::{Desk, DeskConfig};
use desk_auth::{MemoryVault, Vault};
use desk_store::DataLayout;
use ghl::{ClientConfig, RetryPolicy};
use ghl_sandbox::{Limits, Sandbox, SandboxConfig};
use serde_json::{Map, Value};

pub struct Rig {
    pub sandbox: Sandbox,
    pub dir: tempfile::TempDir,
    pub vault: Arc<dyn Vault>,
    pub desk: Arc<Desk>,
}

pub fn api(sandbox: &Sandbox) -> ClientConfig {
    let mut config = ClientConfig::with_bases(sandbox.base_url(), sandbox.base_url()).unwrap();
    config.retry = RetryPolicy {
        max_retries: 2,
        base: std::time::Duration::from_millis(1),
        cap: std::time::Duration::from_millis(5),
    };
    config
}

impl Rig {
    pub async fn new(contacts: usize) -> Self {
        let sandbox = Sandbox::start_local(SandboxConfig {
            contacts,
            limits: Limits {
                max: 100_000,
                interval_ms: 1_000,
                daily: 1_000_000,
            },
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
        let desk = Arc::new(Self::desk_over(&sandbox, dir.path(), vault.clone()));
        Self {
            sandbox,
            dir,
            vault,
            desk,
        }
    }

    /// Another process on the same data folder and keychain.
    pub fn desk_over(sandbox: &Sandbox, dir: &std::path::Path, vault: Arc<dyn Vault>) -> Desk {
        Desk::new(DeskConfig {
            layout: DataLayout::at(dir),
            vault,
            api: api(sandbox),
            token: None,
        })
        .unwrap()
    }

    /// Signs in to the sandbox's first location with its Private Integration token.
    pub async fn sign_in(&self) -> String {
        let location = self.sandbox.info().locations[0].clone();
        self.desk
            .sign_in_private_integration(&location.private_integration_token, &location.id)
            .await
            .unwrap();
        location.id
    }
}

/// One sync cycle of `location`, with its own options, failing the test on an error.
pub async fn sync(location: &desk::Location) -> desk::SyncSummary {
    location
        .sync(
            location.sync_options(),
            &|| 0,
            &|_| {},
            std::time::Duration::from_secs(1),
        )
        .await
        .unwrap()
}

/// The id of the first contact in the cached list.
pub fn first_contact(location: &desk::Location) -> String {
    location
        .list_contacts(&desk::ContactQuery::default())
        .unwrap()
        .rows[0]
        .id
        .clone()
}

pub fn fields(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}
