//! Refresh-token rotation, which works once per token: concurrent 401s share one
//! refresh; a process that crashed before storing the rotated pair leaves a spent one,
//! and the app then says "sign in again" cleanly with the queued edits untouched; and
//! when the app and a CLI refresh the same location, the second re-reads the vault
//! instead of spending the same refresh token, so nobody is asked to sign in again.
//! No token ever lands in the database.

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

use desk_auth::{
    credentials::{self, load_pair, tokens_key},
    start_demo, AuthError, Demo, MemoryVault, Vault,
};
use desk_store::{model::ContactQuery, Store};
use ghl::{GhlClient, GhlError, SearchRequest};
use ghl_sandbox::{LoggedRequest, DEMO_CLIENT_SECRET};

/// A keychain that dies (as the process would) when asked to store the rotated pair.
struct CrashOnWrite(MemoryVault);

impl Vault for CrashOnWrite {
    fn put(&self, _key: &str, _secret: &str) -> Result<(), AuthError> {
        Err(AuthError::Vault(
            "simulated crash before the rotated pair was stored".into(),
        ))
    }
    fn get(&self, key: &str) -> Result<Option<String>, AuthError> {
        self.0.get(key)
    }
    fn delete(&self, key: &str) -> Result<(), AuthError> {
        self.0.delete(key)
    }
    fn persistent(&self) -> bool {
        true
    }
}

async fn expire(demo: &Demo) {
    reqwest::Client::new()
        .post(format!("{}/_sandbox/expire", demo.sandbox.base_url()))
        .json(&serde_json::json!({ "locationId": demo.account.location_id }))
        .send()
        .await
        .unwrap();
}

async fn one_search(client: &GhlClient) -> Result<u64, GhlError> {
    Ok(client
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await?
        .total)
}

fn refreshes(log: &[LoggedRequest]) -> usize {
    log.iter().filter(|r| r.path == "/oauth/token").count()
}

