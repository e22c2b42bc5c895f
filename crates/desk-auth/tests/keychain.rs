//! The real OS keychain. On Linux this needs a running, unlocked Secret Service, so it is
//! ignored by a plain `cargo test`; `scripts/test.sh` runs it inside `dbus-run-session`
//! with gnome-keyring unlocked (`--ignored`).

use desk_auth::{best_vault, credentials, KeyringVault, Vault};
use ghl::TokenPair;

#[test]
#[ignore = "needs an unlocked OS keychain; scripts/test.sh provides one"]
fn tokens_round_trip_through_the_os_keychain() {
    assert!(
        KeyringVault::usable(),
        "the keychain did not store and return a secret"
    );
    let dir = tempfile::tempdir().unwrap();
    let vault = best_vault(dir.path()).unwrap();
    assert!(
        vault.persistent(),
        "best_vault picked the session-only fallback"
    );
    let location = format!("test{}", std::process::id());
    let pair = TokenPair {
        access_token: "access-123".into(),
        refresh_token: "refresh-456".into(),
    };
    credentials::store_pair(vault.as_ref(), &location, &pair).unwrap();
    let fresh = KeyringVault;
    assert_eq!(
        credentials::load_pair(&fresh, &location).unwrap(),
        Some(pair),
        "a second handle reads what the first stored"
    );
    credentials::forget(&fresh, &location).unwrap();
    assert_eq!(
        fresh.get(&credentials::tokens_key(&location)).unwrap(),
        None,
        "sign out removed it"
    );
}
