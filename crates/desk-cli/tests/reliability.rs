//! kill -9 while syncing: 1,000 queued edits (offline-created contacts with a note and a
//! task each, some with nothing but a name to find them by, plus edits and tags on
//! synced contacts) are pushed by `ghl-desk-cli sync` runs that are SIGKILLed at random
//! moments, while a second CLI syncs the same location now and then. After the
//! restarts, every edit is on GHL exactly once: nothing lost, nothing duplicated. A
//! name-only create whose request may never have left is left for the user, who checks
//! GHL (here: the test, by name) and sends it again or discards it. Each round queues a
//! fresh 1,000 edits and kills 20 syncs; `GHL_DESK_LONG_TESTS=1` runs 5 rounds (100
//! kill points).

use std::{
    collections::HashMap,
    process::{Command, Stdio},
    time::Duration,
};

use desk_store::{
    model::{ContactQuery, OpState},
    Change, Store,
};
use ghl_sandbox::{Limits, Sandbox, SandboxConfig};
use serde_json::json;

fn cli(dir: &str, api: &str, token: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ghl-desk-cli"));
    command
        .args(["--data-dir", dir, "--api-base", api])
        .args(args)
        .env("GHL_DESK_TOKEN", token)
        .env("GHL_DESK_VAULT_PASSPHRASE", "reliability test passphrase")
        .env_remove("GHL_DESK_DATA_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// A small deterministic generator for kill delays.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_syncs_deliver_every_edit_exactly_once() {
    let rounds = if std::env::var_os("GHL_DESK_LONG_TESTS").is_some() {
        5
    } else {
        1
    };
    let limits = Limits {
        max: 1_000_000,
        interval_ms: 10_000,
        daily: 10_000_000,
    };
    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts: 100,
        limits,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let location = sandbox.info().locations[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let api = sandbox.base_url().to_owned();
    let token = location.private_integration_token.clone();

    let run = |args: &'static [&'static str]| {
        let (data, api, token) = (data.clone(), api.clone(), token.clone());
        tokio::task::spawn_blocking(move || cli(&data, &api, &token, args).status().unwrap())
    };
    let login = {
        let (data, api, token, id) = (
            data.clone(),
            api.clone(),
            token.clone(),
            location.id.clone(),
        );
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut child = cli(
                &data,
                &api,
                &token,
                &["login", "--pit-file", "-", "--location", &id],
            )
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(token.as_bytes())
                .unwrap();
            child.wait().unwrap()
        })
        .await
        .unwrap()
    };
    assert!(login.success());
    assert!(run(&["sync"]).await.unwrap().success());

    let db = dir
        .path()
        .join("locations")
        .join(format!("{}.sqlite3", location.id));
    // A little latency keeps each sync long enough for the kills to land inside it.
    sandbox
        .set_faults(ghl_sandbox::Faults {
            latency_ms: 3,
            ..ghl_sandbox::Faults::default()
        })
        .unwrap();
    let mut rng = Lcg(0x5eed);
    let mut killed_mid_sync = 0;
    for round in 0..rounds {
        queue_round(&db, round);
        // Up to 20 syncs killed mid-way (a run that finished first does not count; once
        // everything is delivered, runs are too short to kill).
        let mut killed_this_round = 0;
        for attempt in 0..80 {
            if killed_this_round == 20 {
                break;
            }
            let mut child = cli(&data, &api, &token, &["sync"]).spawn().unwrap();
            // Every fourth run, a second process (a cron job) syncs the same location.
            let mut second = (attempt % 4 == 0).then(|| {
                cli(&data, &api, &token, &["sync", "--wait", "1"])
                    .spawn()
                    .unwrap()
            });
            tokio::time::sleep(Duration::from_millis(10 + rng.next(120))).await;
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap();
                killed_this_round += 1;
                killed_mid_sync += 1;
            }
            child.wait().unwrap();
            if let Some(second) = second.as_mut() {
                second.wait().unwrap();
            }
        }
        for _ in 0..5 {
            run(&["sync"]).await.unwrap();
        }
        settle_uncertain_creates(&db, &sandbox, &location.id);
        for _ in 0..5 {
            if run(&["sync"]).await.unwrap().success() {
                break;
            }
        }
    }

    let store = Store::open(&db).unwrap();
    assert!(
        store.outbox().unwrap().is_empty(),
        "everything was delivered: {:?}",
        store.outbox().unwrap().first()
    );
    assert!(
        killed_mid_sync >= rounds * 10,
        "at least 10 syncs a round were killed mid-way ({killed_mid_sync})"
    );

    let log = sandbox.requests(0);
    let contact_posts = log
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/contacts/" && r.status == 201)
        .count();
    assert_eq!(
        contact_posts,
        220 * rounds,
        "each new contact created exactly once"
    );
    let named = sandbox
        .contact_ids(&location.id)
        .into_iter()
        .filter_map(|id| sandbox.contact(&id))
        .filter(|c| {
            c.get("lastName")
                .and_then(|l| l.as_str())
                .is_some_and(|l| l.starts_with("Nameonly"))
        })
        .count();
    assert_eq!(named, 20 * rounds, "each name-only contact exactly once");
    let client = ghl::GhlClient::new(
        ghl::ClientConfig::with_bases(&api, &api).unwrap(),
        std::sync::Arc::new(ghl::StaticToken::new(token.clone())),
        location.id.clone(),
    )
    .unwrap();
    let mut emails: HashMap<String, String> = HashMap::new();
    let mut pager = ghl::paging::SearchPager::new(&client, 500);
    while let Some(page) = pager.next_page().await.unwrap() {
        for c in page.contacts.items {
            let (Some(email), Some(id)) = (
                c.record
                    .get("email")
                    .and_then(|e| e.as_str())
                    .filter(|e| e.starts_with("crash")),
                c.record.get("id").and_then(|i| i.as_str()),
            ) else {
                continue;
            };
            assert!(
                emails.insert(email.to_owned(), id.to_owned()).is_none(),
                "a contact was duplicated on GHL"
            );
        }
    }
    assert_eq!(emails.len(), 200 * rounds);
    for round in 0..rounds {
        for n in (0..200).step_by(20) {
            let key = format!("crash{round}x{n}");
            let id = &emails[&format!("{key}@example.com")];
            let notes = client.list_notes(id).await.unwrap().items;
            let tasks = client.list_tasks(id).await.unwrap().items;
            assert_eq!(notes.len(), 1, "{key}: one note");
            assert_eq!(tasks.len(), 1, "{key}: one task");
            assert_eq!(notes[0]["body"], format!("note for {key}").as_str());
        }
        let tag = format!("crash-b{round}x7");
        let tagged = client
            .search_contacts(&ghl::SearchRequest {
                page_limit: 500,
                filters: vec![json!({ "field": "tags", "operator": "eq", "value": tag })],
                ..ghl::SearchRequest::default()
            })
            .await
            .unwrap();
        assert_eq!(tagged.total, 1, "{tag}");
        assert!(tagged.contacts.items[0].record["tags"]
            .as_array()
            .unwrap()
            .contains(&json!(format!("crash-a{round}x7"))));
    }
}

