//! Every log line of a full session at TRACE level (demo sign-in through the loopback,
//! a Private Integration sign-in, a refresh that rotates the pair, an agency install
//! minting a location token, and a sync that pushes an edit) is captured and searched
//! for every secret involved: none may appear, nor in the location's database files.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use desk_auth::{
    add_agency_location, agency_locations, credentials, sign_in_oauth, start_demo, MarketplaceApp,
    MemoryVault, OAuthSettings, SignedIn, Vault,
};
use desk_store::SyncStore;
use ghl::ClientConfig;
use ghl_sandbox::{Consent, Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use tokio_util::sync::CancellationToken;

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn app() -> MarketplaceApp {
    MarketplaceApp {
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: DEMO_CLIENT_SECRET.into(),
    }
}

fn pair_secrets(vault: &dyn Vault, location: &str) -> Vec<String> {
    let pair = credentials::load_pair(vault, location).unwrap().unwrap();
    vec![pair.access_token, pair.refresh_token]
}

#[tokio::test]
async fn no_secret_reaches_the_logs_or_the_database() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let vault = Arc::new(MemoryVault::default());
    let demo = start_demo(vault.as_ref(), 30).await.unwrap();
    let location = demo.account.location_id.clone();
    let mut secrets = vec![DEMO_CLIENT_SECRET.to_owned()];
    secrets.extend(pair_secrets(vault.as_ref(), &location));

    // A refresh rotates the pair; both old and new secrets count.
    reqwest::Client::new()
        .post(format!("{}/_sandbox/expire", demo.sandbox.base_url()))
        .json(&serde_json::json!({ "locationId": location }))
        .send()
        .await
        .unwrap();
    let client =
        credentials::client_for(&demo.account, vault.clone(), demo.config.clone(), None).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("location.sqlite3");
    let mut store = SyncStore::open(&db).unwrap();
    desk_sync::sync_once(
        &mut store,
        &client,
        desk_sync::SyncOptions { children_budget: 5 },
        || 0,
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    let contact = store
        .list_contacts(&desk_store::model::ContactQuery::default())
        .unwrap()
        .rows[0]
        .id
        .clone();
    store
        .update_contact(
            &contact,
            serde_json::json!({ "city": "Logville" })
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
    desk_sync::sync_once(
        &mut store,
        &client,
        desk_sync::SyncOptions { children_budget: 0 },
        || 0,
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    secrets.extend(pair_secrets(vault.as_ref(), &location));

    // A Private Integration token, checked with a real call.
    let pit = demo.sandbox.info().locations[1]
        .private_integration_token
        .clone();
    let pit_location = demo.sandbox.info().locations[1].id.clone();
    desk_auth::sign_in_private_integration(&demo.config, vault.as_ref(), &pit, &pit_location)
        .await
        .unwrap();
    secrets.push(pit);

    // An agency install: its own pair, the listing, and a minted location pair.
    let agency_sandbox = Sandbox::start_local(SandboxConfig {
        contacts: 3,
        seed: 99,
        consent: Consent {
            auto_approve: true,
            company: true,
            ..Consent::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let config =
        ClientConfig::with_bases(agency_sandbox.base_url(), agency_sandbox.base_url()).unwrap();
    let browser = reqwest::Client::new();
    let open = move |url: url::Url| {
        tokio::spawn(async move {
            let _ = browser.get(url).send().await;
        });
        Ok(())
    };
    let settings = OAuthSettings {
        port: 0,
        ..OAuthSettings::new(app())
    };
    let SignedIn::Agency(agency) = sign_in_oauth(
        &config,
        &settings,
        vault.as_ref(),
        open,
        CancellationToken::new(),
    )
    .await
    .unwrap() else {
        panic!("the consent picked the agency")
    };
    let company_pair = vault
        .get(&credentials::company_tokens_key(&agency.company_id))
        .unwrap()
        .unwrap();
    let company_pair: serde_json::Value = serde_json::from_str(&company_pair).unwrap();
    secrets.push(company_pair["access"].as_str().unwrap().to_owned());
    secrets.push(company_pair["refresh"].as_str().unwrap().to_owned());
    let locations = agency_locations(&config, &app(), vault.clone(), &agency.company_id)
        .await
        .unwrap();
    let minted = add_agency_location(
        &config,
        &app(),
        vault.clone(),
        &agency.company_id,
        &locations[0].id,
    )
    .await
    .unwrap();
    secrets.extend(pair_secrets(vault.as_ref(), &minted.location_id));

    drop(store);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("signed in with OAuth")
            && logs.contains("Private Integration")
            && logs.contains("added an agency location"),
        "the run was logged at all: {} bytes",
        logs.len()
    );
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        files.push(std::fs::read(entry.unwrap().path()).unwrap());
    }
    secrets.sort();
    secrets.dedup();
    assert!(
        secrets.len() >= 10,
        "old and new pairs, agency and minted pairs, PIT, client secret: {}",
        secrets.len()
    );
    for secret in &secrets {
        assert!(secret.len() >= 16, "a real secret, not a placeholder");
        assert!(!logs.contains(secret.as_str()), "a secret reached the logs");
        for bytes in &files {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret reached the database files"
            );
        }
    }
}
