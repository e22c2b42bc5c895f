//! The sync engine against the in-process sandbox: pulls, pushes exactly once through
//! faults, conflicts, rejections and remote deletions.

mod common;

use std::sync::atomic::Ordering;

use common::{fields, posts, wall_clock, Rig};
use desk_store::model::{ContactQuery, MergePolicy, OpState};
use desk_sync::{sync_once, Phase, Progress, SyncOptions, SyncSummary};
use ghl::fields::text;
use ghl_sandbox::{Faults, LoggedRequest};
use serde_json::json;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn first_sync_pulls_everything_and_the_next_only_what_changed() {
    let mut rig = Rig::new(120).await;
    let summary = rig.sync().await;
    assert_eq!(summary.pulled, 120);
    assert_eq!(summary.children, 120);
    assert_eq!(summary.children_left, 0);
    assert_eq!(
        rig.store
            .list_contacts(&ContactQuery::default())
            .unwrap()
            .total,
        120
    );
    let with_notes = rig
        .store
        .list_contacts(&ContactQuery {
            limit: 500,
            ..ContactQuery::default()
        })
        .unwrap()
        .rows
        .iter()
        .filter(|c| !rig.store.contact_detail(&c.id).unwrap().notes.is_empty())
        .count();
    assert!(with_notes > 50, "notes were pulled");

    let since = rig.since();
    let again = rig.sync().await;
    assert_eq!(
        again.children, 0,
        "unchanged contacts' children are not fetched again"
    );
    assert!(
        again.pulled <= 3,
        "only contacts at the cursor's timestamp come back ({})",
        again.pulled
    );
    assert!(
        rig.log(since).len() <= 4,
        "an idle sync costs a handful of requests: {}",
        rig.log(since).len()
    );
}

#[tokio::test]
async fn a_big_first_sync_fills_children_in_over_cycles_and_says_how_many_are_left() {
    let mut rig = Rig::new(40).await;
    let budget = SyncOptions {
        children_budget: 15,
    };
    let lefts: Vec<u32> = [
        rig.sync_with(budget).await,
        rig.sync_with(budget).await,
        rig.sync_with(budget).await,
    ]
    .iter()
    .map(|s| s.children_left)
    .collect();
    assert_eq!(lefts, vec![25, 10, 0]);
}

