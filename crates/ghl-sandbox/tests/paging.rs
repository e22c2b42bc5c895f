//! Both paging styles see every contact exactly once, including runs of contacts that
//! share a timestamp, and the `dateUpdated` range filter pages incrementally.

mod common;

use std::collections::{HashMap, HashSet};

use common::start;
use ghl_sandbox::{Limits, Sandbox, SandboxConfig};
use serde_json::{json, Value};

async fn unlimited(contacts: usize) -> (Sandbox, common::Api) {
    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts,
        limits: Limits {
            max: 1_000_000,
            interval_ms: 10_000,
            daily: 10_000_000,
        },
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let info = sandbox.info();
    let api = common::Api::new(
        sandbox.base_url(),
        &info.locations[0].private_integration_token,
        &info.locations[0].id,
    );
    (sandbox, api)
}

fn ids(page: &Value) -> Vec<String> {
    page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn search_after_by_date_updated_sees_every_contact_once() {
    let (_sandbox, api) = unlimited(2500).await;
    let mut seen = HashSet::new();
    let mut per_timestamp: HashMap<String, usize> = HashMap::new();
    let mut cursor: Option<Value> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({ "locationId": api.location, "pageLimit": 100, "sort": [{ "field": "dateUpdated", "direction": "asc" }] });
        if let Some(c) = &cursor {
            body["searchAfter"] = c.clone();
        }
        let page = api.post("/contacts/search", body).await;
        assert_eq!(page.body["total"], 2500);
        let contacts = page.body["contacts"].as_array().unwrap().clone();
        if contacts.is_empty() {
            break;
        }
        pages += 1;
        for c in &contacts {
            assert!(
                seen.insert(c["id"].as_str().unwrap().to_owned()),
                "contact seen twice"
            );
            *per_timestamp
                .entry(c["dateUpdated"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
        cursor = Some(contacts.last().unwrap()["searchAfter"].clone());
    }
    assert_eq!(seen.len(), 2500);
    assert_eq!(pages, 25);
    assert!(
        per_timestamp.values().any(|n| *n > 100),
        "some timestamp is shared by more than a page"
    );
}

#[tokio::test]
async fn page_numbers_see_every_contact_once() {
    let (_sandbox, api) = unlimited(1234).await;
    let mut seen = HashSet::new();
    for page in 1.. {
        let reply = api
            .post(
                "/contacts/search",
                json!({ "locationId": api.location, "pageLimit": 500, "page": page }),
            )
            .await;
        let batch = ids(&reply.body);
        if batch.is_empty() {
            break;
        }
        for id in batch {
            assert!(seen.insert(id));
        }
    }
    assert_eq!(seen.len(), 1234);
}

#[tokio::test]
async fn deprecated_list_with_start_after_sees_every_contact_once() {
    let (_sandbox, api) = unlimited(1500).await;
    let mut seen = HashSet::new();
    let mut added: HashMap<i64, usize> = HashMap::new();
    let mut next = format!("/contacts/?locationId={}&limit=100", api.location);
    loop {
        let reply = api.get(&next).await;
        assert_eq!(reply.body["count"], 1500);
        let batch = reply.body["contacts"].as_array().unwrap().clone();
        for c in &batch {
            assert!(
                seen.insert(c["id"].as_str().unwrap().to_owned()),
                "contact seen twice"
            );
        }
        let meta = &reply.body["meta"];
        *added
            .entry(meta["startAfter"].as_i64().unwrap_or(0))
            .or_default() += 1;
        if meta["nextPage"].is_null() {
            break;
        }
        next = format!(
            "/contacts/?locationId={}&limit=100&startAfterId={}&startAfter={}",
            api.location,
            meta["startAfterId"].as_str().unwrap(),
            meta["startAfter"].as_i64().unwrap()
        );
    }
    assert_eq!(seen.len(), 1500);
}

#[tokio::test]
async fn date_updated_range_finds_only_what_changed() {
    let (_sandbox, api) = start(300).await;
    let newest = api
        .post("/contacts/search", json!({ "locationId": api.location, "pageLimit": 1, "sort": [{ "field": "dateUpdated", "direction": "desc" }] }))
        .await;
    let since = newest.body["contacts"][0]["dateUpdated"]
        .as_str()
        .unwrap()
        .to_owned();
    let contact = api.some_contact().await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    api.put(
        &format!("/contacts/{contact}"),
        json!({ "city": "Reykjavik" }),
    )
    .await;
    let changed = api
        .post("/contacts/search", json!({ "locationId": api.location, "pageLimit": 100,
            "filters": [{ "field": "dateUpdated", "operator": "range", "value": { "gt": since } }] }))
        .await;
    assert_eq!(ids(&changed.body), vec![contact]);
}
