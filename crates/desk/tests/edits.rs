//! Every kind of user edit through the application layer: shown at once, refused with
//! field errors at entry, queued once, and on GHL exactly once after a sync.

mod common;

use std::time::Duration;

use common::{fields, sync, Rig};
use desk::{ContactQuery, ErrorKind, OpState, Resolution};
use ghl::fields::text;
use serde_json::json;

async fn synced() -> (Rig, std::sync::Arc<desk::Location>) {
    let rig = Rig::new(6).await;
    rig.sign_in().await;
    let location = rig.desk.location().unwrap();
    sync(&location).await;
    (rig, location)
}

#[tokio::test]
async fn every_edit_kind_is_queued_then_reaches_ghl_once() {
    let (rig, location) = synced().await;
    let edits = rig.desk.watch_edits();
    let existing = location
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .rows[0]
        .id
        .clone();
    let new = location
        .create_contact(fields(
            json!({ "firstName": "Desk", "email": "desk@example.com" }),
        ))
        .unwrap();
    assert!(edits.has_changed().unwrap(), "the runner hears of edits");
    location
        .update_contact(&new, fields(json!({ "lastName": "Layer" })))
        .unwrap();
    location
        .add_tags(&new, &["vip".into(), "lead".into()])
        .unwrap();
    location.remove_tags(&new, &["lead".into()]).unwrap();
    let note = location.create_note(&new, "first", Some("Intro")).unwrap();
    location.update_note(&note, "first, edited").unwrap();
    let task = location
        .create_task(
            &new,
            fields(json!({ "title": "Call", "dueDate": "2026-12-01T10:00:00Z" })),
        )
        .unwrap();
    location
        .update_task(&task, fields(json!({ "title": "Call back" })))
        .unwrap();
    location.complete_task(&task, true).unwrap();
    location
        .update_contact(&existing, fields(json!({ "city": "Deskville" })))
        .unwrap();
    let notes_before = rig.sandbox.note_count(&existing);
    location.create_note(&existing, "to delete", None).unwrap();
    let detail = location.contact_detail(&new).unwrap();
    assert_eq!(detail.contact.tags, ["vip"]);
    assert_eq!(detail.notes[0].body, "first, edited");
    assert!(detail.tasks[0].completed);

    let summary = sync(&location).await;
    assert_eq!(summary.rejected, 0);
    let server = location
        .contact_detail(&existing)
        .unwrap()
        .notes
        .iter()
        .find(|n| n.body == "to delete")
        .unwrap()
        .id
        .clone();
    assert!(!server.starts_with("local_"));
    location.delete_note(&server).unwrap();
    let created = rig
        .sandbox
        .contact_ids(location.location_id())
        .into_iter()
        .find(|id| {
            rig.sandbox
                .contact(id)
                .is_some_and(|c| text(&c, "email") == Some("desk@example.com"))
        })
        .expect("the new contact is on GHL");
    let task_id = location.contact_detail(&created).unwrap().tasks[0]
        .id
        .clone();
    location.delete_task(&task_id).unwrap();
    sync(&location).await;
    assert!(location.pending_changes().unwrap().is_empty());
    let on_ghl = rig.sandbox.contact(&created).unwrap();
    assert_eq!(text(&on_ghl, "lastName"), Some("Layer"));
    assert_eq!(on_ghl["tags"], json!(["vip"]));
    assert_eq!(rig.sandbox.note_count(&created), 1);
    assert_eq!(
        rig.sandbox.note_count(&existing),
        notes_before,
        "created, then deleted"
    );
    assert_eq!(
        text(&rig.sandbox.contact(&existing).unwrap(), "city"),
        Some("Deskville")
    );
    location.delete_contact(&created).unwrap();
    sync(&location).await;
    assert!(rig.sandbox.contact(&created).is_none());
}

#[tokio::test]
async fn bad_input_is_refused_at_entry_with_its_field() {
    let (_rig, location) = synced().await;
    let id = location
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .rows[0]
        .id
        .clone();
    let err = location
        .update_contact(&id, fields(json!({ "email": "not-an-email", "foo": "x" })))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid);
    let named: Vec<&str> = err.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, ["email", "foo"]);
    assert_eq!(err.kind.exit_code(), 2);
    let missing = location.delete_note("nope").unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert!(location.pending_changes().unwrap().is_empty());
}

#[tokio::test]
async fn conflicts_are_settled_through_the_layer() {
    let (rig, location) = synced().await;
    let id = location
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .rows[0]
        .id
        .clone();
    location
        .update_contact(
            &id,
            fields(json!({ "lastName": "Mine", "city": "Mine City" })),
        )
        .unwrap();
    tokio::time::sleep(Duration::from_millis(5)).await;
    reqwest::Client::new()
        .post(format!("{}/_sandbox/edit", rig.sandbox.base_url()))
        .json(&json!({ "kind": "contact", "contactId": id, "fields": { "lastName": "Theirs" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(sync(&location).await.conflicts, 1);
    let change = location.pending_changes().unwrap().remove(0);
    assert_eq!(change.state, OpState::Conflict);
    assert!(
        location
            .resolve(change.seq.into(), &Resolution::Retry)
            .is_err(),
        "a conflict is not simply sent again"
    );
    location
        .resolve(
            change.seq.into(),
            &Resolution::Fields {
                take_ghl: vec!["lastName".into()],
            },
        )
        .unwrap();
    sync(&location).await;
    let on_ghl = rig.sandbox.contact(&id).unwrap();
    assert_eq!(
        (text(&on_ghl, "lastName"), text(&on_ghl, "city")),
        (Some("Theirs"), Some("Mine City"))
    );
}
