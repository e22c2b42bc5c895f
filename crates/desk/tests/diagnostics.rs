//! The support bundle carries counts and log lines, never a secret or a contact's data.

mod common;

use common::{sync, Rig};

#[tokio::test]
async fn the_support_bundle_has_counts_and_no_secret_or_contact_data() {
    let rig = Rig::new(25).await;
    let location_id = rig.sign_in().await;
    let location = rig.desk.location().unwrap();
    sync(&location).await;
    let info = rig.sandbox.info();
    let token = info.locations[0].private_integration_token.clone();
    let contact = rig
        .sandbox
        .contact(&rig.sandbox.contact_ids(&location_id)[0])
        .unwrap();
    let email = contact["email"].as_str().unwrap().to_owned();
    let phone = contact["phone"].as_str().unwrap().to_owned();
    let logs = rig.desk.layout().logs_dir();
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(
        logs.join("ghl-desk.2026-12-02.log"),
        format!(
            "INFO sync cycle ended\nDEBUG sent with token {token}\nDEBUG contact {email} {phone}\n"
        ),
    )
    .unwrap();

    let bundle = rig.desk.diagnostics("1.2.3", None);
    assert!(bundle.starts_with("GHL Desk 1.2.3 diagnostics"), "{bundle}");
    assert!(
        bundle.contains(&format!(
            "{location_id} (PrivateIntegration, open): 25 contacts"
        )),
        "{bundle}"
    );
    assert!(bundle.contains("INFO sync cycle ended"), "{bundle}");
    for secret in desk_auth::credentials::secrets_of(rig.vault.as_ref(), &[location.account()]) {
        assert!(
            !bundle.contains(&secret),
            "a secret in the bundle:\n{bundle}"
        );
    }
    assert!(!bundle.contains(&token), "{bundle}");
    assert!(!bundle.contains(&email), "{bundle}");
    assert!(!bundle.contains(&phone), "{bundle}");
    let first = contact["firstName"].as_str().unwrap_or("");
    assert!(
        first.is_empty() || !bundle.contains(&format!(" {first} ")),
        "{bundle}"
    );
}