#[tokio::test]
async fn fifty_concurrent_401s_share_one_refresh() {
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
    let demo = start_demo(vault.as_ref(), 10).await.unwrap();
    let before = load_pair(vault.as_ref(), &demo.account.location_id)
        .unwrap()
        .unwrap();
    let client =
        credentials::client_for(&demo.account, vault.clone(), demo.config.clone(), None).unwrap();
    expire(&demo).await;
    let since = demo.sandbox.requests(0).last().map_or(0, |r| r.seq);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { one_search(&client).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let log = demo.sandbox.requests(since);
    assert_eq!(refreshes(&log), 1, "exactly one refresh");
    let after = load_pair(vault.as_ref(), &demo.account.location_id)
        .unwrap()
        .unwrap();
    assert_ne!(after, before, "the rotated pair was stored");
    let refresh_at = log.iter().position(|r| r.path == "/oauth/token").unwrap();
    assert!(
        log[refresh_at + 1..].iter().all(|r| r.status == 200),
        "every retry after the refresh succeeded"
    );
}

#[tokio::test]
async fn a_revoked_sign_in_asks_to_sign_in_again() {
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
    let demo = start_demo(vault.as_ref(), 3).await.unwrap();
    let client =
        credentials::client_for(&demo.account, vault.clone(), demo.config.clone(), None).unwrap();
    reqwest::Client::new()
        .post(format!("{}/_sandbox/revoke", demo.sandbox.base_url()))
        .json(&serde_json::json!({ "locationId": demo.account.location_id }))
        .send()
        .await
        .unwrap();
    let err = one_search(&client).await.unwrap_err();
    assert!(
        matches!(err, GhlError::Unauthorized(ref m) if m.contains("sign in again")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_lost_rotation_asks_to_sign_in_again_and_keeps_queued_edits() {
    let vault = MemoryVault::default();
    let demo = start_demo(&vault, 10).await.unwrap();
    let location = demo.account.location_id.clone();
    let stored = load_pair(&vault, &location).unwrap().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("location.sqlite3");
    let mut store = Store::open(&db).unwrap();
    let local = store
        .create_contact(
            serde_json::json!({ "firstName": "Queued", "email": "queued@example.com" })
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
    store.create_note(&local, "written offline", None).unwrap();

    // First run: the access token expires, the refresh succeeds on GHL, then the process
    // "crashes" before the new pair reaches the keychain.
    let crashing = Arc::new(CrashOnWrite(MemoryVault::default()));
    crashing
        .0
        .put(
            &tokens_key(&location),
            &vault.get(&tokens_key(&location)).unwrap().unwrap(),
        )
        .unwrap();
    expire(&demo).await;
    let first_run =
        credentials::client_for(&demo.account, crashing.clone(), demo.config.clone(), None)
            .unwrap();
    assert!(
        one_search(&first_run).await.is_ok(),
        "the run itself carries on with the in-memory pair"
    );
    assert_eq!(
        load_pair(crashing.as_ref(), &location).unwrap().unwrap(),
        stored,
        "the keychain still holds the spent pair"
    );

    // Next launch: only the spent pair is known.
    expire(&demo).await;
    let next_run =
        credentials::client_for(&demo.account, crashing.clone(), demo.config.clone(), None)
            .unwrap();
    let err = one_search(&next_run).await.unwrap_err();
    assert!(
        matches!(err, GhlError::Unauthorized(ref m) if m.contains("sign in again")),
        "{err:?}"
    );

    drop(store);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.outbox().unwrap().len(), 2, "queued edits survive");
    assert_eq!(
        store.list_contacts(&ContactQuery::default()).unwrap().total,
        1
    );

    let bytes = std::fs::read(&db).unwrap();
    let wal = std::fs::read(db.with_extension("sqlite3-wal")).unwrap_or_default();
    for secret in [
        &stored.access_token,
        &stored.refresh_token,
        &DEMO_CLIENT_SECRET.to_owned(),
    ] {
        let needle = secret.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "a secret reached the database"
        );
        assert!(
            !wal.windows(needle.len()).any(|w| w == needle),
            "a secret reached the database's WAL"
        );
    }
}

#[tokio::test]
async fn two_processes_refreshing_one_location_share_the_rotated_pair() {
    let vault: Arc<dyn Vault> = Arc::new(MemoryVault::default());
    let demo = start_demo(vault.as_ref(), 5).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let lock = Some(dir.path().join("loc.refresh.lock"));
    // The app and the CLI: two clients with their own in-memory pairs over one vault.
    let app = credentials::client_for(
        &demo.account,
        vault.clone(),
        demo.config.clone(),
        lock.clone(),
    )
    .unwrap();
    let cli =
        credentials::client_for(&demo.account, vault.clone(), demo.config.clone(), lock).unwrap();
    expire(&demo).await;
    one_search(&cli)
        .await
        .expect("the CLI refreshes and stores the new pair");
    one_search(&app)
        .await
        .expect("the app finds the CLI's pair in the vault, not a spent refresh token");
    expire(&demo).await;
    one_search(&app)
        .await
        .expect("and refreshes it later itself");
    one_search(&cli).await.expect("which the CLI then picks up");
    let log = demo.sandbox.requests(0);
    assert!(
        log.iter()
            .filter(|r| r.path == "/oauth/token")
            .all(|r| r.status == 200),
        "no refresh token was spent twice"
    );
}

/// A keychain whose next read of a pair still returns the old one: another process's
/// write not visible yet when this one checks before refreshing.
#[derive(Default)]
struct LaggingVault {
    inner: MemoryVault,
    stale: Mutex<Option<String>>,
    stale_reads: AtomicUsize,
}

impl Vault for LaggingVault {
    fn put(&self, key: &str, secret: &str) -> Result<(), AuthError> {
        self.inner.put(key, secret)
    }
    fn get(&self, key: &str) -> Result<Option<String>, AuthError> {
        if self.stale_reads.load(Ordering::SeqCst) > 0 {
            self.stale_reads.fetch_sub(1, Ordering::SeqCst);
            return Ok(self.stale.lock().unwrap().clone());
        }
        self.inner.get(key)
    }
    fn delete(&self, key: &str) -> Result<(), AuthError> {
        self.inner.delete(key)
    }
    fn persistent(&self) -> bool {
        true
    }
}

#[tokio::test]
async fn a_refresh_token_spent_elsewhere_is_replaced_from_the_vault() {
    let vault = Arc::new(LaggingVault::default());
    let demo = start_demo(vault.as_ref(), 5).await.unwrap();
    let key = tokens_key(&demo.account.location_id);
    let old = vault.get(&key).unwrap();
    let app =
        credentials::client_for(&demo.account, vault.clone(), demo.config.clone(), None).unwrap();
    let other =
        credentials::client_for(&demo.account, vault.clone(), demo.config.clone(), None).unwrap();
    expire(&demo).await;
    one_search(&other).await.unwrap();
    *vault.stale.lock().unwrap() = old;
    vault.stale_reads.store(1, Ordering::SeqCst);
    one_search(&app)
        .await
        .expect("the spent refresh token sends the app back to the vault, once");
    let spent = demo
        .sandbox
        .requests(0)
        .iter()
        .filter(|r| r.path == "/oauth/token" && r.status == 400)
        .count();
    assert_eq!(
        spent, 1,
        "the old refresh token was tried, refused, and not tried again"
    );
}
