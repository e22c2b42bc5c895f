//! The engine against answers shaped as GHL's spec allows rather than as full records:
//! search items that carry only some fields (and name the street `address`), records
//! GHL sends that cannot be read, creates whose answer is lost with nothing but a name
//! to find them by, and retry bookkeeping across crashes.

mod common;

use common::{fields, posts, Rig};
use desk_store::model::{ContactQuery, OpState};
use desk_sync::SyncOptions;
use ghl::fields::text;
use ghl_sandbox::{
    shapes::{oddity, Oddity},
    Faults,
};
use serde_json::{json, Value};

/// A contact of the location that has the field `name` set in GHL.
fn contact_with(rig: &Rig, name: &str) -> String {
    let location = rig.client.location_id().to_owned();
    rig.sandbox
        .contact_ids(&location)
        .into_iter()
        .find(|id| {
            rig.sandbox
                .contact(id)
                .is_some_and(|c| c.get(name).is_some_and(|v| !v.is_null()) && oddity(id).is_none())
        })
        .expect("the seed has one")
}

/// A colleague's change in GHL.
async fn colleague(rig: &Rig, id: &str, changes: Value) {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    rig.control(
        "/_sandbox/edit",
        json!({ "kind": "contact", "contactId": id, "fields": changes }),
    )
    .await;
}

#[tokio::test]
async fn a_colleagues_change_to_the_street_is_never_overwritten() {
    let mut rig = Rig::new(40).await;
    rig.sync().await;
    let id = contact_with(&rig, "address1");
    rig.store
        .update_contact(&id, fields(json!({ "address1": "1 Mine Street" })))
        .unwrap();
    colleague(&rig, &id, json!({ "address1": "9 Their Road" })).await;
    let summary = rig.sync().await;
    assert_eq!(summary.conflicts, 1, "the same field changed on both sides");
    assert_eq!(rig.on_ghl(&id).await["address1"], "9 Their Road");
    let review = rig.store.pending_changes().unwrap().remove(0);
    assert_eq!(review.choices[0].field, "address1");
    assert_eq!(review.choices[0].ghl, "9 Their Road");
}

#[tokio::test]
async fn editing_the_street_again_after_it_was_sent_is_no_conflict() {
    let mut rig = Rig::new(40).await;
    rig.sync().await;
    let id = contact_with(&rig, "address1");
    rig.store
        .update_contact(&id, fields(json!({ "address1": "1 First Street" })))
        .unwrap();
    assert_eq!(rig.sync().await.pushed, 1);
    rig.store
        .update_contact(&id, fields(json!({ "address1": "2 Second Street" })))
        .unwrap();
    let summary = rig.sync().await;
    assert_eq!((summary.pushed, summary.conflicts), (1, 0));
    assert_eq!(rig.on_ghl(&id).await["address1"], "2 Second Street");
}

#[tokio::test]
async fn clearing_a_field_reaches_ghl() {
    let mut rig = Rig::new(40).await;
    rig.sync().await;
    for field in ["address1", "website"] {
        let id = contact_with(&rig, field);
        let mut changes = serde_json::Map::new();
        changes.insert(field.into(), Value::Null);
        rig.store.update_contact(&id, changes).unwrap();
        assert_eq!(rig.store.outbox().unwrap().len(), 1, "{field}: queued");
        assert_eq!(rig.sync().await.pushed, 1, "{field}: sent");
        let on_ghl = rig.on_ghl(&id).await;
        assert!(
            on_ghl.get(field).is_none_or(Value::is_null),
            "{field}: cleared in GHL"
        );
    }
}

#[tokio::test]
async fn a_field_no_search_item_carries_is_read_whole_before_deciding() {
    let mut rig = Rig::new(40).await;
    rig.sync().await;
    let id = contact_with(&rig, "website");
    let untouched = contact_with(&rig, "timezone");
    rig.store
        .update_contact(
            &id,
            fields(json!({ "website": "https://mine.example.com" })),
        )
        .unwrap();
    rig.store
        .update_contact(&untouched, fields(json!({ "city": "Only Mine" })))
        .unwrap();
    colleague(
        &rig,
        &id,
        json!({ "website": "https://theirs.example.com" }),
    )
    .await;
    let since = rig.since();
    let summary = rig.sync().await;
    let reads: Vec<String> = rig
        .log(since)
        .iter()
        .filter(|r| {
            r.method == "GET" && r.path.starts_with("/contacts/") && r.path.split('/').count() == 3
        })
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        reads,
        [format!("/contacts/{id}")],
        "one whole read, only where needed"
    );
    assert_eq!(
        summary.conflicts, 1,
        "the colleague's website is not overwritten"
    );
    assert_eq!(
        rig.on_ghl(&id).await["website"],
        "https://theirs.example.com"
    );
    assert_eq!(rig.on_ghl(&untouched).await["city"], "Only Mine");
}

