//! The client against the in-process sandbox: every endpoint, tokens, retries, faults,
//! pacing and paging.

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};

use ghl::{
    fields::text, ClientConfig, EventSelector, GhlClient, GhlError, NoteInput, Record, RetryPolicy,
    SearchRequest, StaticToken, TaskInput, TaskSearch,
};
use ghl_sandbox::{Faults, Limits, Sandbox, SandboxConfig};
use serde_json::{json, Map, Value};

fn fields(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start_local(config).await.unwrap()
}

fn config_for(sandbox: &Sandbox) -> ClientConfig {
    let mut config = ClientConfig::with_bases(sandbox.base_url(), sandbox.base_url()).unwrap();
    config.retry = RetryPolicy {
        max_retries: 6,
        base: std::time::Duration::from_millis(5),
        cap: std::time::Duration::from_millis(50),
    };
    config
}

fn pit_client(sandbox: &Sandbox) -> GhlClient {
    let location = &sandbox.info().locations[0];
    GhlClient::new(
        config_for(sandbox),
        Arc::new(StaticToken::new(location.private_integration_token.clone())),
        location.id.clone(),
    )
    .unwrap()
}

fn count(sandbox: &Sandbox, since: u64, method: &str, path: &str) -> usize {
    sandbox
        .requests(since)
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

fn last_seq(sandbox: &Sandbox) -> u64 {
    sandbox.requests(0).last().map_or(0, |r| r.seq)
}

fn id(record: &Record) -> String {
    text(record, "id").unwrap().to_owned()
}

/// The id of the first contact a search returns.
async fn first_contact(client: &GhlClient) -> String {
    let page = client
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    id(&page.contacts.items[0].record)
}

#[tokio::test]
async fn every_contact_endpoint() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 40,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);

    let created = client
        .create_contact(&fields(
            json!({ "firstName": "Ada", "email": "ada@example.com", "tags": ["a"] }),
        ))
        .await
        .unwrap();
    assert_eq!(text(&created, "firstName"), Some("Ada"));
    let id = id(&created);
    assert_eq!(
        text(&client.get_contact(&id).await.unwrap(), "email"),
        Some("ada@example.com")
    );
    let updated = client
        .update_contact(&id, &fields(json!({ "lastName": "Lovelace" })))
        .await
        .unwrap();
    assert_eq!(text(&updated, "lastName"), Some("Lovelace"));
    assert_eq!(updated["tags"], json!(["a"]));
    assert_eq!(
        client.add_tags(&id, &["b".into()]).await.unwrap(),
        vec!["a", "b"]
    );
    assert_eq!(
        client.remove_tags(&id, &["a".into()]).await.unwrap(),
        vec!["b"]
    );

    let dup = client
        .find_duplicate(Some("ada@example.com"), None)
        .await
        .unwrap();
    assert_eq!(dup.as_ref().and_then(|c| text(c, "id")), Some(id.as_str()));
    assert_eq!(
        client
            .find_duplicate(Some("none@example.com"), None)
            .await
            .unwrap(),
        None
    );

    let page = client
        .search_contacts(&SearchRequest {
            page_limit: 10,
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 41);
    assert_eq!(page.contacts.items.len(), 10);
    assert!(page.cursor.is_some());

    client.delete_contact(&id).await.unwrap();
    assert!(matches!(
        client.get_contact(&id).await,
        Err(GhlError::NotFound(_))
    ));
}

