//! Every fault switch does what it says, and the request log shows it.

mod common;

use common::{control, start};
use ghl_sandbox::Faults;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn latency_is_added() {
    let (sandbox, api) = start(3).await;
    let path = format!("/contacts/{}", api.some_contact().await);
    sandbox
        .set_faults(Faults {
            latency_ms: 150,
            ..Faults::default()
        })
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(api.get(&path).await.status, StatusCode::OK);
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
}

#[tokio::test]
async fn error_rate_one_answers_5xx_without_handling() {
    let (sandbox, api) = start(3).await;
    let count_before = sandbox.info().locations[0].contacts;
    sandbox
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();
    for _ in 0..10 {
        let r = api
            .post(
                "/contacts/",
                json!({ "locationId": api.location, "firstName": "X" }),
            )
            .await;
        assert!(r.status.is_server_error(), "{}", r.status);
        assert!(r.headers.contains_key("x-ratelimit-remaining"));
    }
    assert_eq!(sandbox.info().locations[0].contacts, count_before);
    sandbox
        .set_faults(Faults {
            error_rate: 0.5,
            ..Faults::default()
        })
        .unwrap();
    let mut failures = 0;
    for _ in 0..60 {
        if api
            .get(&format!("/contacts/?locationId={}&limit=1", api.location))
            .await
            .status
            .is_server_error()
        {
            failures += 1;
        }
    }
    assert!(
        (10..=50).contains(&failures),
        "{failures} of 60 failed at rate 0.5"
    );
}

#[tokio::test]
async fn burst_429_answers_the_next_n_requests() {
    let (sandbox, api) = start(3).await;
    let path = format!("/contacts/{}", api.some_contact().await);
    sandbox
        .set_faults(Faults {
            burst_429: 3,
            ..Faults::default()
        })
        .unwrap();
    for _ in 0..3 {
        let r = api.get(&path).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers.contains_key("x-ratelimit-interval-milliseconds"));
    }
    assert_eq!(api.get(&path).await.status, StatusCode::OK);
}

#[tokio::test]
async fn reset_before_commit_drops_the_connection_and_writes_nothing() {
    let (sandbox, api) = start(3).await;
    let before = sandbox.info().locations[0].contacts;
    sandbox
        .set_faults(Faults {
            reset_before_commit: 1,
            ..Faults::default()
        })
        .unwrap();
    let sent = api
        .http
        .post(format!("{}/contacts/", api.base))
        .bearer_auth(&api.token)
        .header("Version", "2021-07-28")
        .json(&json!({ "locationId": api.location, "email": "reset@example.com" }))
        .send()
        .await;
    assert!(
        sent.is_err(),
        "the connection should drop without an answer"
    );
    assert_eq!(sandbox.info().locations[0].contacts, before);
    let log = sandbox.requests(0);
    let last = log.last().unwrap();
    assert!(last.dropped);
    assert_eq!(last.status, 0);
    let retried = api
        .post(
            "/contacts/",
            json!({ "locationId": api.location, "email": "reset@example.com" }),
        )
        .await;
    assert_eq!(retried.status, StatusCode::CREATED);
}