#[tokio::test]
async fn odd_records_are_skipped_and_reported_and_the_rest_syncs() {
    let mut rig = Rig::new(300).await;
    let location = rig.client.location_id().to_owned();
    rig.sandbox
        .set_faults(Faults {
            odd_records: true,
            ..Faults::default()
        })
        .unwrap();
    let summary = rig.sync().await;
    let all = rig.sandbox.contact_ids(&location);
    let unreadable: Vec<&String> = all
        .iter()
        .filter(|id| matches!(oddity(id), Some(Oddity::NumberName | Oddity::NoId)))
        .collect();
    assert!(!unreadable.is_empty());
    assert_eq!(summary.skipped as usize, unreadable.len());
    let stored = rig
        .store
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .total as usize;
    assert_eq!(stored, all.len() - unreadable.len());
    assert_eq!(
        summary.children_left, 0,
        "notes, tasks and appointments came in"
    );
    let logged: Vec<String> = rig
        .store
        .activity(1000)
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == "error")
        .map(|a| a.summary)
        .collect();
    for id in unreadable
        .iter()
        .filter(|id| oddity(id) == Some(Oddity::NumberName))
    {
        assert!(
            logged
                .iter()
                .any(|l| l.contains(id.as_str()) && l.contains("firstName")),
            "{id} is reported by id"
        );
    }
    let with_null_tag = all
        .iter()
        .find(|id| oddity(id) == Some(Oddity::NullTag))
        .unwrap();
    assert!(
        rig.store.contact_detail(with_null_tag).is_ok(),
        "a null tag is dropped, not fatal"
    );

    let normal = all.iter().find(|id| oddity(id).is_none()).unwrap();
    rig.store
        .update_contact(normal, fields(json!({ "city": "Still Sent" })))
        .unwrap();
    let reported = |rig: &Rig| {
        rig.store
            .activity(1000)
            .unwrap()
            .iter()
            .filter(|a| a.kind == "error")
            .count()
    };
    let before = reported(&rig);
    let since = rig.since();
    let again = rig.sync().await;
    assert_eq!(again.pushed, 1, "odd records hold back nobody's changes");
    assert_eq!(reported(&rig), before, "each odd record is reported once");
    assert_eq!(
        again.deleted, 0,
        "skipped records are not mistaken for deletions"
    );
    assert!(
        rig.log(since).len() < 10,
        "no deletions pass every cycle: {}",
        rig.log(since).len()
    );
}

#[tokio::test]
async fn a_lost_answer_to_a_name_only_create_is_found_by_name() {
    let mut rig = Rig::new(10).await;
    rig.sync().await;
    let local = rig
        .store
        .create_contact(fields(
            json!({ "firstName": "Nameonly", "lastName": "Person" }),
        ))
        .unwrap();
    rig.sandbox
        .set_faults(Faults {
            reset_after_commit: 1,
            ..Faults::default()
        })
        .unwrap();
    let since = rig.since();
    let summary = rig.sync().await;
    rig.sandbox.set_faults(Faults::default()).unwrap();
    assert_eq!(summary.pushed, 1, "adopted after the lookup");
    assert_eq!(posts(&rig.log(since), "/contacts/"), 1, "one POST only");
    let server = rig.store.server_id(&local).unwrap().expect("mapped");
    assert_eq!(rig.on_ghl(&server).await["firstName"], "Nameonly");
}