/// Acts as the user on the review screen: each create left uncertain (its request may
/// never have left) is looked for in GHL by name, then discarded if GHL has it (the
/// next sync brings GHL's copy) or sent again if not.
fn settle_uncertain_creates(db: &std::path::Path, sandbox: &Sandbox, location: &str) {
    let mut store = Store::open(db).unwrap();
    for op in store.outbox().unwrap() {
        let (OpState::Uncertain, Change::Create { fields }) = (op.state, &op.change) else {
            continue;
        };
        let on_ghl = sandbox
            .contact_ids(location)
            .into_iter()
            .filter_map(|id| sandbox.contact(&id))
            .any(|c| c.get("lastName") == fields.get("lastName"));
        if on_ghl {
            store.discard(op.seq).unwrap();
        } else {
            store.retry_now(op.seq).unwrap();
        }
    }
}

/// Queues 1,000 edits offline: 200 new contacts with a note and a task each (600
/// creates), 20 new contacts with only a name, and 400 changes to 100 synced contacts
/// (two field updates and two tags each, which coalesce into 200 operations).
fn queue_round(db: &std::path::Path, round: usize) {
    let mut store = Store::open(db).unwrap();
    for n in 0..20 {
        let fields = json!({ "firstName": "Only", "lastName": format!("Nameonly{round}x{n}") })
            .as_object()
            .unwrap()
            .clone();
        store.create_contact(fields).unwrap();
    }
    for n in 0..200 {
        let key = format!("crash{round}x{n}");
        let fields = json!({ "firstName": key, "email": format!("{key}@example.com") })
            .as_object()
            .unwrap()
            .clone();
        let id = store.create_contact(fields).unwrap();
        store
            .create_note(&id, &format!("note for {key}"), None)
            .unwrap();
        store
            .create_task(
                &id,
                json!({ "title": format!("task for {key}"), "dueDate": "2026-12-01T10:00:00Z" })
                    .as_object()
                    .unwrap()
                    .clone(),
            )
            .unwrap();
    }
    let synced: Vec<_> = store
        .list_contacts(&ContactQuery {
            limit: 500,
            ..ContactQuery::default()
        })
        .unwrap()
        .rows
        .into_iter()
        .filter(|c| !c.id.starts_with("local_") && c.pending == 0)
        .take(100)
        .collect();
    for (n, contact) in synced.iter().enumerate() {
        store
            .update_contact(
                &contact.id,
                json!({ "city": format!("City {round}x{n}") })
                    .as_object()
                    .unwrap()
                    .clone(),
            )
            .unwrap();
        store
            .update_contact(
                &contact.id,
                json!({ "postalCode": format!("{round}{n:04}") })
                    .as_object()
                    .unwrap()
                    .clone(),
            )
            .unwrap();
        store
            .add_tags(&contact.id, &[format!("crash-a{round}x{n}")])
            .unwrap();
        store
            .add_tags(&contact.id, &[format!("crash-b{round}x{n}")])
            .unwrap();
    }
    assert_eq!(
        store.outbox().unwrap().len(),
        820,
        "620 creates and 200 coalesced changes"
    );
}
