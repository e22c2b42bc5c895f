//! Signing in and out through the application layer, every way, and deleting a
//! location's local data only after the user confirmed what is lost.

mod common;

use common::{fields, sync, Rig};
use desk::{ErrorKind, OAuthOutcome, Phase, SignInApp, SignInKind};
use ghl_sandbox::{Consent, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use serde_json::json;

#[tokio::test]
async fn a_private_integration_sign_in_opens_the_location_and_is_kept() {
    let rig = Rig::new(5).await;
    assert!(rig.desk.location().is_err(), "nothing open yet");
    let location = rig.sign_in().await;
    let status = rig.desk.accounts_status();
    assert_eq!(status.account.unwrap().location_id, location);
    assert_eq!(status.accounts.len(), 1);
    let again = Rig::desk_over(&rig.sandbox, rig.dir.path(), rig.vault.clone());
    assert_eq!(
        again.location().unwrap().account().location_id,
        location,
        "the next launch opens it again"
    );
    let err = rig
        .desk
        .sign_in_private_integration("pit-wrong", &location)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
}

#[tokio::test]
async fn a_sync_learns_the_location_name_and_keeps_it_with_the_account() {
    let rig = Rig::new(2).await;
    rig.sign_in().await;
    let location = rig.desk.location().unwrap();
    assert_eq!(
        location.account().name,
        None,
        "a Private Integration token names no location"
    );
    sync(&location).await;
    let name = rig.sandbox.info().locations[0].name.clone();
    assert_eq!(location.account().name.as_deref(), Some(name.as_str()));
    let status = rig.desk.accounts_status();
    assert_eq!(
        status.accounts[0].name.as_deref(),
        Some(name.as_str()),
        "kept for the next launch"
    );
}

#[tokio::test]
async fn the_name_is_known_while_a_first_sync_still_fetches_notes_and_tasks() {
    let rig = Rig::new(3).await;
    rig.sign_in().await;
    let location = rig.desk.location().unwrap();
    let name = rig.sandbox.info().locations[0].name.clone();
    let seen = std::sync::Mutex::new(Vec::new());
    location
        .sync(
            location.sync_options(),
            &|| 0,
            &|step| {
                if step.phase == Phase::Children {
                    seen.lock().unwrap().push(location.account().name);
                }
            },
            std::time::Duration::from_secs(1),
        )
        .await
        .unwrap();
    let seen = seen.into_inner().unwrap();
    assert!(!seen.is_empty(), "the sync fetched children");
    assert!(
        seen.iter()
            .all(|named| named.as_deref() == Some(name.as_str())),
        "named from the first child fetched on: {seen:?}"
    );
}

#[tokio::test]
async fn an_oauth_sign_in_goes_through_the_consent_page_and_the_loopback() {
    let rig = Rig::new(5).await;
    rig.sandbox.set_consent(Consent {
        auto_approve: true,
        ..Consent::default()
    });
    let browser = reqwest::Client::new();
    let open = move |url: url::Url| {
        tokio::spawn(async move {
            let _ = browser.get(url).send().await;
        });
        Ok(())
    };
    let app = SignInApp {
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: DEMO_CLIENT_SECRET.into(),
        port: Some(0),
    };
    let OAuthOutcome::Location { account } = rig.desk.sign_in_oauth(app, open).await.unwrap()
    else {
        panic!("the consent picked a location")
    };
    assert_eq!(account.kind, SignInKind::OAuth);
    let location = rig.desk.location().unwrap();
    assert_eq!(location.account().location_id, account.location_id);
    let summary = sync(&location).await;
    assert_eq!(summary.pulled, 5, "the stored pair works");
}

#[tokio::test]
async fn the_demo_signs_in_to_its_own_sandbox_and_is_not_kept() {
    let rig = Rig::new(1).await;
    let account = rig.desk.sign_in_demo().await.unwrap();
    assert_eq!(account.kind, SignInKind::Demo);
    assert!(rig.desk.location().unwrap().is_demo());
    assert!(rig.desk.accounts_status().accounts.is_empty());
}

#[tokio::test]
async fn signing_out_closes_the_location_and_forgets_its_secret() {
    let rig = Rig::new(3).await;
    let location = rig.sign_in().await;
    rig.desk.sign_out(&location).await.unwrap();
    assert!(rig.desk.location().is_err());
    assert!(rig.desk.accounts_status().accounts.is_empty());
    assert_eq!(
        rig.vault.get(&format!("location:{location}:pit")).unwrap(),
        None
    );
}

#[tokio::test]
async fn local_data_is_deleted_only_with_the_unsent_count_confirmed() {
    let rig = Rig::new(5).await;
    let location = rig.sign_in().await;
    let open = rig.desk.location().unwrap();
    sync(&open).await;
    open.create_contact(fields(json!({ "firstName": "Unsent" })))
        .unwrap();
    let summary = rig.desk.cache_summary(&location).unwrap();
    assert_eq!((summary.unsent_changes, summary.contacts), (1, 6));
    open.create_contact(fields(json!({ "firstName": "Later" })))
        .unwrap();
    let err = rig.desk.delete_local_data(&location, 1).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid, "more unsent than confirmed");
    assert_eq!(rig.desk.cache_summary(&location).unwrap().unsent_changes, 2);
    rig.desk.delete_local_data(&location, 2).await.unwrap();
    let gone = rig.desk.cache_summary(&location).unwrap();
    assert!(!gone.exists);
    let open = rig.desk.location().unwrap();
    assert_eq!(open.account().location_id, location, "still signed in");
    assert_eq!(
        open.list_contacts(&desk::ContactQuery::default())
            .unwrap()
            .total,
        0,
        "a fresh cache"
    );
}

#[tokio::test]
async fn a_damaged_database_is_reported_kept_aside_and_started_over() {
    let rig = Rig::new(4).await;
    let location = rig.sign_in().await;
    let path = rig.desk.layout().location_database(&location).unwrap();
    std::fs::write(
        &path,
        b"this is not a database, just bytes left by a broken disk",
    )
    .unwrap();
    let again = std::sync::Arc::new(Rig::desk_over(
        &rig.sandbox,
        rig.dir.path(),
        rig.vault.clone(),
    ));
    let err = again
        .location()
        .unwrap()
        .list_contacts(&desk::ContactQuery::default())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Damaged);
    assert!(
        err.message.contains(&path.display().to_string()),
        "{}",
        err.message
    );
    assert!(
        std::fs::read(&path).unwrap().starts_with(b"this is not"),
        "not recreated empty"
    );
    let aside = again.set_aside_local_data(&location).await.unwrap();
    assert!(
        std::fs::read(&aside).unwrap().starts_with(b"this is not"),
        "kept aside"
    );
    let open = again.location().unwrap();
    let summary = sync(&open).await;
    assert_eq!(summary.pulled, 4, "fetched again from HighLevel");
}