#[tokio::test]
async fn progress_reports_each_phase_with_counts_over_the_whole_location() {
    let mut rig = Rig::new(40).await;
    let seen = std::sync::Mutex::new(Vec::new());
    let clock = rig.clock.clone();
    sync_once(
        &mut rig.store,
        &rig.client,
        SyncOptions {
            children_budget: 15,
        },
        move || clock.load(Ordering::SeqCst),
        &|p: Progress| seen.lock().unwrap().push(p),
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    let seen = seen.into_inner().unwrap();
    let phases: Vec<Phase> = seen.iter().map(|p| p.phase).collect();
    assert_eq!(phases.first(), Some(&Phase::Settling));
    let contacts = seen.iter().rfind(|p| p.phase == Phase::Contacts).unwrap();
    assert_eq!((contacts.done, contacts.total), (40, Some(40)));
    let children: Vec<&Progress> = seen.iter().filter(|p| p.phase == Phase::Children).collect();
    assert_eq!(children.len(), 15);
    assert!(children.iter().all(|p| p.total == Some(40)));
    assert_eq!(children.last().unwrap().done, 15);
    assert!(
        children.last().unwrap().eta_seconds.unwrap() > 0,
        "25 contacts to go"
    );
    assert!(
        seen.windows(2).all(|w| w[1].requests >= w[0].requests),
        "requests only grow"
    );
    assert!(children.last().unwrap().requests >= 15);
}

#[tokio::test]
async fn offline_edits_reach_ghl_exactly_once() {
    let mut rig = Rig::new(30).await;
    rig.sync().await;
    let existing = rig.some_contact();
    let local = rig.store.create_contact(fields(json!({ "firstName": "Offline", "lastName": "Person", "email": "offline@example.com", "tags": ["new"] }))).unwrap();
    rig.store
        .create_note(&local, "written on the train", None)
        .unwrap();
    rig.store
        .create_task(
            &local,
            fields(json!({ "title": "Follow up", "dueDate": "2026-12-01T10:00:00Z" })),
        )
        .unwrap();
    rig.store
        .update_contact(&existing, fields(json!({ "city": "Lisbon" })))
        .unwrap();
    rig.store.add_tags(&existing, &["vip".into()]).unwrap();

    let since = rig.since();
    let summary = rig.sync().await;
    assert_eq!(
        (summary.pushed, summary.rejected, summary.deferred),
        (5, 0, 0)
    );
    assert!(rig.store.outbox().unwrap().is_empty());
    let log = rig.log(since);
    assert_eq!(posts(&log, "/contacts/"), 1);
    let server_id = rig.store.server_id(&local).unwrap().unwrap();
    assert_eq!(posts(&log, &format!("/contacts/{server_id}/notes")), 1);
    assert_eq!(posts(&log, &format!("/contacts/{server_id}/tasks")), 1);
    let on_ghl = rig.on_ghl(&server_id).await;
    assert_eq!(on_ghl["tags"], json!(["new"]));
    assert_eq!(
        rig.client.list_notes(&server_id).await.unwrap().items.len(),
        1
    );
    let existing_on_ghl = rig.on_ghl(&existing).await;
    assert_eq!(existing_on_ghl["city"], "Lisbon");
    assert!(existing_on_ghl["tags"]
        .as_array()
        .unwrap()
        .contains(&json!("vip")));

    let since = rig.since();
    rig.sync().await;
    assert_eq!(
        posts(&rig.log(since), "/contacts/"),
        0,
        "nothing is sent twice"
    );
}

#[tokio::test]
async fn uncertain_creates_are_looked_up_not_repeated() {
    let mut rig = Rig::new(5).await;
    rig.sync().await;
    for (n, faults) in [
        Faults {
            reset_after_commit: 1,
            ..Faults::default()
        },
        Faults {
            create_422_but_created: 1,
            ..Faults::default()
        },
    ]
    .into_iter()
    .enumerate()
    {
        let local = rig
            .store
            .create_contact(fields(
                json!({ "firstName": "Ghost", "email": format!("ghost{n}@example.com") }),
            ))
            .unwrap();
        rig.sandbox.set_faults(faults).unwrap();
        let since = rig.since();
        let summary = rig.sync().await;
        rig.sandbox.set_faults(Faults::default()).unwrap();
        assert_eq!(summary.pushed, 1, "case {n}: adopted after the lookup");
        assert_eq!(
            posts(&rig.log(since), "/contacts/"),
            1,
            "case {n}: one POST only"
        );
        let server = rig
            .store
            .server_id(&local)
            .unwrap()
            .expect("mapped to GHL's id");
        assert!(rig.client.get_contact(&server).await.is_ok());
    }
    let ghosts = rig
        .client
        .search_contacts(&ghl::SearchRequest {
            page_limit: 100,
            query: Some("ghost".into()),
            ..ghl::SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(ghosts.total, 2, "no duplicates on GHL");
}

#[tokio::test]
async fn server_errors_defer_and_a_later_cycle_delivers() {
    let mut rig = Rig::new(5).await;
    rig.sync().await;
    let id = rig.some_contact();
    rig.store
        .update_contact(&id, fields(json!({ "city": "Oslo" })))
        .unwrap();
    rig.sandbox
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();
    let err = sync_once(
        &mut rig.store,
        &rig.client,
        SyncOptions::default(),
        wall_clock,
        &|_| {},
        &CancellationToken::new(),
    )
    .await;
    assert!(err.is_err(), "the pull fails while GHL is down");
    assert_eq!(
        rig.store.outbox().unwrap().len(),
        1,
        "the edit stays queued"
    );
    assert!(rig.store.fetch_status("sync").unwrap().last_error.is_some());
    rig.sandbox.set_faults(Faults::default()).unwrap();
    rig.advance(60_000);
    let summary = rig.sync().await;
    assert_eq!(summary.pushed, 1);
    assert_eq!(rig.on_ghl(&id).await["city"], "Oslo");
}

#[tokio::test]
async fn rejected_changes_wait_for_the_user_and_block_nothing_else() {
    let mut rig = Rig::new(5).await;
    rig.sync().await;
    let rows = rig
        .store
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .rows;
    // The location allows no duplicates: GHL refuses another contact's email.
    let taken = rig.on_ghl(&rows[2].id).await["email"].clone();
    rig.store
        .update_contact(&rows[0].id, fields(json!({ "email": taken })))
        .unwrap();
    rig.store
        .update_contact(&rows[1].id, fields(json!({ "city": "Quito" })))
        .unwrap();
    let summary = rig.sync().await;
    assert_eq!((summary.pushed, summary.rejected), (1, 1));
    let rejected = &rig.store.outbox().unwrap()[0];
    assert_eq!(rejected.state, OpState::Rejected);
    assert!(rejected
        .last_error
        .as_deref()
        .unwrap()
        .contains("duplicated"));
    let shown = |rig: &Rig| rig.store.contact_detail(&rows[0].id).unwrap().contact.email;
    assert_eq!(
        shown(&rig).as_deref(),
        taken.as_str(),
        "the user's value stays visible"
    );
    rig.store.discard(rejected.seq).unwrap();
    assert_ne!(
        shown(&rig).as_deref(),
        taken.as_str(),
        "discarding reverts to GHL's value"
    );
}

#[tokio::test]
async fn same_field_changes_conflict_and_different_fields_merge() {
    let mut rig = Rig::new(5).await;
    rig.sync().await;
    let rows = rig
        .store
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .rows;
    let (a, b) = (rows[0].id.clone(), rows[1].id.clone());
    rig.store
        .update_contact(&a, fields(json!({ "firstName": "Mine" })))
        .unwrap();
    rig.store
        .update_contact(&b, fields(json!({ "city": "Mine City" })))
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    rig.control(
        "/_sandbox/edit",
        json!({ "kind": "contact", "contactId": a, "fields": { "firstName": "Theirs" } }),
    )
    .await;
    rig.control(
        "/_sandbox/edit",
        json!({ "kind": "contact", "contactId": b, "fields": { "lastName": "Theirs" } }),
    )
    .await;
    let summary = rig.sync().await;
    assert_eq!(summary.conflicts, 1);
    assert_eq!(summary.pushed, 1);
    assert_eq!(
        rig.on_ghl(&a).await["firstName"],
        "Theirs",
        "a conflict is never pushed over GHL's change"
    );
    let merged = rig.on_ghl(&b).await;
    assert_eq!(
        (&merged["lastName"], &merged["city"]),
        (&json!("Theirs"), &json!("Mine City"))
    );
    assert_eq!(
        rig.store
            .contact_detail(&b)
            .unwrap()
            .contact
            .last_name
            .as_deref(),
        Some("Theirs")
    );
}

/// Two contacts: `a` with the same field changed on both sides (and a second field
/// changed only locally), `b` untouched. Returns (a, sync summary).
async fn clash_on_first_name(rig: &mut Rig, policy: MergePolicy) -> (String, SyncSummary) {
    rig.sync().await;
    rig.store.set_merge_policy(policy).unwrap();
    let a = rig.some_contact();
    rig.store
        .update_contact(
            &a,
            fields(json!({ "firstName": "Mine", "city": "Mine City" })),
        )
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    rig.control(
        "/_sandbox/edit",
        json!({ "kind": "contact", "contactId": a, "fields": { "firstName": "Theirs" } }),
    )
    .await;
    let summary = rig.sync().await;
    (a, summary)
}

#[tokio::test]
async fn prefer_mine_sends_the_users_value_over_ghls() {
    let mut rig = Rig::new(3).await;
    let (a, summary) = clash_on_first_name(&mut rig, MergePolicy::PreferMine).await;
    assert_eq!((summary.conflicts, summary.pushed), (0, 1));
    let on_ghl = rig.on_ghl(&a).await;
    assert_eq!(
        (&on_ghl["firstName"], &on_ghl["city"]),
        (&json!("Mine"), &json!("Mine City"))
    );
    assert!(rig.store.outbox().unwrap().is_empty());
}

#[tokio::test]
async fn prefer_ghl_keeps_ghls_value_and_sends_the_other_fields() {
    let mut rig = Rig::new(3).await;
    let (a, summary) = clash_on_first_name(&mut rig, MergePolicy::PreferGhl).await;
    assert_eq!((summary.conflicts, summary.pushed), (0, 1));
    let on_ghl = rig.on_ghl(&a).await;
    assert_eq!(
        (&on_ghl["firstName"], &on_ghl["city"]),
        (&json!("Theirs"), &json!("Mine City"))
    );
    let local = rig.store.contact_detail(&a).unwrap().contact;
    assert_eq!(local.first_name.as_deref(), Some("Theirs"));
    assert!(rig.store.outbox().unwrap().is_empty());
}

fn gets_matching(log: &[LoggedRequest], suffix: &str) -> usize {
    log.iter()
        .filter(|r| {
            r.method == "GET" && r.path.starts_with("/contacts/") && r.path.ends_with(suffix)
        })
        .count()
}

/// Checks the store holds exactly GHL's tasks and appointments for a few contacts.
async fn children_match_ghl(rig: &Rig) {
    let rows = rig
        .store
        .list_contacts(&ContactQuery {
            limit: 20,
            ..ContactQuery::default()
        })
        .unwrap()
        .rows;
    let mut seen_tasks = 0;
    let mut seen_appointments = 0;
    for row in rows {
        let detail = rig.store.contact_detail(&row.id).unwrap();
        let mut local: Vec<String> = detail.tasks.iter().map(|t| t.id.clone()).collect();
        let mut remote: Vec<String> = rig
            .client
            .list_tasks(&row.id)
            .await
            .unwrap()
            .items
            .iter()
            .map(|t| text(t, "id").unwrap().to_owned())
            .collect();
        local.sort();
        remote.sort();
        assert_eq!(local, remote, "tasks of {}", row.id);
        seen_tasks += local.len();
        let mut local: Vec<String> = detail.appointments.iter().map(|a| a.id.clone()).collect();
        let mut remote: Vec<String> = rig
            .client
            .contact_appointments(&row.id)
            .await
            .unwrap()
            .items
            .iter()
            .map(|a| text(a, "id").unwrap().to_owned())
            .collect();
        local.sort();
        remote.sort();
        assert_eq!(local, remote, "appointments of {}", row.id);
        seen_appointments += local.len();
    }
    assert!(
        seen_tasks > 0 && seen_appointments > 0,
        "the seed has tasks and appointments"
    );
}

#[tokio::test]
async fn children_come_from_location_wide_reads_when_the_scopes_allow() {
    let mut rig = Rig::new(150).await;
    let since = rig.since();
    assert_eq!(rig.sync().await.children, 150);
    let log = rig.log(since);
    assert_eq!(
        gets_matching(&log, "/notes"),
        150,
        "notes have no location-wide read"
    );
    assert_eq!(gets_matching(&log, "/tasks"), 0);
    assert_eq!(gets_matching(&log, "/appointments"), 0);
    assert!(
        posts(
            &log,
            &format!("/locations/{}/tasks/search", rig.client.location_id())
        ) >= 2
    );
    children_match_ghl(&rig).await;
}

#[tokio::test]
async fn without_location_wide_scopes_children_are_read_per_contact() {
    let mut rig = Rig::with_scopes(40, Some(&["contacts.readonly", "contacts.write"])).await;
    let since = rig.since();
    assert_eq!(rig.sync().await.children, 40);
    let log = rig.log(since);
    assert_eq!(gets_matching(&log, "/notes"), 40);
    assert_eq!(gets_matching(&log, "/tasks"), 40);
    assert_eq!(gets_matching(&log, "/appointments"), 40);
    children_match_ghl(&rig).await;
}

#[tokio::test]
async fn the_location_name_and_custom_fields_are_read_and_kept_fresh_not_every_cycle() {
    let mut rig = Rig::new(3).await;
    let since = rig.since();
    rig.sync().await;
    let expected = rig.sandbox.info().locations[0].name.clone();
    assert_eq!(rig.store.location_name().unwrap(), Some(expected));
    let fields = rig.store.custom_fields().unwrap();
    assert!(fields
        .iter()
        .any(|f| f.name == "Lead source" && f.options == ["Website", "Referral", "Event"]));
    let location_reads = |log: &[ghl_sandbox::LoggedRequest]| {
        log.iter()
            .filter(|r| {
                r.method == "GET" && r.path.starts_with("/locations/") && !r.path.contains("/tasks")
            })
            .count()
    };
    assert_eq!(location_reads(&rig.log(since)), 2);
    let again = rig.since();
    rig.sync().await;
    assert_eq!(
        location_reads(&rig.log(again)),
        0,
        "fresh details are not read again"
    );
}

#[tokio::test]
async fn a_token_without_the_location_scopes_still_syncs() {
    let mut rig = Rig::with_scopes(5, Some(&["contacts.readonly", "contacts.write"])).await;
    let summary = rig.sync().await;
    assert_eq!(summary.pulled, 5);
    assert_eq!(rig.store.location_name().unwrap(), None);
    assert!(rig.store.custom_fields().unwrap().is_empty());
}

#[tokio::test]
async fn contacts_deleted_in_ghl_disappear_unless_edited() {
    let mut rig = Rig::new(8).await;
    rig.sync().await;
    let rows = rig
        .store
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .rows;
    rig.store
        .update_contact(&rows[1].id, fields(json!({ "city": "Kept" })))
        .unwrap();
    for row in &rows[..2] {
        rig.control(
            "/_sandbox/delete",
            json!({ "kind": "contact", "contactId": row.id }),
        )
        .await;
    }
    let summary = rig.sync().await;
    assert_eq!(summary.deleted, 2);
    assert!(rig.store.contact_detail(&rows[0].id).is_err());
    assert!(
        rig.store.contact_detail(&rows[1].id).is_ok(),
        "an edited contact deleted in GHL is kept as a conflict"
    );
    assert_eq!(summary.conflicts, 1);
}

#[tokio::test]
async fn a_fault_storm_converges_with_nothing_lost_or_duplicated() {
    let mut rig = Rig::new(60).await;
    rig.sync().await;
    let synced: Vec<String> = rig
        .store
        .list_contacts(&ContactQuery {
            limit: 500,
            ..ContactQuery::default()
        })
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.id)
        .take(40)
        .collect();
    let mut created = Vec::new();
    for n in 0..60 {
        let id = rig.store.create_contact(fields(json!({ "firstName": format!("Storm{n}"), "email": format!("storm{n}@example.com") }))).unwrap();
        rig.store
            .create_note(&id, &format!("storm note {n}"), None)
            .unwrap();
        created.push(id);
    }
    for (n, id) in synced.iter().enumerate() {
        rig.store
            .update_contact(id, fields(json!({ "city": format!("Storm City {n}") })))
            .unwrap();
        rig.store.add_tags(id, &[format!("storm{n}")]).unwrap();
    }
    rig.sandbox
        .set_faults(Faults {
            error_rate: 0.15,
            burst_429: 5,
            reset_before_commit: 8,
            reset_after_commit: 8,
            create_422_but_created: 6,
            ..Faults::default()
        })
        .unwrap();
    let mut cycles = 0;
    while !rig.store.outbox().unwrap().is_empty() {
        cycles += 1;
        assert!(
            cycles <= 60,
            "the storm never converged: {:?}",
            rig.store.outbox().unwrap().first()
        );
        let clock = rig.clock.clone();
        let _ = sync_once(
            &mut rig.store,
            &rig.client,
            SyncOptions { children_budget: 0 },
            move || clock.load(Ordering::SeqCst),
            &|_| {},
            &CancellationToken::new(),
        )
        .await;
        rig.advance(3_600_000);
        if cycles == 30 {
            rig.sandbox.set_faults(Faults::default()).unwrap();
        }
    }
    rig.sandbox.set_faults(Faults::default()).unwrap();
    let log = rig.log(0);
    assert!(log.iter().any(|r| r.dropped), "connections were dropped");
    assert!(log.iter().any(|r| r.status >= 500), "5xx were injected");
    let posts = log
        .iter()
        .filter(|r| {
            r.method == "POST"
                && r.path == "/contacts/"
                && (r.status == 201 || r.status == 422 || r.dropped)
        })
        .count();
    assert!(posts >= 60);
    for (n, local) in created.iter().enumerate() {
        let server = rig
            .store
            .server_id(local)
            .unwrap()
            .expect("every created contact reached GHL");
        let found = rig
            .client
            .find_duplicate(Some(&format!("storm{n}@example.com")), None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            text(&found, "id"),
            Some(server.as_str()),
            "storm{n}: GHL's copy is the one the app knows"
        );
        let notes = rig.client.list_notes(&server).await.unwrap().items;
        assert_eq!(notes.len(), 1, "storm{n}: exactly one note");
    }
    let storms = rig
        .client
        .search_contacts(&ghl::SearchRequest {
            page_limit: 500,
            query: Some("storm".into()),
            ..ghl::SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(storms.total, 60, "no duplicate contacts");
    for (n, id) in synced.iter().enumerate() {
        let contact = rig.on_ghl(id).await;
        assert_eq!(contact["city"], format!("Storm City {n}").as_str());
        assert!(contact["tags"]
            .as_array()
            .unwrap()
            .contains(&json!(format!("storm{n}"))));
    }
}