#[tokio::test]
async fn search_items_are_partial_and_read_under_the_records_names() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 200,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let page = client
        .search_contacts(&SearchRequest {
            page_limit: 200,
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    let with_address = page
        .contacts
        .items
        .iter()
        .find(|c| c.record.contains_key("address1"))
        .expect("the street arrives as address1");
    let ghl::Carried::Only(carried) = &with_address.carried else {
        panic!("a search item is partial");
    };
    assert!(carried.iter().any(|f| f == "address1"));
    assert!(!carried.iter().any(|f| f == "website" || f == "timezone"));
    let whole = client.get_contact(&id(&with_address.record)).await.unwrap();
    assert_eq!(whole["address1"], with_address.record["address1"]);
    let born = page
        .contacts
        .items
        .iter()
        .find(|c| c.record.contains_key("dateOfBirth"))
        .unwrap();
    let whole = client.get_contact(&id(&born.record)).await.unwrap();
    assert_eq!(
        born.record["dateOfBirth"], whole["dateOfBirth"],
        "one date format whichever answer it came from"
    );
}

#[tokio::test]
async fn odd_records_are_skipped_by_id_and_never_stop_the_rest() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 300,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    sandbox
        .set_faults(Faults {
            odd_records: true,
            ..Faults::default()
        })
        .unwrap();
    let page = client
        .search_contacts(&SearchRequest {
            page_limit: 500,
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    use ghl_sandbox::shapes::{oddity, Oddity};
    let location = sandbox.info().locations[0].id.clone();
    let all = sandbox.contact_ids(&location);
    let unreadable: HashSet<&String> = all
        .iter()
        .filter(|id| matches!(oddity(id), Some(Oddity::NumberName | Oddity::NoId)))
        .collect();
    assert!(!unreadable.is_empty());
    assert_eq!(page.contacts.items.len(), all.len() - unreadable.len());
    assert_eq!(page.contacts.skipped.len(), unreadable.len());
    assert!(page
        .contacts
        .skipped
        .iter()
        .filter_map(|s| s.id.as_ref())
        .all(|id| oddity(id) == Some(Oddity::NumberName)));
    let tasks = client
        .search_tasks(&TaskSearch {
            limit: 50,
            ..TaskSearch::default()
        })
        .await
        .unwrap();
    assert_eq!(tasks.items.len(), 50, "both id spellings read");
    assert!(tasks.skipped.is_empty());
}

#[tokio::test]
async fn notes_tasks_appointments_and_location_wide_reads() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 60,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let contact = first_contact(&client).await;

    let note = client
        .create_note(
            &contact,
            &NoteInput {
                body: "Hello".into(),
                ..NoteInput::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(text(&note, "body"), Some("Hello"));
    let note_id = id(&note);
    let edited = client
        .update_note(
            &contact,
            &note_id,
            &NoteInput {
                body: "Hello again".into(),
                ..NoteInput::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(text(&edited, "body"), Some("Hello again"));
    assert!(client
        .list_notes(&contact)
        .await
        .unwrap()
        .items
        .iter()
        .any(|n| id(n) == note_id));
    client.delete_note(&contact, &note_id).await.unwrap();

    let input = TaskInput {
        title: "Call".into(),
        due_date: "2026-12-01T10:00:00Z".into(),
        ..TaskInput::default()
    };
    let task = id(&client.create_task(&contact, &input).await.unwrap());
    let renamed = client
        .update_task(
            &contact,
            &task,
            &TaskInput {
                title: "Call back".into(),
                ..input.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(text(&renamed, "title"), Some("Call back"));
    assert_eq!(
        client.complete_task(&contact, &task, true).await.unwrap()["completed"],
        true
    );
    let listed = client.list_tasks(&contact).await.unwrap().items;
    assert!(listed
        .iter()
        .any(|t| id(t) == task && t["completed"] == true));
    client.delete_task(&contact, &task).await.unwrap();

    client.contact_appointments(&contact).await.unwrap();
    let tasks = client
        .search_tasks(&TaskSearch {
            limit: 20,
            ..TaskSearch::default()
        })
        .await
        .unwrap();
    assert_eq!(tasks.items.len(), 20);
    assert!(
        tasks.items.iter().all(|t| !id(t).is_empty()),
        "tasks-search `_id` is read as id"
    );
    let calendars = client.calendars().await.unwrap().items;
    assert_eq!(calendars.len(), 3);
    let events = client
        .calendar_events(
            &EventSelector::Calendar(id(&calendars[0])),
            0,
            4_102_444_800_000,
        )
        .await
        .unwrap();
    assert!(!events.items.is_empty());
}

#[tokio::test]
async fn errors_come_back_as_kinds() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 5,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let location = sandbox.info().locations[0].id.clone();
    match client
        .create_contact(&fields(json!({ "email": "broken" })))
        .await
    {
        Err(GhlError::Rejected {
            status: 422,
            messages,
        }) => assert_eq!(messages, vec!["email must be an email"]),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        client.get_contact("nope").await,
        Err(GhlError::NotFound(_))
    ));

    let since = last_seq(&sandbox);
    let read_only = sandbox
        .mint_private_integration(&location, &["contacts.readonly"])
        .unwrap();
    let reader = GhlClient::new(
        config_for(&sandbox),
        Arc::new(StaticToken::new(read_only)),
        location,
    )
    .unwrap();
    let contact = first_contact(&reader).await;
    assert_eq!(
        reader
            .update_contact(&contact, &fields(json!({ "city": "X" })))
            .await
            .unwrap_err(),
        GhlError::ScopeMissing
    );
    assert_eq!(
        count(&sandbox, since, "PUT", &format!("/contacts/{contact}")),
        1,
        "a scope error is not retried"
    );

    let bad = GhlClient::new(
        config_for(&sandbox),
        Arc::new(StaticToken::new("pit-revoked")),
        sandbox.info().locations[0].id.clone(),
    )
    .unwrap();
    assert!(matches!(
        bad.get_contact(&contact).await,
        Err(GhlError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn idempotent_requests_retry_through_5xx_and_resets() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 10,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let contact = first_contact(&client).await;
    sandbox
        .set_faults(Faults {
            error_rate: 0.3,
            ..Faults::default()
        })
        .unwrap();
    let since = last_seq(&sandbox);
    for _ in 0..30 {
        client.get_contact(&contact).await.unwrap();
    }
    assert!(
        sandbox.requests(since).iter().any(|r| r.status >= 500),
        "some 5xx were injected and absorbed"
    );

    sandbox
        .set_faults(Faults {
            reset_before_commit: 1,
            reset_after_commit: 1,
            ..Faults::default()
        })
        .unwrap();
    let updated = client
        .update_contact(&contact, &fields(json!({ "city": "Lisbon" })))
        .await
        .unwrap();
    assert_eq!(updated["city"], "Lisbon");
    let updated = client
        .update_contact(&contact, &fields(json!({ "city": "Porto" })))
        .await
        .unwrap();
    assert_eq!(updated["city"], "Porto");
}

#[tokio::test]
async fn creates_are_never_sent_twice() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 3,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let contact = first_contact(&client).await;
    for (n, faults) in [
        Faults {
            reset_after_commit: 2,
            ..Faults::default()
        },
        Faults {
            reset_before_commit: 2,
            ..Faults::default()
        },
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    ]
    .into_iter()
    .enumerate()
    {
        sandbox.set_faults(faults).unwrap();
        let since = last_seq(&sandbox);
        let err = client
            .create_contact(&fields(json!({ "email": format!("c{n}@example.com") })))
            .await
            .unwrap_err();
        assert!(matches!(err, GhlError::OutcomeUnknown(_)), "{err:?}");
        assert_eq!(
            count(&sandbox, since, "POST", "/contacts/"),
            1,
            "case {n}: one POST only"
        );
        let since = last_seq(&sandbox);
        let err = client
            .create_note(
                &contact,
                &NoteInput {
                    body: "x".into(),
                    ..NoteInput::default()
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, GhlError::OutcomeUnknown(_)), "{err:?}");
        assert_eq!(
            count(
                &sandbox,
                since,
                "POST",
                &format!("/contacts/{contact}/notes")
            ),
            1
        );
    }
    sandbox.set_faults(Faults::default()).unwrap();
    assert!(
        client
            .find_duplicate(Some("c0@example.com"), None)
            .await
            .unwrap()
            .is_some(),
        "committed before the reset: found, not re-created"
    );
    assert!(
        client
            .find_duplicate(Some("c1@example.com"), None)
            .await
            .unwrap()
            .is_none(),
        "dropped before commit: absent"
    );
}

#[tokio::test]
async fn rate_limited_calls_wait_for_the_window_and_succeed() {
    let limits = Limits {
        max: 5,
        interval_ms: 300,
        daily: 100_000,
    };
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 5,
        limits,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let contact = first_contact(&client).await;
    sandbox
        .set_faults(Faults {
            burst_429: 2,
            ..Faults::default()
        })
        .unwrap();
    client.get_contact(&contact).await.unwrap();
    sandbox.set_faults(Faults::default()).unwrap();

    let since = last_seq(&sandbox);
    let done = Arc::new(AtomicUsize::new(0));
    let calls: Vec<_> = (0..30)
        .map(|_| {
            let (client, contact, done) = (client.clone(), contact.clone(), done.clone());
            tokio::spawn(async move {
                client.get_contact(&contact).await.unwrap();
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap();
    }
    assert_eq!(done.load(Ordering::SeqCst), 30);
    assert_eq!(
        sandbox
            .requests(since)
            .iter()
            .filter(|r| r.status == 429)
            .count(),
        0,
        "paced calls never hit the limit"
    );
    assert_eq!(
        client.budget().max,
        5,
        "the limit was learned from the headers"
    );
}

#[tokio::test]
async fn the_pager_sees_every_contact_once() {
    let limits = Limits {
        max: 100_000,
        interval_ms: 10_000,
        daily: 1_000_000,
    };
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 1200,
        limits,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let mut seen = HashSet::new();
    let mut pager = ghl::paging::SearchPager::new(&client, 100);
    while let Some(page) = pager.next_page().await.unwrap() {
        for c in page.contacts.items {
            assert!(seen.insert(id(&c.record)), "seen twice");
        }
    }
    assert_eq!(seen.len(), 1200);

    let mut incremental =
        ghl::paging::SearchPager::new(&client, 100).updated_since("2026-06-01T00:00:00Z");
    let mut recent = 0;
    while let Some(page) = incremental.next_page().await.unwrap() {
        assert!(page
            .contacts
            .items
            .iter()
            .all(|c| text(&c.record, "dateUpdated").unwrap() >= "2026-06-01"));
        recent += page.contacts.items.len();
    }
    assert!(recent > 0 && recent < 1200);
}

#[tokio::test]
async fn reachability_probe_tells_a_live_host_from_a_dead_one() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 1,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let before = client.budget().sent_total;
    assert!(client.reachable().await);
    assert_eq!(
        client.budget().sent_total,
        before,
        "a probe costs nothing against the rate limit"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let base = format!("http://127.0.0.1:{port}/");
    let dead = GhlClient::new(
        ClientConfig::with_bases(&base, &base).unwrap(),
        Arc::new(StaticToken::new("unused")),
        "loc",
    )
    .unwrap();
    assert!(!dead.reachable().await);
}
