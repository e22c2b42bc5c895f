//! What the window's contact screens call: bulk edits over a selection or every match,
//! a contact refreshed when it is opened, read-only sign-ins, the filtered CSV export and
//! the activity log with syncs in it.

mod common;

use common::{fields, sync, Rig};
use desk::{ActivityQuery, ContactQuery, ErrorKind, OAuthOutcome, SignInApp, Targets};
use ghl::NoteInput;
use ghl_sandbox::{Consent, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use serde_json::json;

async fn synced(contacts: usize) -> (Rig, std::sync::Arc<desk::Location>) {
    let rig = Rig::new(contacts).await;
    rig.sign_in().await;
    let location = rig.desk.location().unwrap();
    sync(&location).await;
    (rig, location)
}

#[tokio::test]
async fn bulk_edits_queue_one_ordinary_change_per_contact_and_reach_ghl() {
    let (rig, location) = synced(12).await;
    let all = ContactQuery::default();
    let ids: Vec<String> = location
        .list_contacts(&all)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.id.clone())
        .collect();
    let three = Targets::Ids {
        ids: ids[..3].to_vec(),
    };
    assert_eq!(location.count_targets(&three).unwrap(), 3);
    assert_eq!(
        location.bulk_tags(&three, &["Bulk".into()], true).unwrap(),
        3
    );
    assert_eq!(
        location.bulk_tags(&three, &["bulk".into()], true).unwrap(),
        0,
        "contacts that have the tag already are left alone"
    );
    let tagged = Targets::Matching {
        query: ContactQuery {
            tag: Some("bulk".into()),
            ..ContactQuery::default()
        },
    };
    assert_eq!(location.count_targets(&tagged).unwrap(), 3);
    assert_eq!(location.pending_changes().unwrap().len(), 3);
    let activity = location.activity(5).unwrap();
    assert_eq!(activity[0].summary, "Tagged 3 contacts: bulk");
    sync(&location).await;
    for id in &ids[..3] {
        let tags = rig.sandbox.contact(id).unwrap()["tags"].clone();
        assert!(tags.as_array().unwrap().contains(&json!("bulk")), "{tags}");
    }

    assert_eq!(location.bulk_delete(&tagged).unwrap(), 3);
    assert_eq!(location.list_contacts(&all).unwrap().total, 9);
    sync(&location).await;
    for id in &ids[..3] {
        assert!(rig.sandbox.contact(id).is_none(), "deleted on GHL");
    }
    assert!(location.pending_changes().unwrap().is_empty());
    let missing = Targets::Ids {
        ids: vec![ids[5].clone(), "no-such-contact".into()],
    };
    assert_eq!(
        location.bulk_delete(&missing).unwrap_err().kind,
        ErrorKind::NotFound
    );
    assert!(
        location.contact_detail(&ids[5]).is_ok(),
        "all or nothing: the contact that exists is kept"
    );
}

#[tokio::test]
async fn opening_a_contact_reads_it_and_its_notes_from_ghl_first() {
    let (rig, location) = synced(4).await;
    let id = location
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .rows[0]
        .id
        .clone();
    reqwest::Client::new()
        .post(format!("{}/_sandbox/edit", rig.sandbox.base_url()))
        .json(&json!({ "kind": "contact", "contactId": id, "fields": { "city": "Changed by a colleague" } }))
        .send()
        .await
        .unwrap();
    location
        .client()
        .unwrap()
        .create_note(
            &id,
            &NoteInput {
                body: "A colleague's note".into(),
                title: None,
            },
        )
        .await
        .unwrap();
    let before = location.contact_view(&id).unwrap();
    assert!(before
        .detail
        .notes
        .iter()
        .all(|n| n.body != "A colleague's note"));
    location.refresh_contact(&id).await.unwrap();
    let after = location.contact_view(&id).unwrap();
    assert_eq!(
        after.detail.raw["city"],
        json!("Changed by a colleague"),
        "the contact is current"
    );
    assert!(after
        .detail
        .notes
        .iter()
        .any(|n| n.body == "A colleague's note"));
    assert!(after.read_only.is_none());

    location
        .update_contact(&id, fields(json!({ "city": "Mine" })))
        .unwrap();
    let view = location.contact_view(&id).unwrap();
    assert_eq!(view.changes.len(), 1);
    assert_eq!(view.changes[0].fields[0].field, "city");
    assert_eq!(
        view.changes[0].fields[0].before.as_deref(),
        Some("Changed by a colleague"),
        "what HighLevel had, for the field's marker"
    );
    let local = location
        .create_contact(fields(json!({ "firstName": "Only here" })))
        .unwrap();
    location.refresh_contact(&local).await.unwrap();
}

