//! OAuth as GHL runs it: consent, single-use codes, rotating single-use refresh tokens,
//! client checks, agency tokens and location tokens.

mod common;

use std::collections::HashMap;

use common::Api;
use ghl_sandbox::{Consent, Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use reqwest::{header::LOCATION, StatusCode};
use serde_json::{json, Value};

const REDIRECT: &str = "http://127.0.0.1:53682/callback";
const SCOPES: &str = "contacts.readonly contacts.write";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn query_of(location: &str) -> HashMap<String, String> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

async fn consent_url(sandbox: &Sandbox, path: &str, state: &str) -> String {
    let mut url = url::Url::parse(&format!("{}{path}", sandbox.base_url())).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", DEMO_CLIENT_ID)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", SCOPES)
        .append_pair("state", state);
    url.to_string()
}

async fn token(sandbox: &Sandbox, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/oauth/token", sandbox.base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap())
}

/// Follows the consent page like a browser: GET the page, submit Allow for `location`.
async fn consent(
    sandbox: &Sandbox,
    location: &str,
    decision: &str,
    state: &str,
) -> HashMap<String, String> {
    let page = no_redirects()
        .get(consent_url(sandbox, "/v2/oauth/chooselocation", state).await)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Allow") && html.contains("Deny") && html.contains(location));
    let answer = no_redirects()
        .post(format!(
            "{}/oauth/chooselocation/decision",
            sandbox.base_url()
        ))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("scope", SCOPES),
            ("response_type", "code"),
            ("state", state),
            ("location", location),
            ("decision", decision),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let target = answer.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(target.starts_with(REDIRECT), "{target}");
    query_of(&target)
}

