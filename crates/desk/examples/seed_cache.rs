//! Fills a data folder with a signed-in location whose cache holds many contacts, for
//! measuring the window on a large location (`scripts/bench-window.sh`).
//!
//! Usage: `seed_cache <data folder> [contacts]` (100,000 by default). The location is
//! signed in against a throw-away sandbox and its token kept in memory only, so the app
//! opens it with the cache and no token: it shows the list and asks to sign in again,
//! and never syncs while it is being measured.

use std::sync::Arc;
use std::time::Instant;

use desk::{Desk, DeskConfig};
use desk_auth::{MemoryVault, Vault};
use desk_store::{
    model::{Carried, Pulled},
    DataLayout, SyncStore,
};
use ghl::ClientConfig;
use ghl_sandbox::seed::{seed, SeedConfig};
use ghl_sandbox::{Sandbox, SandboxConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: seed_cache <data folder> [contacts]")?;
    let contacts: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(100_000);

    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts: 1,
        ..SandboxConfig::default()
    })
    .await?;
    let location = sandbox.info().locations[0].clone();
    let layout = DataLayout::at(&dir);
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
    let desk = Desk::new(DeskConfig {
        layout: layout.clone(),
        vault,
        api: ClientConfig::with_bases(sandbox.base_url(), sandbox.base_url())?,
        token: None,
    })?;
    desk.sign_in_private_integration(&location.private_integration_token, &location.id)
        .await?;
    drop(desk);

    let world = seed(SeedConfig { seed: 7, contacts });
    let first = world.locations[0].id.clone();
    let records: Vec<Pulled> = world
        .contacts_of(&first)
        .map(|c| Pulled {
            record: c.clone(),
            carried: Carried::All,
        })
        .collect();
    let started = Instant::now();
    let mut store = SyncStore::open(&layout.location_database(&location.id)?)?;
    for batch in records.chunks(1000) {
        store.apply_contacts(batch)?;
    }
    println!(
        "{} contacts cached for location {} in {:.1} s",
        records.len(),
        location.id,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