#[tokio::test]
async fn a_sign_in_that_may_only_read_refuses_edits_and_queues_nothing() {
    let rig = Rig::new(3).await;
    rig.sandbox.set_consent(Consent {
        auto_approve: true,
        app_scopes: Some(vec!["contacts.readonly".into()]),
        ..Consent::default()
    });
    let browser = reqwest::Client::new();
    let open = move |url: url::Url| {
        tokio::spawn(async move {
            let _ = browser.get(url).send().await;
        });
        Ok(())
    };
    let app = SignInApp {
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: DEMO_CLIENT_SECRET.into(),
        port: Some(0),
    };
    let OAuthOutcome::Location { .. } = rig.desk.sign_in_oauth(app, open).await.unwrap() else {
        panic!("one location")
    };
    let location = rig.desk.location().unwrap();
    sync(&location).await;
    let id = location
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .rows[0]
        .id
        .clone();
    let view = location.contact_view(&id).unwrap();
    assert!(view.read_only.unwrap().contains("contacts.write"));
    let refused = location
        .update_contact(&id, fields(json!({ "city": "Nope" })))
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::ReadOnly);
    assert_eq!(
        location
            .bulk_tags(
                &Targets::Ids {
                    ids: vec![id.clone()]
                },
                &["x".into()],
                true
            )
            .unwrap_err()
            .kind,
        ErrorKind::ReadOnly
    );
    assert!(location.create_note(&id, "no", None).is_err());
    assert!(
        location.pending_changes().unwrap().is_empty(),
        "nothing queued"
    );
}

#[tokio::test]
async fn the_export_writes_the_current_filter_to_a_file_and_syncs_show_in_the_activity() {
    let (rig, location) = synced(10).await;
    let ids: Vec<String> = location
        .list_contacts(&ContactQuery::default())
        .unwrap()
        .rows
        .iter()
        .map(|r| r.id.clone())
        .collect();
    location
        .bulk_tags(
            &Targets::Ids {
                ids: ids[..2].to_vec(),
            },
            &["export-me".into()],
            true,
        )
        .unwrap();
    let file = rig.dir.path().join("out.csv");
    let only = ContactQuery {
        tag: Some("export-me".into()),
        ..ContactQuery::default()
    };
    assert_eq!(location.export_csv_file(&file, Some(&only)).unwrap(), 2);
    let text_out = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text_out.lines().count(), 3, "a header and two contacts");
    assert_eq!(location.export_csv_file(&file, None).unwrap(), 10);
    let whole = std::fs::read_to_string(&file).unwrap();
    let header = whole.lines().next().unwrap();
    assert!(!header.contains("custom:"), "{header}");
    assert!(
        ["Lead source", "Deal size", "Member number"]
            .iter()
            .any(|name| header.contains(name)),
        "custom fields named: {header}"
    );

    sync(&location).await;
    let syncs = location
        .activity_page(&ActivityQuery {
            kinds: vec!["sync".into()],
            ..ActivityQuery::default()
        })
        .unwrap();
    assert!(
        syncs.iter().any(|e| e.summary.contains("2 changes sent")),
        "{syncs:?}"
    );
    assert!(syncs.iter().all(|e| e.kind == "sync"));
    let found = location
        .activity_page(&ActivityQuery {
            search: Some("export-me".into()),
            ..ActivityQuery::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    let newest = location.activity(1).unwrap()[0].id;
    let older = location
        .activity_page(&ActivityQuery {
            before: Some(newest),
            limit: 100,
            ..ActivityQuery::default()
        })
        .unwrap();
    assert!(!older.is_empty());
    assert!(older.iter().all(|e| e.id < newest));
}
