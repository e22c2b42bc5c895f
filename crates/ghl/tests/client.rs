//! The client against the in-process sandbox: every endpoint, tokens, retries, faults,
//! pacing and paging.

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
};

use ghl::{
    oauth, ClientConfig, EventSelector, GhlClient, GhlError, NoteInput, OAuthApp, OAuthTokens,
    RetryPolicy, SearchRequest, StaticToken, TaskInput, TaskSearch, TokenPair,
};
use ghl_sandbox::{
    Consent, Faults, Limits, Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
};
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
    assert_eq!(created.first_name.as_deref(), Some("Ada"));
    let id = created.id.clone();
    assert_eq!(
        client.get_contact(&id).await.unwrap().email.as_deref(),
        Some("ada@example.com")
    );
    let updated = client
        .update_contact(&id, &fields(json!({ "lastName": "Lovelace" })))
        .await
        .unwrap();
    assert_eq!(updated.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(updated.tags, vec!["a"]);
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
    assert_eq!(dup.map(|c| c.id), Some(id.clone()));
    assert_eq!(
        client
            .find_duplicate(Some("none@example.com"), None)
            .await
            .unwrap(),
        None
    );
    let upserted = client
        .upsert_contact(&fields(
            json!({ "email": "ada@example.com", "city": "London" }),
        ))
        .await
        .unwrap();
    assert!(!upserted.created);
    assert_eq!(upserted.contact.id, id);

    let page = client
        .search_contacts(&SearchRequest {
            page_limit: 10,
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 41);
    assert_eq!(page.contacts.len(), 10);
    let listed = client.list_contacts(5, None, None, None).await.unwrap();
    assert_eq!(listed.count, 41);
    assert!(listed.meta.start_after_id.is_some());
    let business = page.contacts.iter().find_map(|c| c.business_id.clone());
    if let Some(business) = business {
        let (members, count) = client
            .contacts_by_business(&business, 100, 0)
            .await
            .unwrap();
        assert!(!members.is_empty());
        assert_eq!(count as usize, members.len());
    }

    client.delete_contact(&id).await.unwrap();
    assert!(matches!(
        client.get_contact(&id).await,
        Err(GhlError::NotFound(_))
    ));
}

#[tokio::test]
async fn notes_tasks_appointments_and_location_wide_reads() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 60,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let contact = client
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await
        .unwrap()
        .contacts[0]
        .id
        .clone();

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
    assert_eq!(
        client
            .get_note(&contact, &note.id)
            .await
            .unwrap()
            .body
            .as_deref(),
        Some("Hello")
    );
    let edited = client
        .update_note(
            &contact,
            &note.id,
            &NoteInput {
                body: "Hello again".into(),
                ..NoteInput::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(edited.body.as_deref(), Some("Hello again"));
    assert!(client
        .list_notes(&contact)
        .await
        .unwrap()
        .iter()
        .any(|n| n.id == note.id));
    client.delete_note(&contact, &note.id).await.unwrap();

    let input = TaskInput {
        title: "Call".into(),
        due_date: "2026-12-01T10:00:00Z".into(),
        ..TaskInput::default()
    };
    let task = client.create_task(&contact, &input).await.unwrap();
    let renamed = client
        .update_task(
            &contact,
            &task.id,
            &TaskInput {
                title: "Call back".into(),
                ..input.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.title.as_deref(), Some("Call back"));
    assert!(
        client
            .complete_task(&contact, &task.id, true)
            .await
            .unwrap()
            .completed
    );
    assert!(client.get_task(&contact, &task.id).await.unwrap().completed);
    assert!(client
        .list_tasks(&contact)
        .await
        .unwrap()
        .iter()
        .any(|t| t.id == task.id));
    client.delete_task(&contact, &task.id).await.unwrap();

    client.contact_appointments(&contact).await.unwrap();
    let tasks = client
        .search_tasks(&TaskSearch {
            limit: 20,
            ..TaskSearch::default()
        })
        .await
        .unwrap();
    assert_eq!(tasks.len(), 20);
    assert!(
        tasks.iter().all(|t| !t.id.is_empty()),
        "tasks-search `_id` is read as id"
    );
    let calendars = client.calendars().await.unwrap();
    assert_eq!(calendars.len(), 3);
    let events = client
        .calendar_events(
            &EventSelector::Calendar(calendars[0].id.clone()),
            0,
            4_102_444_800_000,
        )
        .await
        .unwrap();
    assert!(!events.is_empty());
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
    let contact = reader
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await
        .unwrap()
        .contacts[0]
        .id
        .clone();
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

async fn oauth_client(sandbox: &Sandbox, persisted: Arc<Mutex<Vec<TokenPair>>>) -> GhlClient {
    let config = config_for(sandbox);
    let redirect = "http://127.0.0.1:53682/callback";
    let url = oauth::authorize_url(
        &config,
        DEMO_CLIENT_ID,
        redirect,
        &["contacts.readonly", "contacts.write"],
        "xyz",
    )
    .unwrap();
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    let target = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let query: std::collections::HashMap<_, _> = target.query_pairs().into_owned().collect();
    assert_eq!(query["state"], "xyz");
    let tokens = oauth::exchange_code(
        &config,
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        &query["code"],
        redirect,
    )
    .await
    .unwrap();
    let pair = TokenPair {
        access_token: tokens.access_token.clone(),
        refresh_token: tokens.refresh_token.clone().unwrap(),
    };
    let app = OAuthApp {
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: DEMO_CLIENT_SECRET.into(),
        user_type: "Location".into(),
    };
    let persist: ghl::PersistPair = Arc::new(move |pair: &TokenPair| {
        persisted.lock().unwrap().push(pair.clone());
        Ok(())
    });
    let source = OAuthTokens::new(
        config.http_client().unwrap(),
        &config.api_base,
        app,
        pair,
        persist,
    )
    .unwrap();
    GhlClient::new(config, Arc::new(source), tokens.location_id.unwrap()).unwrap()
}

#[tokio::test]
async fn fifty_concurrent_401s_share_one_refresh() {
    let limits = Limits {
        max: 1000,
        interval_ms: 10_000,
        daily: 100_000,
    };
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 10,
        limits,
        consent: Consent {
            auto_approve: true,
            ..Consent::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let persisted = Arc::new(Mutex::new(Vec::new()));
    let client = oauth_client(&sandbox, persisted.clone()).await;
    let contact = client
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await
        .unwrap()
        .contacts[0]
        .id
        .clone();

    reqwest::Client::new()
        .post(format!("{}/_sandbox/expire", sandbox.base_url()))
        .json(&json!({ "locationId": client.location_id() }))
        .send()
        .await
        .unwrap();
    let since = last_seq(&sandbox);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let (client, contact) = (client.clone(), contact.clone());
            tokio::spawn(async move { client.get_contact(&contact).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        count(&sandbox, since, "POST", "/oauth/token"),
        1,
        "exactly one refresh"
    );
    assert_eq!(
        persisted.lock().unwrap().len(),
        1,
        "the rotated pair was handed over once"
    );
    let log = sandbox.requests(since);
    let refresh_at = log.iter().position(|r| r.path == "/oauth/token").unwrap();
    assert!(
        log[refresh_at + 1..].iter().all(|r| r.status == 200),
        "every retry after the refresh succeeded"
    );
}

#[tokio::test]
async fn a_spent_refresh_token_asks_for_sign_in_again() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 3,
        consent: Consent {
            auto_approve: true,
            ..Consent::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let client = oauth_client(&sandbox, Arc::new(Mutex::new(Vec::new()))).await;
    let location = client.location_id().to_owned();
    reqwest::Client::new()
        .post(format!("{}/_sandbox/revoke", sandbox.base_url()))
        .json(&json!({ "locationId": location }))
        .send()
        .await
        .unwrap();
    let err = client.list_contacts(1, None, None, None).await.unwrap_err();
    assert!(
        matches!(err, GhlError::Unauthorized(ref m) if m.contains("sign in again")),
        "{err:?}"
    );
}

#[tokio::test]
async fn idempotent_requests_retry_through_5xx_and_resets() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 10,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let contact = client
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await
        .unwrap()
        .contacts[0]
        .id
        .clone();
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
    assert_eq!(updated.extra["city"], "Lisbon");
    let updated = client
        .update_contact(&contact, &fields(json!({ "city": "Porto" })))
        .await
        .unwrap();
    assert_eq!(updated.extra["city"], "Porto");
}

#[tokio::test]
async fn creates_are_never_sent_twice() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 3,
        ..SandboxConfig::default()
    })
    .await;
    let client = pit_client(&sandbox);
    let contact = client
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await
        .unwrap()
        .contacts[0]
        .id
        .clone();
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
    let contact = client
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await
        .unwrap()
        .contacts[0]
        .id
        .clone();
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
async fn both_pagers_see_every_contact_once() {
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
        for c in page {
            assert!(seen.insert(c.id), "seen twice");
        }
    }
    assert_eq!(seen.len(), 1200);
    let mut listed = HashSet::new();
    let mut pager = ghl::paging::ListPager::new(&client, 100);
    while let Some(page) = pager.next_page().await.unwrap() {
        for c in page {
            assert!(listed.insert(c.id), "listed twice");
        }
    }
    assert_eq!(listed, seen);

    let mut incremental =
        ghl::paging::SearchPager::new(&client, 100).updated_since("2026-06-01T00:00:00Z");
    let mut recent = 0;
    while let Some(page) = incremental.next_page().await.unwrap() {
        assert!(page
            .iter()
            .all(|c| c.date_updated.as_deref().unwrap() >= "2026-06-01"));
        recent += page.len();
    }
    assert!(recent > 0 && recent < 1200);
}

#[tokio::test]
async fn agency_tokens_mint_location_tokens() {
    let sandbox = sandbox_with(SandboxConfig {
        contacts: 3,
        consent: Consent {
            auto_approve: true,
            company: true,
            location_id: None,
        },
        ..SandboxConfig::default()
    })
    .await;
    let config = config_for(&sandbox);
    let redirect = "http://127.0.0.1:1/callback";
    let url = oauth::authorize_url(
        &config,
        DEMO_CLIENT_ID,
        redirect,
        &["oauth.readonly", "oauth.write", "contacts.readonly"],
        "s",
    )
    .unwrap();
    let answer = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    let target = url::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let code = target
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let agency = oauth::exchange_code(&config, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, &code, redirect)
        .await
        .unwrap();
    assert_eq!(agency.user_type.as_deref(), Some("Company"));
    let company = agency.company_id.clone().unwrap();
    let client = GhlClient::new(
        config.clone(),
        Arc::new(StaticToken::new(agency.access_token.clone())),
        company.clone(),
    )
    .unwrap();
    let locations = client
        .installed_locations(&company, DEMO_CLIENT_ID)
        .await
        .unwrap();
    assert_eq!(locations.len(), 3);
    let minted = client
        .location_token(&company, &locations[0].id)
        .await
        .unwrap();
    assert_eq!(
        minted.location_id.as_deref(),
        Some(locations[0].id.as_str())
    );
    let location_client = GhlClient::new(
        config,
        Arc::new(StaticToken::new(minted.access_token)),
        locations[0].id.clone(),
    )
    .unwrap();
    assert!(location_client
        .list_contacts(1, None, None, None)
        .await
        .is_ok());
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