#[tokio::test]
async fn a_name_only_create_that_looking_cannot_settle_waits_for_the_user() {
    let mut rig = Rig::new(10).await;
    rig.sync().await;
    let local = rig
        .store
        .create_contact(fields(
            json!({ "firstName": "Never", "lastName": "Arrived" }),
        ))
        .unwrap();
    rig.sandbox
        .set_faults(Faults {
            reset_before_commit: 1,
            ..Faults::default()
        })
        .unwrap();
    let since = rig.since();
    let summary = rig.sync().await;
    rig.sandbox.set_faults(Faults::default()).unwrap();
    assert_eq!(summary.conflicts, 1, "left for the user");
    let op = rig.store.outbox().unwrap().remove(0);
    assert_eq!(op.state, OpState::Uncertain);
    assert!(op.last_error.unwrap().contains("Check HighLevel"));
    rig.sync().await;
    assert_eq!(
        posts(&rig.log(since), "/contacts/"),
        1,
        "never sent again without the user"
    );
    rig.store.retry_now(op.seq).unwrap();
    assert_eq!(rig.sync().await.pushed, 1);
    assert!(rig.store.server_id(&local).unwrap().is_some());
    assert_eq!(posts(&rig.log(since), "/contacts/"), 2);
}

#[tokio::test]
async fn two_contacts_of_that_name_leave_the_create_to_the_user() {
    let mut rig = Rig::new(10).await;
    rig.sync().await;
    for _ in 0..2 {
        rig.store
            .create_contact(fields(json!({ "firstName": "Twin", "lastName": "Name" })))
            .unwrap();
    }
    rig.sync().await;
    rig.store
        .create_contact(fields(json!({ "firstName": "Twin", "lastName": "Name" })))
        .unwrap();
    rig.sandbox
        .set_faults(Faults {
            reset_after_commit: 1,
            ..Faults::default()
        })
        .unwrap();
    let summary = rig.sync().await;
    rig.sandbox.set_faults(Faults::default()).unwrap();
    assert_eq!(summary.conflicts, 1);
    assert_eq!(rig.store.outbox().unwrap()[0].state, OpState::Uncertain);
}

#[tokio::test]
async fn keeping_ghls_value_still_sends_the_fields_that_did_not_clash() {
    let mut rig = Rig::new(10).await;
    rig.sync().await;
    let id = rig.some_contact();
    rig.store
        .update_contact(
            &id,
            fields(json!({ "lastName": "Mine", "city": "My City" })),
        )
        .unwrap();
    colleague(&rig, &id, json!({ "lastName": "Theirs" })).await;
    assert_eq!(rig.sync().await.conflicts, 1);
    let seq = rig.store.outbox().unwrap()[0].seq;
    rig.store.keep_ghl(seq).unwrap();
    assert_eq!(rig.sync().await.pushed, 1);
    let on_ghl = rig.on_ghl(&id).await;
    assert_eq!(
        (&on_ghl["lastName"], &on_ghl["city"]),
        (&json!("Theirs"), &json!("My City"))
    );
}

#[tokio::test]
async fn attempts_count_requests_that_left_so_crashes_do_not_stretch_the_backoff() {
    let mut rig = Rig::new(5).await;
    rig.sync().await;
    let id = rig.some_contact();
    rig.store
        .update_contact(&id, fields(json!({ "city": "Patient" })))
        .unwrap();
    let seq = rig.store.outbox().unwrap()[0].seq;
    for _ in 0..5 {
        // A process marks the round and dies before sending.
        rig.store.begin_sends(&[seq]).unwrap();
        desk_sync::push::recover_in_flight(&mut rig.store, &rig.client)
            .await
            .unwrap();
    }
    assert_eq!(rig.store.outbox_op(seq).unwrap().attempts, 0);
    rig.sandbox
        .set_faults(Faults {
            error_rate: 1.0,
            ..Faults::default()
        })
        .unwrap();
    let at = rig.clock.load(std::sync::atomic::Ordering::SeqCst);
    let _ = desk_sync::push::outbox(
        &mut rig.store,
        &rig.client,
        || at,
        &desk_sync::progress::Reporter::new(&rig.client, &|_| {}),
        &tokio_util::sync::CancellationToken::new(),
    )
    .await;
    rig.sandbox.set_faults(Faults::default()).unwrap();
    let op = rig.store.outbox_op(seq).unwrap();
    assert_eq!(op.attempts, 1);
    let wait = op.next_attempt_at - at;
    assert!(
        (5_000..=10_000).contains(&wait),
        "first retry soon: {wait} ms"
    );
    assert_eq!(rig.store.outbox_counts().unwrap().waiting_for_retry, 1);
    rig.advance(wait);
    assert_eq!(
        rig.sync_with(SyncOptions { children_budget: 0 })
            .await
            .pushed,
        1
    );
    assert_eq!(text(&rig.on_ghl(&id).await, "city"), Some("Patient"));
}
