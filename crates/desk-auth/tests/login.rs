//! Sign-in against the in-process sandbox with scripted browsers: the whole OAuth
//! loopback flow, the demo, Private Integration tokens, and every way it can go wrong.

use std::{sync::Arc, time::Duration};

use desk_auth::{
    add_agency_location, agency_locations,
    credentials::{self, load_pair},
    sign_in_oauth, sign_in_private_integration, start_demo, Account, AuthError, Loopback,
    MarketplaceApp, MemoryVault, OAuthSettings, SignInKind, SignedIn, Vault,
};
use ghl::{ClientConfig, GhlClient, GhlError, SearchRequest};
use ghl_sandbox::{Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use tokio_util::sync::CancellationToken;

fn demo_app() -> MarketplaceApp {
    MarketplaceApp {
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: DEMO_CLIENT_SECRET.into(),
    }
}

fn settings() -> OAuthSettings {
    OAuthSettings {
        port: 0,
        timeout: Duration::from_secs(20),
        ..OAuthSettings::new(demo_app())
    }
}

/// How many contacts `client`'s location has, as one search says.
async fn contacts(client: &GhlClient) -> Result<u64, GhlError> {
    Ok(client
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await?
        .total)
}

async fn sandbox() -> (Sandbox, ClientConfig) {
    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts: 20,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let config = ClientConfig::with_bases(sandbox.base_url(), sandbox.base_url()).unwrap();
    (sandbox, config)
}

/// A person at the browser: opens the consent page, picks the location, presses
/// `decision`, and the browser follows the redirect back to the app.
fn person(location: String, decision: &'static str) -> impl FnOnce(url::Url) -> Result<(), String> {
    move |url| {
        tokio::spawn(async move {
            let browser = reqwest::Client::new();
            let page = browser
                .get(url.clone())
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(page.contains("Allow"));
            let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            let mut form: Vec<(String, String)> = query.into_iter().collect();
            form.push(("location".into(), location));
            form.push(("decision".into(), decision.into()));
            let base = format!("{}://{}", url.scheme(), url.host_str().unwrap())
                + &url.port().map(|p| format!(":{p}")).unwrap_or_default();
            let _ = browser
                .post(format!("{base}/oauth/chooselocation/decision"))
                .form(&form)
                .send()
                .await;
        });
        Ok(())
    }
}

#[tokio::test]
async fn oauth_sign_in_through_the_consent_page_stores_the_pair_in_the_vault() {
    let (sandbox, config) = sandbox().await;
    let location = sandbox.info().locations[1].id.clone();
    let vault = Arc::new(MemoryVault::default());
    let account = sign_in_oauth(
        &config,
        &settings(),
        vault.as_ref(),
        person(location.clone(), "allow"),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let SignedIn::Location(account) = account else {
        panic!("a location sign-in opens the location")
    };
    assert_eq!(account.location_id, location);
    assert_eq!(account.kind, SignInKind::OAuth);
    assert!(account
        .scopes
        .as_deref()
        .unwrap()
        .contains("contacts.write"));
    let pair = load_pair(vault.as_ref(), &location).unwrap().unwrap();
    assert!(!pair.refresh_token.is_empty());

    credentials::store_app(vault.as_ref(), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).unwrap();
    let client = credentials::client_for(&account, vault.clone(), config, None).unwrap();
    assert_eq!(contacts(&client).await.unwrap(), 2);
}

#[tokio::test]
async fn an_agency_install_lists_its_locations_and_keeps_each_as_its_own_account() {
    let (sandbox, config) = sandbox().await;
    let info = sandbox.info();
    let company = info.locations[0].company_id.clone();
    let vault = Arc::new(MemoryVault::default());
    let signed_in = sign_in_oauth(
        &config,
        &settings(),
        vault.as_ref(),
        person(company.clone(), "allow"),
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let SignedIn::Agency(agency) = signed_in else {
        panic!("choosing the agency signs in to the agency")
    };
    assert_eq!(agency.company_id, company);
    assert!(
        load_pair(vault.as_ref(), &company).unwrap().is_none(),
        "the agency's tokens are kept apart from any location's"
    );

    let app = demo_app();
    let mut listed: Vec<String> = agency_locations(&config, &app, vault.clone(), &company)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.id)
        .collect();
    let mut expected: Vec<String> = info
        .locations
        .iter()
        .filter(|l| l.company_id == company)
        .map(|l| l.id.clone())
        .collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);

    for location in &expected[..2] {
        let account = add_agency_location(&config, &app, vault.clone(), &company, location)
            .await
            .unwrap();
        assert_eq!(account.kind, SignInKind::OAuth);
        assert_eq!(account.company_id.as_deref(), Some(company.as_str()));
        credentials::store_app(vault.as_ref(), &app.client_id, &app.client_secret).unwrap();
        let client =
            credentials::client_for(&account, vault.clone(), config.clone(), None).unwrap();
        assert_eq!(client.location_id(), location);
        assert!(contacts(&client).await.is_ok());
    }
    assert!(load_pair(vault.as_ref(), &expected[0]).unwrap().is_some());
    assert!(load_pair(vault.as_ref(), &expected[1]).unwrap().is_some());
}

#[tokio::test]
async fn deny_is_reported() {
    let (sandbox, config) = sandbox().await;
    let location = sandbox.info().locations[0].id.clone();
    let err = sign_in_oauth(
        &config,
        &settings(),
        &MemoryVault::default(),
        person(location, "deny"),
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, AuthError::Denied(ref e) if e == "access_denied"),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_demo_signs_in_through_the_same_loopback_flow() {
    let vault = MemoryVault::default();
    let demo = start_demo(&vault, 50).await.unwrap();
    assert_eq!(demo.account.kind, SignInKind::Demo);
    assert_eq!(
        demo.account.location_id,
        demo.sandbox.info().locations[0].id
    );
    let log = demo.sandbox.requests(0);
    assert!(
        log.iter().any(|r| r.path == "/oauth/chooselocation"),
        "consent went through the sandbox"
    );
    assert!(log
        .iter()
        .any(|r| r.path == "/oauth/token" && r.status == 200));
    assert!(load_pair(&vault, &demo.account.location_id)
        .unwrap()
        .is_some());
}

async fn hit(url: &str) -> Result<reqwest::Response, reqwest::Error> {
    reqwest::Client::new().get(url).send().await
}

#[tokio::test]
async fn stray_requests_are_refused_and_only_the_real_answer_ends_the_wait() {
    let listener = Loopback::bind(0).await.unwrap();
    let uri = listener.redirect_uri();
    let origin = format!(
        "http://{}",
        uri.trim_start_matches("http://").split('/').next().unwrap()
    );
    let wait = tokio::spawn(async move {
        listener
            .wait_for_code(
                "the-state",
                Duration::from_secs(10),
                CancellationToken::new(),
            )
            .await
    });
    let idle = tokio::net::TcpStream::connect(origin.trim_start_matches("http://"))
        .await
        .unwrap();
    for stray in [
        format!("{uri}?code=abc&state=forged"),
        format!("{uri}?code=abc"),
        format!("{origin}/favicon.ico"),
        format!("{origin}/callback.png?state=the-state"),
    ] {
        let reply = hit(&stray).await.unwrap();
        assert_eq!(reply.status(), 400, "{stray}");
    }
    assert!(!wait.is_finished(), "stray requests do not end the sign-in");
    let ok = hit(&format!("{uri}?code=the-code&state=the-state"))
        .await
        .unwrap();
    assert!(ok.text().await.unwrap().contains("You can close this tab"));
    assert_eq!(wait.await.unwrap().unwrap(), "the-code");
    drop(idle);
    assert!(
        hit(&format!("{uri}?code=the-code&state=the-state"))
            .await
            .is_err(),
        "nothing listens after the one callback"
    );
}

#[tokio::test]
async fn a_callback_without_a_code_is_reported() {
    let listener = Loopback::bind(0).await.unwrap();
    let uri = listener.redirect_uri();
    let wait = tokio::spawn(async move {
        listener
            .wait_for_code("s", Duration::from_secs(10), CancellationToken::new())
            .await
    });
    assert_eq!(hit(&format!("{uri}?state=s")).await.unwrap().status(), 400);
    assert!(matches!(wait.await.unwrap(), Err(AuthError::MissingCode)));
}

#[tokio::test]
async fn the_listener_binds_loopback_only() {
    let listener = Loopback::bind(0).await.unwrap();
    assert!(listener.addr().ip().is_loopback());
    assert_eq!(listener.addr().ip().to_string(), "127.0.0.1");
    assert!(listener.redirect_uri().starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn sign_in_times_out_and_can_be_cancelled() {
    let listener = Loopback::bind(0).await.unwrap();
    let err = listener
        .wait_for_code("s", Duration::from_millis(200), CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::TimedOut(_)));

    let (sandbox, config) = sandbox().await;
    let cancel = CancellationToken::new();
    let canceller = cancel.clone();
    let never_answers = move |_url: url::Url| {
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            canceller.cancel();
        });
        Ok(())
    };
    let err = sign_in_oauth(
        &config,
        &settings(),
        &MemoryVault::default(),
        never_answers,
        cancel,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AuthError::Cancelled));
    let broken_browser = |_url: url::Url| Err("no browser installed".to_owned());
    let err = sign_in_oauth(
        &config,
        &settings(),
        &MemoryVault::default(),
        broken_browser,
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AuthError::Browser(_)));
    drop(sandbox);
}

#[tokio::test]
async fn private_integration_tokens_are_checked_before_they_are_saved() {
    let (sandbox, config) = sandbox().await;
    let location = &sandbox.info().locations[0];
    let vault = MemoryVault::default();
    let err = sign_in_private_integration(&config, &vault, "pit-not-real", &location.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::Ghl(GhlError::Unauthorized(_))),
        "{err:?}"
    );
    assert_eq!(
        vault.get(&format!("location:{}:pit", location.id)).unwrap(),
        None,
        "a bad token is not saved"
    );
    let account: Account = sign_in_private_integration(
        &config,
        &vault,
        &format!("  {}  ", location.private_integration_token),
        &location.id,
    )
    .await
    .unwrap();
    assert_eq!(account.kind, SignInKind::PrivateIntegration);
    let vault: Arc<dyn Vault> = Arc::new(vault);
    let client = credentials::client_for(&account, vault.clone(), config, None).unwrap();
    assert!(contacts(&client).await.is_ok());
    credentials::forget(vault.as_ref(), &location.id).unwrap();
    assert!(
        credentials::client_for(&account, vault, ClientConfig::default(), None).is_err(),
        "sign out deletes the secret"
    );
}