#[tokio::test]
async fn reset_after_commit_applies_the_write_then_drops() {
    let (sandbox, api) = start(3).await;
    let before = sandbox.info().locations[0].contacts;
    sandbox
        .set_faults(Faults {
            reset_after_commit: 1,
            ..Faults::default()
        })
        .unwrap();
    let sent = api
        .http
        .post(format!("{}/contacts/", api.base))
        .bearer_auth(&api.token)
        .header("Version", "2021-07-28")
        .json(&json!({ "locationId": api.location, "email": "after@example.com" }))
        .send()
        .await;
    assert!(sent.is_err());
    assert_eq!(sandbox.info().locations[0].contacts, before + 1);
    let found = api
        .get(&format!(
            "/contacts/search/duplicate?locationId={}&email=after%40example.com",
            api.location
        ))
        .await;
    assert!(found.body["contact"]["id"].is_string(), "the write landed");
    let read = api
        .get(&format!(
            "/contacts/{}",
            found.body["contact"]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        read.status,
        StatusCode::OK,
        "reads are not affected by write faults"
    );
}

#[tokio::test]
async fn create_422_but_created_stores_the_contact() {
    let (sandbox, api) = start(3).await;
    sandbox
        .set_faults(Faults {
            create_422_but_created: 1,
            ..Faults::default()
        })
        .unwrap();
    let r = api
        .post(
            "/contacts/",
            json!({ "locationId": api.location, "email": "ghost@example.com" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body["message"].is_array());
    let found = api
        .get(&format!(
            "/contacts/search/duplicate?locationId={}&email=ghost%40example.com",
            api.location
        ))
        .await;
    assert!(found.body["contact"]["id"].is_string());
}

#[tokio::test]
async fn control_api_revokes_expires_edits_deletes_and_logs() {
    let (sandbox, api) = start(5).await;
    let contact = api.some_contact().await;
    let path = format!("/contacts/{contact}");

    let faults = control(
        &sandbox,
        Method::PUT,
        "/_sandbox/faults",
        json!({ "burst429": 1, "latencyMs": 0 }),
    )
    .await;
    assert_eq!(faults["burst429"], 1);
    assert_eq!(api.get(&path).await.status, StatusCode::TOO_MANY_REQUESTS);

    let before = api.get(&path).await.body["contact"]["dateUpdated"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let edited = control(
        &sandbox,
        Method::POST,
        "/_sandbox/edit",
        json!({ "kind": "contact", "contactId": contact, "fields": { "firstName": "Changed" } }),
    )
    .await;
    assert_eq!(edited["firstName"], "Changed");
    let after = api.get(&path).await.body["contact"].clone();
    assert_eq!(after["firstName"], "Changed");
    assert!(after["dateUpdated"].as_str().unwrap() > before.as_str());

    let note = api
        .post(&format!("{path}/notes"), json!({ "body": "hello" }))
        .await
        .body["note"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    control(&sandbox, Method::POST, "/_sandbox/edit", json!({ "kind": "note", "contactId": contact, "id": note, "fields": { "body": "edited elsewhere" } })).await;
    assert_eq!(
        api.get(&format!("{path}/notes/{note}")).await.body["note"]["body"],
        "edited elsewhere"
    );
    control(
        &sandbox,
        Method::POST,
        "/_sandbox/delete",
        json!({ "kind": "note", "contactId": contact, "id": note }),
    )
    .await;
    assert_eq!(
        api.get(&format!("{path}/notes/{note}")).await.status,
        StatusCode::NOT_FOUND
    );

    let log = control(&sandbox, Method::GET, "/_sandbox/requests", json!(null)).await;
    let entries = log.as_array().unwrap();
    assert!(entries.iter().any(|e| e["status"] == 429));
    let post = entries
        .iter()
        .find(|e| e["method"] == "POST" && e["path"] == format!("{path}/notes"))
        .unwrap();
    assert_eq!(post["status"], 201);
    assert_eq!(post["bodySha256"].as_str().unwrap().len(), 64);
    assert!(post["appId"].is_string());

    let extra = sandbox
        .mint_private_integration(&api.location, &["contacts.readonly"])
        .unwrap();
    let revoked = control(
        &sandbox,
        Method::POST,
        "/_sandbox/revoke",
        json!({ "token": extra }),
    )
    .await;
    assert_eq!(revoked["revoked"], 1);
    assert_eq!(
        api.with_token(&extra).get(&path).await.status,
        StatusCode::UNAUTHORIZED
    );

    control(
        &sandbox,
        Method::POST,
        "/_sandbox/delete",
        json!({ "kind": "contact", "contactId": contact }),
    )
    .await;
    assert_eq!(api.get(&path).await.status, StatusCode::NOT_FOUND);
    let cleared = control(&sandbox, Method::DELETE, "/_sandbox/requests", json!(null)).await;
    assert!(cleared["cleared"].as_u64().unwrap() > 5);
    assert!(sandbox.requests(0).is_empty());

    let bad = reqwest::Client::new()
        .put(format!("{}/_sandbox/faults", sandbox.base_url()))
        .json(&json!({ "errorRate": 2.0 }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