async fn sandbox() -> Sandbox {
    Sandbox::start_local(SandboxConfig {
        contacts: 5,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn consent_allow_gives_a_single_use_code_for_a_working_token() {
    let sandbox = sandbox().await;
    let location = sandbox.info().locations[1].id.clone();
    let params = consent(&sandbox, &location, "allow", "st-123").await;
    assert_eq!(params["state"], "st-123");
    let code = params["code"].clone();

    let form = [
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let (status, body) = token(&sandbox, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86399);
    assert_eq!(body["userType"], "Location");
    assert_eq!(body["locationId"], location.as_str());
    assert_eq!(body["scope"], SCOPES);
    for field in ["access_token", "refresh_token", "companyId", "userId"] {
        assert!(body[field].is_string(), "{field}");
    }
    let api = Api::new(
        sandbox.base_url(),
        body["access_token"].as_str().unwrap(),
        &location,
    );
    let search = api
        .post(
            "/contacts/search",
            json!({ "locationId": location, "pageLimit": 1 }),
        )
        .await;
    assert_eq!(search.status, StatusCode::OK);

    let (status, again) = token(&sandbox, &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error"], "invalid_grant");
    assert_eq!(
        again["error_description"],
        "authorization code has already been used"
    );
}

#[tokio::test]
async fn deny_and_bad_requests_are_reported_to_the_redirect_uri_or_the_page() {
    let sandbox = sandbox().await;
    let location = sandbox.info().locations[0].id.clone();
    let denied = consent(&sandbox, &location, "deny", "s1").await;
    assert_eq!(denied["error"], "access_denied");
    assert_eq!(denied["state"], "s1");

    let url = consent_url(&sandbox, "/oauth/chooselocation", "s2")
        .await
        .replace(
            "127.0.0.1%3A53682%2Fcallback",
            "127.0.0.1%3A53682%2Felsewhere",
        );
    let unregistered = no_redirects().get(url).send().await.unwrap();
    assert_eq!(
        unregistered.status(),
        StatusCode::BAD_REQUEST,
        "an unregistered redirect URI never gets a redirect"
    );

    let url = consent_url(&sandbox, "/oauth/chooselocation", "s3")
        .await
        .replace("contacts.write", "admin.everything");
    let scope = no_redirects().get(url).send().await.unwrap();
    assert_eq!(
        query_of(scope.headers()[LOCATION].to_str().unwrap())["error"],
        "invalid_scope"
    );
}

#[tokio::test]
async fn auto_approve_redirects_at_once() {
    let sandbox = sandbox().await;
    let location = sandbox.info().locations[2].id.clone();
    sandbox.set_consent(Consent {
        auto_approve: true,
        location_id: Some(location.clone()),
        ..Consent::default()
    });
    let resp = no_redirects()
        .get(consent_url(&sandbox, "/oauth/chooselocation", "auto").await)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let params = query_of(resp.headers()[LOCATION].to_str().unwrap());
    assert_eq!(params["state"], "auto");
    let form = [
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
        ("grant_type", "authorization_code"),
        ("code", params["code"].as_str()),
    ];
    let (status, body) = token(&sandbox, &form).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["locationId"], location.as_str());
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_is_rejected() {
    let sandbox = sandbox().await;
    sandbox.set_consent(Consent {
        auto_approve: true,
        ..Consent::default()
    });
    let resp = no_redirects()
        .get(consent_url(&sandbox, "/oauth/chooselocation", "r").await)
        .send()
        .await
        .unwrap();
    let code = query_of(resp.headers()[LOCATION].to_str().unwrap())["code"].clone();
    let (_, first) = token(
        &sandbox,
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
        ],
    )
    .await;
    let r1 = first["refresh_token"].as_str().unwrap();

    let refresh = |rt: String| {
        let sandbox = &sandbox;
        async move {
            token(
                sandbox,
                &[
                    ("client_id", DEMO_CLIENT_ID),
                    ("client_secret", DEMO_CLIENT_SECRET),
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &rt),
                ],
            )
            .await
        }
    };
    let (status, second) = refresh(r1.to_owned()).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let r2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(r1, r2);
    let (status, reused) = refresh(r1.to_owned()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(reused["error"], "invalid_grant");
    assert_eq!(
        reused["error_description"],
        "refresh token has already been used"
    );
    let (status, _) = refresh(r2).await;
    assert_eq!(status, StatusCode::OK);

    let (status, wrong) = token(
        &sandbox,
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", "wrong"),
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong["error"], "invalid_client");
    let json_body = reqwest::Client::new()
        .post(format!("{}/oauth/token", sandbox.base_url()))
        .json(&json!({ "client_id": DEMO_CLIENT_ID }))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn short_lived_access_tokens_expire() {
    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts: 3,
        access_token_lifetime_secs: 1,
        consent: Consent {
            auto_approve: true,
            ..Consent::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let resp = no_redirects()
        .get(consent_url(&sandbox, "/oauth/chooselocation", "x").await)
        .send()
        .await
        .unwrap();
    let code = query_of(resp.headers()[LOCATION].to_str().unwrap())["code"].clone();
    let (_, body) = token(
        &sandbox,
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(body["expires_in"], 1);
    let location = body["locationId"].as_str().unwrap().to_owned();
    let api = Api::new(
        sandbox.base_url(),
        body["access_token"].as_str().unwrap(),
        &location,
    );
    let path = format!("/contacts/?locationId={location}&limit=1");
    assert_eq!(api.get(&path).await.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let expired = api.get(&path).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        expired.body["message"],
        "Invalid token: access token is invalid"
    );
}

#[tokio::test]
async fn agency_tokens_list_locations_and_mint_location_tokens() {
    let sandbox = sandbox().await;
    sandbox.set_consent(Consent {
        auto_approve: true,
        company: true,
        ..Consent::default()
    });
    let mut url = url::Url::parse(&format!("{}/oauth/chooselocation", sandbox.base_url())).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", DEMO_CLIENT_ID)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "oauth.readonly oauth.write contacts.readonly");
    let resp = no_redirects().get(url).send().await.unwrap();
    let code = query_of(resp.headers()[LOCATION].to_str().unwrap())["code"].clone();
    let (_, agency) = token(
        &sandbox,
        &[
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
            ("grant_type", "authorization_code"),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(agency["userType"], "Company");
    assert_eq!(agency["approvedLocations"].as_array().unwrap().len(), 3);
    let company = agency["companyId"].as_str().unwrap().to_owned();
    let api = Api::new(
        sandbox.base_url(),
        agency["access_token"].as_str().unwrap(),
        "",
    );

    let listed = api
        .get(&format!(
            "/oauth/installedLocations?companyId={company}&appId={DEMO_CLIENT_ID}"
        ))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["count"], 3);
    let location = listed.body["locations"][0]["_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let minted = api
        .http
        .post(format!("{}/oauth/locationToken", api.base))
        .bearer_auth(&api.token)
        .header("Version", "2021-07-28")
        .form(&[
            ("companyId", company.as_str()),
            ("locationId", location.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(minted.status(), StatusCode::OK);
    let minted: Value = minted.json().await.unwrap();
    assert_eq!(minted["locationId"], location.as_str());
    assert!(minted["refresh_token"].is_string());
    let location_api = Api::new(
        api.base.as_str(),
        minted["access_token"].as_str().unwrap(),
        &location,
    );
    assert_eq!(
        location_api
            .get(&format!("/contacts/?locationId={location}&limit=1"))
            .await
            .status,
        StatusCode::OK
    );

    let contacts_with_agency = api
        .get(&format!("/contacts/?locationId={location}&limit=1"))
        .await;
    assert_eq!(
        contacts_with_agency.status,
        StatusCode::FORBIDDEN,
        "agency tokens cannot read a location directly"
    );
}
