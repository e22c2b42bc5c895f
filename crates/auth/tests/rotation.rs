//! A crash between receiving a rotated token pair and storing it: on the next launch the
//! stored refresh token is already spent, so the app must say "sign in again" cleanly,
//! and the user's queued edits must be untouched. No token ever lands in the database.

use std::sync::Arc;

use desk_auth::{session, start_demo, AuthError, MemoryVault, Vault};
use desk_store::{model::ContactQuery, Store};
use ghl::{GhlError, OAuthApp};
use ghl_sandbox::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

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

fn app() -> OAuthApp {
    OAuthApp {
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: DEMO_CLIENT_SECRET.into(),
        user_type: "Location".into(),
    }
}

#[tokio::test]
async fn a_lost_rotation_asks_to_sign_in_again_and_keeps_queued_edits() {
    let vault = MemoryVault::default();
    let demo = start_demo(&vault, 10).await.unwrap();
    let location = demo.account.location_id.clone();
    let stored = session::load_pair(&vault, &location).unwrap().unwrap();

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
            &session::tokens_key(&location),
            &vault.get(&session::tokens_key(&location)).unwrap().unwrap(),
        )
        .unwrap();
    reqwest::Client::new()
        .post(format!("{}/_sandbox/expire", demo.sandbox.base_url()))
        .json(&serde_json::json!({ "locationId": location }))
        .send()
        .await
        .unwrap();
    let first_run =
        session::oauth_client(demo.config.clone(), app(), crashing.clone(), &location).unwrap();
    assert!(
        first_run.list_contacts(1, None, None, None).await.is_ok(),
        "the session itself carries on with the in-memory pair"
    );
    assert_eq!(
        session::load_pair(crashing.as_ref(), &location)
            .unwrap()
            .unwrap(),
        stored,
        "the keychain still holds the spent pair"
    );

    // Next launch: only the spent pair is known.
    reqwest::Client::new()
        .post(format!("{}/_sandbox/expire", demo.sandbox.base_url()))
        .json(&serde_json::json!({ "locationId": location }))
        .send()
        .await
        .unwrap();
    let next_run =
        session::oauth_client(demo.config.clone(), app(), crashing.clone(), &location).unwrap();
    let err = next_run
        .list_contacts(1, None, None, None)
        .await
        .unwrap_err();
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
