//! Local edits, coalescing, the outbox life cycle, pulls and reads, against a real
//! SQLite database.

use desk_store::{
    model::{Carried, ContactQuery, ContactSort, Entity, OpKind, OpState, Pulled},
    Ack, Base, Change, Store, StoreError, SyncStore,
};
use serde_json::{json, Map, Value};

fn fields(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

/// Whole records, as `GET /contacts/{id}` answers.
fn whole(records: &[Value]) -> Vec<Pulled> {
    records
        .iter()
        .map(|r| Pulled {
            record: fields(r.clone()),
            carried: Carried::All,
        })
        .collect()
}

fn created(op: &desk_store::model::OutboxOp) -> &Map<String, Value> {
    match &op.change {
        Change::Create { fields } => fields,
        other => panic!("not a create: {other:?}"),
    }
}

fn updated(
    op: &desk_store::model::OutboxOp,
) -> &std::collections::BTreeMap<String, desk_store::FieldChange> {
    match &op.change {
        Change::Update { fields } => fields,
        other => panic!("not an update: {other:?}"),
    }
}

fn server_contact(id: &str, first: &str, email: &str) -> Value {
    json!({ "id": id, "firstName": first, "lastName": "Server", "email": email, "tags": ["lead"], "dateAdded": "2025-01-01T00:00:00.000Z",
            "dateUpdated": "2025-01-02T00:00:00.000Z", "customFields": [{ "id": "cf1", "value": "x" }], "unknownField": { "kept": true } })
}

fn store() -> SyncStore {
    SyncStore::open_in_memory().unwrap()
}

/// A store holding one contact synced from GHL: c1, Grace.
fn store_with_grace() -> SyncStore {
    let mut s = store();
    s.apply_contacts(&whole(&[server_contact(
        "c1",
        "Grace",
        "grace@example.com",
    )]))
    .unwrap();
    s
}

#[test]
fn create_shows_at_once_and_queues_one_operation() {
    let mut s = store();
    let id = s.create_contact(fields(json!({ "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "phone": "(512) 555-0100", "tags": ["VIP"] }))).unwrap();
    assert!(id.starts_with("local_"));
    let page = s.list_contacts(&ContactQuery::default()).unwrap();
    assert_eq!(page.total, 1);
    let row = &page.rows[0];
    assert_eq!(row.phone.as_deref(), Some("+15125550100"));
    assert_eq!(row.tags, vec!["vip"]);
    assert_eq!(row.pending, 1);
    assert!(row.date_added.is_some());
    let ops = s.outbox().unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].kind(), OpKind::Create);
    assert!(
        created(&ops[0]).get("dateAdded").is_none(),
        "stamps stay out of what is sent"
    );
    assert_eq!(s.outbox_counts().unwrap().pending, 1);
    assert_eq!(
        s.activity(10).unwrap()[0].summary,
        "Created contact Ada Lovelace"
    );
}

#[test]
fn bad_input_is_refused_with_field_errors() {
    let mut s = store();
    match s.create_contact(fields(json!({ "email": "nope", "phone": "12" }))) {
        Err(StoreError::Invalid(errors)) => {
            let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(names, vec!["email", "phone"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        s.create_contact(fields(json!({ "city": "Oslo" }))),
        Err(StoreError::Invalid(_))
    ));
    let id = s
        .create_contact(fields(json!({ "firstName": "A" })))
        .unwrap();
    assert!(
        matches!(s.create_task(&id, fields(json!({ "title": "" }))), Err(StoreError::Invalid(e)) if e.len() == 2)
    );
    assert!(matches!(
        s.create_note(&id, "   ", None),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.update_contact("missing", fields(json!({ "firstName": "X" }))),
        Err(StoreError::NotFound(_))
    ));
    assert!(
        s.outbox().unwrap().len() == 1,
        "nothing queued for refused edits"
    );
}

#[test]
fn edits_coalesce_while_unsent() {
    let mut s = store();
    let id = s
        .create_contact(fields(json!({ "firstName": "Ada" })))
        .unwrap();
    s.update_contact(&id, fields(json!({ "lastName": "Lovelace" })))
        .unwrap();
    s.add_tags(&id, &["a".into(), "b".into()]).unwrap();
    s.remove_tags(&id, &["a".into()]).unwrap();
    let ops = s.outbox().unwrap();
    assert_eq!(ops.len(), 1, "create + update + tags merge into the create");
    assert_eq!(created(&ops[0])["lastName"], "Lovelace");
    assert_eq!(created(&ops[0])["tags"], json!(["b"]));

    let note = s.create_note(&id, "hello", None).unwrap();
    s.create_task(
        &id,
        fields(json!({ "title": "Call", "dueDate": "2026-12-01T10:00:00Z" })),
    )
    .unwrap();
    assert_eq!(s.outbox().unwrap().len(), 3);
    s.update_note(&note, "hello again").unwrap();
    assert_eq!(s.outbox().unwrap().len(), 3);
    s.delete_contact(&id).unwrap();
    assert!(
        s.outbox().unwrap().is_empty(),
        "create + delete cancel, children included"
    );
    assert_eq!(s.list_contacts(&ContactQuery::default()).unwrap().total, 0);
}

#[test]
fn updates_of_a_synced_contact_keep_the_first_base_and_cancel_when_undone() {
    let mut s = store_with_grace();
    s.update_contact("c1", fields(json!({ "firstName": "Gracie" })))
        .unwrap();
    s.update_contact(
        "c1",
        fields(json!({ "firstName": "G", "city": "Arlington" })),
    )
    .unwrap();
    let ops = s.outbox().unwrap();
    assert_eq!(ops.len(), 1);
    let changed = updated(&ops[0]);
    assert_eq!(
        (&changed["firstName"].value, &changed["firstName"].base),
        (&json!("G"), &Base::Known(json!("Grace")))
    );
    assert_eq!(
        (&changed["city"].value, &changed["city"].base),
        (&json!("Arlington"), &Base::Known(Value::Null))
    );
    s.update_contact("c1", fields(json!({ "firstName": "Grace", "city": null })))
        .unwrap();
    assert!(
        s.outbox().unwrap().is_empty(),
        "back to the server values: nothing to send"
    );
    s.update_contact("c1", fields(json!({ "firstName": "Grace" })))
        .unwrap();
    assert!(
        s.outbox().unwrap().is_empty(),
        "an edit that changes nothing queues nothing"
    );
}

#[test]
fn a_pull_never_loses_pending_intent_and_keeps_unknown_fields() {
    let mut s = store_with_grace();
    s.update_contact("c1", fields(json!({ "firstName": "Amazing Grace" })))
        .unwrap();
    s.add_tags("c1", &["vip".into()]).unwrap();
    let mut newer = server_contact("c1", "Grace", "hopper@example.com");
    newer["dateUpdated"] = json!("2025-02-01T00:00:00.000Z");
    s.apply_contacts(&whole(&[newer])).unwrap();
    let detail = s.contact_detail("c1").unwrap();
    assert_eq!(
        detail.contact.first_name.as_deref(),
        Some("Amazing Grace"),
        "local intent on top"
    );
    assert_eq!(
        detail.contact.email.as_deref(),
        Some("hopper@example.com"),
        "server change visible"
    );
    assert_eq!(detail.contact.tags, vec!["lead", "vip"]);
    assert_eq!(detail.raw["unknownField"], json!({ "kept": true }));
    assert_eq!(detail.contact.pending, 2);
}

#[test]
fn acknowledging_a_create_remaps_the_local_id_everywhere() {
    let mut s = store();
    let contact = s
        .create_contact(fields(json!({ "firstName": "Ada" })))
        .unwrap();
    let note = s
        .create_note(&contact, "first note", Some("Intro"))
        .unwrap();
    let task = s
        .create_task(
            &contact,
            fields(json!({ "title": "Call", "dueDate": "2026-12-01T10:00:00Z" })),
        )
        .unwrap();

    let ready = s.ready_ops(i64::MAX).unwrap();
    assert_eq!(ready.len(), 1, "children wait for their contact");
    assert_eq!(ready[0].entity, Entity::Contact);
    s.begin_sends(&[ready[0].seq]).unwrap();
    assert_eq!(s.in_flight().unwrap().len(), 1);
    assert!(s.ready_ops(i64::MAX).unwrap().is_empty());
    let server = s.complete(ready[0].seq, Ack::Record(fields(json!({ "id": "srv1", "firstName": "Ada", "dateAdded": "2026-01-01T00:00:00.000Z" })))).unwrap();
    assert_eq!(server, "srv1");
    assert_eq!(s.server_id(&contact).unwrap().as_deref(), Some("srv1"));

    let ready = s.ready_ops(i64::MAX).unwrap();
    assert_eq!(ready.len(), 2);
    assert!(ready
        .iter()
        .all(|op| op.parent_id.as_deref() == Some("srv1")));
    let detail = s.contact_detail("srv1").unwrap();
    assert_eq!(detail.notes.len(), 1);
    assert_eq!(detail.tasks.len(), 1);
    assert!(matches!(
        s.contact_detail(&contact),
        Err(StoreError::NotFound(_))
    ));
    for op in ready {
        s.begin_sends(&[op.seq]).unwrap();
        let id = if op.entity == Entity::Note {
            "n1"
        } else {
            "t1"
        };
        s.complete(op.seq, Ack::Record(fields(json!({ "id": id, "contactId": "srv1", "body": "first note", "title": "Call", "dueDate": "2026-12-01T10:00:00Z" })))).unwrap();
    }
    let detail = s.contact_detail("srv1").unwrap();
    assert_eq!(detail.notes[0].id, "n1");
    assert_eq!(detail.tasks[0].id, "t1");
    assert_eq!(detail.contact.pending, 0);
    assert!(s.outbox().unwrap().is_empty());
    assert!(s.activity(10).unwrap().iter().all(|a| a
        .entity_id
        .as_deref()
        .is_none_or(|e| !e.starts_with("local_"))));
    let _ = (note, task);
}

#[test]
fn the_review_lists_what_waits_for_the_user_first_a_page_at_a_time() {
    let mut s = store();
    let names = ["Ada", "Alan", "Grace", "Edsger", "Barbara"];
    let contacts: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| server_contact(&format!("c{i}"), name, &format!("{i}@example.com")))
        .collect();
    s.apply_contacts(&whole(&contacts)).unwrap();
    for i in 0..names.len() {
        s.update_contact(&format!("c{i}"), fields(json!({ "lastName": "Edited" })))
            .unwrap();
    }
    let queued: Vec<i64> = s.outbox().unwrap().iter().map(|op| op.seq).collect();
    s.begin_sends(&[queued[3]]).unwrap();
    s.reject(queued[3], "lastName is not allowed").unwrap();

    let seqs = |limit| -> Vec<i64> {
        s.changes_to_review(limit)
            .unwrap()
            .iter()
            .map(|c| i64::from(c.seq))
            .collect()
    };
    assert_eq!(
        seqs(10),
        vec![queued[3], queued[0], queued[1], queued[2], queued[4]]
    );
    assert_eq!(seqs(2), vec![queued[3], queued[0]]);
    assert_eq!(seqs(0), Vec::<i64>::new());
}

#[test]
fn rejected_operations_block_only_their_record_and_can_be_discarded() {
    let mut s = store();
    s.apply_contacts(&whole(&[
        server_contact("c1", "Grace", "g@example.com"),
        server_contact("c2", "Alan", "a@example.com"),
    ]))
    .unwrap();
    s.update_contact("c1", fields(json!({ "firstName": "Bad" })))
        .unwrap();
    s.update_contact("c2", fields(json!({ "firstName": "Alan M" })))
        .unwrap();
    let first = s.ready_ops(i64::MAX).unwrap()[0].clone();
    s.begin_sends(&[first.seq]).unwrap();
    s.reject(first.seq, "firstName is not allowed").unwrap();
    s.update_contact("c1", fields(json!({ "lastName": "Later" })))
        .unwrap();
    let ready = s.ready_ops(i64::MAX).unwrap();
    assert_eq!(ready.len(), 1);
    assert_eq!(ready[0].entity_id, "c2", "c1 is held back, c2 is not");
    assert_eq!(s.outbox_counts().unwrap().rejected, 1);
    assert_eq!(s.outbox_op(first.seq).unwrap().state, OpState::Rejected);
    s.discard(first.seq).unwrap();
    let detail = s.contact_detail("c1").unwrap();
    assert_eq!(
        detail.contact.first_name.as_deref(),
        Some("Grace"),
        "reverted to GHL's value"
    );
    assert_eq!(
        detail.contact.last_name.as_deref(),
        Some("Later"),
        "the later edit survives"
    );
}

#[test]
fn retries_wait_for_their_time() {
    let mut s = store();
    s.apply_contacts(&whole(&[server_contact("c1", "Grace", "g@example.com")]))
        .unwrap();
    s.update_contact("c1", fields(json!({ "city": "X" })))
        .unwrap();
    let op = s.ready_ops(0).unwrap()[0].clone();
    s.begin_sends(&[op.seq]).unwrap();
    s.retry_later(op.seq, "HighLevel had a server error (503)", 5_000)
        .unwrap();
    assert!(s.ready_ops(4_999).unwrap().is_empty());
    assert_eq!(s.ready_ops(5_000).unwrap().len(), 1);
    assert_eq!(s.outbox_op(op.seq).unwrap().attempts, 1);
}

#[test]
fn deletions_in_ghl_are_forgotten_unless_edited_locally() {
    let mut s = store();
    s.apply_contacts(&whole(&[
        server_contact("c1", "Grace", "g@example.com"),
        server_contact("c2", "Alan", "a@example.com"),
    ]))
    .unwrap();
    s.apply_children(
        "c1",
        &[fields(
            json!({ "id": "n1", "body": "hi", "contactId": "c1" }),
        )],
        &[],
        None,
    )
    .unwrap();
    s.update_contact("c2", fields(json!({ "city": "Bletchley" })))
        .unwrap();
    s.apply_contact_deletions(&["c1".into(), "c2".into()])
        .unwrap();
    assert!(matches!(
        s.contact_detail("c1"),
        Err(StoreError::NotFound(_))
    ));
    let kept = s.contact_detail("c2").unwrap();
    assert_eq!(kept.raw["city"], "Bletchley");
    assert_eq!(s.outbox_counts().unwrap().conflicts, 1);
    let op = s.outbox().unwrap()[0].seq;
    s.discard(op).unwrap();
    assert!(
        matches!(s.contact_detail("c2"), Err(StoreError::NotFound(_))),
        "discarding the conflict accepts the deletion"
    );
}

#[test]
fn children_lists_replace_and_detect_removals() {
    let mut s = store();
    s.apply_contacts(&whole(&[server_contact("c1", "Grace", "g@example.com")]))
        .unwrap();
    s.apply_children("c1", &[], &[fields(json!({ "id": "t1", "title": "A", "dueDate": "2026-01-01T00:00:00Z", "completed": false })), fields(json!({ "id": "t2", "title": "B" }))], None).unwrap();
    s.complete_task("t1", true).unwrap();
    s.apply_children(
        "c1",
        &[],
        &[fields(json!({ "id": "t2", "title": "B2" }))],
        None,
    )
    .unwrap();
    let detail = s.contact_detail("c1").unwrap();
    assert_eq!(detail.tasks.len(), 2, "t1 kept: it has a pending change");
    assert_eq!(s.outbox_counts().unwrap().conflicts, 1);
    assert!(detail.tasks.iter().any(|t| t.title == "B2"));
    s.apply_appointments(&[fields(json!({ "id": "e1", "contactId": "c1", "title": "Consult", "startTime": "2026-01-01T10:00:00-05:00", "appointmentStatus": "confirmed" }))]).unwrap();
    assert_eq!(
        s.contact_detail("c1").unwrap().appointments[0]
            .status
            .as_deref(),
        Some("confirmed")
    );
}

#[test]
fn search_filters_and_sorts() {
    let mut s = store();
    s.apply_contacts(&whole(&[
        json!({ "id": "a", "firstName": "Ada", "lastName": "Lovelace", "email": "ada@engines.com", "phone": "+15125550100", "companyName": "Analytical", "tags": ["vip"], "businessId": "b1", "dateAdded": "2025-01-01T00:00:00Z", "dateUpdated": "2025-03-01T00:00:00Z" }),
        json!({ "id": "b", "firstName": "Alan", "lastName": "Turing", "email": "alan@bletchley.uk", "phone": "+442079460958", "tags": ["lead"], "dateAdded": "2025-02-01T00:00:00Z", "dateUpdated": "2025-02-01T00:00:00Z" }),
        json!({ "id": "c", "firstName": "Grace", "lastName": "Hopper", "email": "grace@navy.mil", "companyName": "Navy", "tags": ["vip", "lead"], "businessId": "b1", "dateAdded": "2025-03-01T00:00:00Z", "dateUpdated": "2025-01-01T00:00:00Z" }),
    ]))
    .unwrap();
    fn ids(s: &Store, q: ContactQuery) -> Vec<String> {
        s.list_contacts(&q)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    }
    let search = |text: &str| ContactQuery {
        search: Some(text.into()),
        ..ContactQuery::default()
    };
    assert_eq!(ids(&s, search("lov")), vec!["a"]);
    assert_eq!(
        ids(&s, search("a")),
        vec!["a", "b"],
        "prefix of Ada and Alan; sorted by last name"
    );
    assert_eq!(
        ids(&s, search("512 555")),
        vec!["a"],
        "phone digits without the country code"
    );
    assert_eq!(ids(&s, search("(512) 555-01")), vec!["a"]);
    assert_eq!(ids(&s, search("navy")), vec!["c"]);
    assert_eq!(ids(&s, search("grace hop")), vec!["c"]);
    assert_eq!(
        ids(
            &s,
            ContactQuery {
                tag: Some("VIP".into()),
                ..ContactQuery::default()
            }
        ),
        vec!["c", "a"]
    );
    assert_eq!(
        ids(
            &s,
            ContactQuery {
                business_id: Some("b1".into()),
                tag: Some("lead".into()),
                ..ContactQuery::default()
            }
        ),
        vec!["c"]
    );
    assert_eq!(
        ids(
            &s,
            ContactQuery {
                sort: ContactSort::Name,
                ..ContactQuery::default()
            }
        ),
        vec!["c", "a", "b"]
    );
    assert_eq!(
        ids(
            &s,
            ContactQuery {
                sort: ContactSort::DateAdded,
                ..ContactQuery::default()
            }
        ),
        vec!["c", "b", "a"]
    );
    assert_eq!(
        ids(
            &s,
            ContactQuery {
                sort: ContactSort::DateUpdated,
                ..ContactQuery::default()
            }
        ),
        vec!["a", "b", "c"]
    );
    let page = s
        .list_contacts(&ContactQuery {
            limit: 1,
            offset: 1,
            ..ContactQuery::default()
        })
        .unwrap();
    assert_eq!(
        (page.total, page.rows.len(), page.rows[0].id.as_str()),
        (3, 1, "a")
    );
    s.update_contact("b", fields(json!({ "lastName": "Mathison" })))
        .unwrap();
    assert_eq!(
        ids(&s, search("mathi")),
        vec!["b"],
        "search sees local edits at once"
    );
    assert_eq!(
        s.tags().unwrap(),
        vec![("lead".to_owned(), 2), ("vip".to_owned(), 2)]
    );
}

#[test]
fn export_writes_tags_and_custom_fields_by_name_and_no_formulas() {
    let mut s = store();
    let mut hostile = server_contact("c2", "=HYPERLINK(\"http://evil\",\"x\")", "e@example.com");
    hostile["customFields"] = json!([
        { "_id": "cf2", "value": "@SUM(A1)" },
        { "id": "gone", "value": ["a", "b"] }
    ]);
    s.apply_contacts(&whole(&[
        server_contact("c1", "Grace", "g@example.com"),
        hostile,
    ]))
    .unwrap();
    s.apply_custom_fields(&[
        fields(json!({ "id": "cf2", "name": "Deal size", "position": 0 })),
        fields(json!({ "id": "cf1", "name": "Lead source", "position": 1 })),
        fields(json!({ "id": "unused", "name": "Never filled", "position": 2 })),
    ])
    .unwrap();
    s.create_contact(fields(
        json!({ "firstName": "Local, \"quoted\"", "tags": ["x", "y"] }),
    ))
    .unwrap();
    let mut out = Vec::new();
    assert_eq!(s.export_contacts_csv(&mut out, None).unwrap(), 3);
    let text = String::from_utf8(out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "id");
    assert_eq!(
        &header[header.len() - 4..],
        ["tags", "Deal size", "Lead source", "custom:gone"],
        "named, in GHL's order, unfilled fields left out"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let by_id = |id: &str| rows.iter().find(|r| &r[0] == id).unwrap().clone();
    let grace = by_id("c1");
    assert_eq!(&grace[1], "Grace");
    assert_eq!(&grace[header.len() - 2], "x", "Lead source");
    let evil = by_id("c2");
    assert!(evil[1].starts_with("'="), "no formula: {}", &evil[1]);
    assert_eq!(&evil[header.len() - 3], "'@SUM(A1)");
    assert_eq!(&evil[header.len() - 1], "a; b");
    assert!(text.contains("\"Local, \"\"quoted\"\"\""));
    assert!(text.contains("x; y"));
    assert!(
        rows.iter()
            .flat_map(|r| r.iter())
            .all(|c| !c.starts_with(['=', '+', '-', '@'])),
        "no cell starts a formula"
    );
}

#[test]
fn bookkeeping_records_cursors_status_and_children_freshness() {
    let mut s = store().with_clock(std::sync::Arc::new(|| 1_000));
    s.set_cursor("contacts", "[123,\"abc\"]").unwrap();
    assert_eq!(
        s.cursor("contacts").unwrap().as_deref(),
        Some("[123,\"abc\"]")
    );
    s.fetch_attempted("contacts").unwrap();
    s.fetch_failed("contacts", "offline").unwrap();
    assert_eq!(
        s.fetch_status("contacts").unwrap().last_error.as_deref(),
        Some("offline")
    );
    s.fetch_succeeded("contacts").unwrap();
    let status = s.fetch_status("contacts").unwrap();
    assert_eq!(
        (status.last_attempt, status.last_success, status.last_error),
        (Some(1_000), Some(1_000), None)
    );

    s.apply_contacts(&whole(&[
        server_contact("c1", "A", "a@example.com"),
        server_contact("c2", "B", "b@example.com"),
    ]))
    .unwrap();
    assert_eq!(s.contacts_needing_children(10).unwrap(), vec!["c1", "c2"]);
    s.apply_children("c1", &[], &[], Some(&[])).unwrap();
    assert_eq!(s.contacts_needing_children(10).unwrap(), vec!["c2"]);
    let mut changed = server_contact("c1", "A", "a@example.com");
    changed["dateUpdated"] = json!("2026-01-01T00:00:00.000Z");
    s.apply_contacts(&whole(&[changed])).unwrap();
    assert_eq!(
        s.contacts_needing_children(10).unwrap(),
        vec!["c2", "c1"],
        "a changed contact needs its children again, after those never fetched"
    );
}

#[test]
fn a_common_search_is_counted_whole_and_paged_in_the_order_asked() {
    let mut s = store();
    // Stored in the opposite of name order, with more matches than a sort would take.
    let records: Vec<Value> = (0..6_000)
        .rev()
        .map(|n| {
            json!({ "id": format!("p{n:05}"), "firstName": "Person", "lastName": format!("Number{n:05}"),
                    "dateAdded": format!("2025-01-01T00:00:{:02}.{:03}Z", n / 1000, n % 1000),
                    "phone": format!("+1512555{n:04}") })
        })
        .collect();
    s.apply_contacts(&whole(&records)).unwrap();
    s.apply_contacts(&whole(&[json!({ "id": "other", "firstName": "Zed" })]))
        .unwrap();
    let names = |query: ContactQuery| -> (u32, Vec<String>) {
        let page = s.list_contacts(&query).unwrap();
        (
            page.total,
            page.rows
                .iter()
                .map(|r| r.last_name.clone().unwrap_or_default())
                .collect(),
        )
    };
    let search = |offset, sort, reverse| ContactQuery {
        search: Some("pers".into()),
        sort,
        reverse,
        offset,
        limit: 3,
        ..ContactQuery::default()
    };
    assert_eq!(
        names(search(0, ContactSort::Name, false)),
        (
            6_000,
            vec![
                "Number00000".into(),
                "Number00001".into(),
                "Number00002".into()
            ]
        ),
        "every match counted, the first by name first"
    );
    assert_eq!(
        names(search(5_998, ContactSort::Name, false)).1,
        ["Number05998", "Number05999"]
    );
    assert_eq!(
        names(search(0, ContactSort::Name, true)).1,
        ["Number05999", "Number05998", "Number05997"]
    );
    assert_eq!(
        names(search(0, ContactSort::DateAdded, false)).1,
        ["Number05999", "Number05998", "Number05997"],
        "newest first"
    );
    assert_eq!(
        names(search(0, ContactSort::DateAdded, true)).1,
        ["Number00000", "Number00001", "Number00002"],
        "oldest first"
    );
    let few = ContactQuery {
        search: Some("number0001".into()),
        limit: 100,
        ..ContactQuery::default()
    };
    let (total, rows) = names(few);
    assert_eq!(total, 10);
    assert_eq!(rows.first().map(String::as_str), Some("Number00010"));
    let phone_end = ContactQuery {
        search: Some("5-0042".into()),
        ..ContactQuery::default()
    };
    assert_eq!(
        names(phone_end).1,
        ["Number00042"],
        "the end of a phone number finds it"
    );
    let none = s
        .list_contacts(&ContactQuery {
            search: Some("zzz".into()),
            ..ContactQuery::default()
        })
        .unwrap();
    assert_eq!((none.total, none.rows.len()), (0, 0));
    let everyone = s.list_contacts(&ContactQuery::default()).unwrap();
    assert_eq!(everyone.total, 6_001);
    assert_eq!(
        s.matching_contact_ids(&ContactQuery {
            search: Some("pers".into()),
            ..ContactQuery::default()
        })
        .unwrap()
        .len(),
        6_000
    );
}

#[test]
fn pending_changes_are_described_for_people() {
    let mut s = store();
    s.apply_contacts(&whole(&[server_contact("c1", "Grace", "g@example.com")]))
        .unwrap();
    let id = s
        .create_contact(fields(
            json!({ "firstName": "Ada", "email": "ada@example.com" }),
        ))
        .unwrap();
    s.update_contact("c1", fields(json!({ "city": "Arlington" })))
        .unwrap();
    s.add_tags("c1", &["vip".into()]).unwrap();
    s.delete_contact(&id).unwrap();
    let changes = s.pending_changes().unwrap();
    let summaries: Vec<&str> = changes.iter().map(|c| c.summary.as_str()).collect();
    assert_eq!(summaries, vec!["Changed contact: city", "Added tags: vip"]);
    assert!(changes
        .iter()
        .all(|c| c.state == OpState::Pending && c.entity_id == "c1"));
}

#[test]
fn a_change_put_back_for_later_says_when_it_is_due() {
    let mut s = store();
    let id = s
        .create_contact(fields(json!({ "firstName": "Later" })))
        .unwrap();
    assert_eq!(s.next_retry_at(1_000).unwrap(), None);
    let op = s.ready_ops(1_000).unwrap().remove(0);
    assert_eq!(op.entity_id, id);
    s.begin_sends(&[op.seq]).unwrap();
    s.retry_later(op.seq, "GHL answered 503", 61_000).unwrap();
    assert_eq!(s.next_retry_at(1_000).unwrap(), Some(61_000));
    assert!(s.ready_ops(1_000).unwrap().is_empty());
    assert_eq!(s.next_retry_at(61_000).unwrap(), None, "due now, not later");
    assert_eq!(s.ready_ops(61_000).unwrap().len(), 1);
}

#[test]
fn the_outbox_says_when_it_last_changed() {
    let clock = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(5_000));
    let ticking = clock.clone();
    let mut s = store().with_clock(std::sync::Arc::new(move || {
        ticking.load(std::sync::atomic::Ordering::SeqCst)
    }));
    assert_eq!(s.outbox_last_change().unwrap(), None);
    let id = s
        .create_contact(fields(json!({ "firstName": "Cli" })))
        .unwrap();
    assert_eq!(s.outbox_last_change().unwrap(), Some(5_000));
    clock.store(9_000, std::sync::atomic::Ordering::SeqCst);
    s.update_contact(&id, fields(json!({ "lastName": "Edit" })))
        .unwrap();
    assert_eq!(
        s.outbox_last_change().unwrap(),
        Some(9_000),
        "an edit coalesced into a queued change counts too"
    );
}

#[test]
fn a_conflict_lists_both_values_and_resolves_field_by_field() {
    let mut s = store();
    s.apply_contacts(&whole(&[server_contact("c1", "Ada", "ada@example.com")]))
        .unwrap();
    s.update_contact(
        "c1",
        fields(json!({ "firstName": "Mine", "email": "mine@example.com" })),
    )
    .unwrap();
    let mut theirs = server_contact("c1", "Theirs", "theirs@example.com");
    theirs["dateUpdated"] = json!("2025-02-01T00:00:00.000Z");
    s.apply_contacts(&whole(&[theirs])).unwrap();
    let seq = s.outbox().unwrap()[0].seq;
    s.mark_conflict(seq, "Changed in HighLevel too: email, firstName")
        .unwrap();

    let change = s.pending_changes().unwrap().remove(0);
    assert_eq!(change.state, OpState::Conflict);
    let by_field: Vec<(String, String, String)> = change
        .choices
        .iter()
        .map(|f| (f.field.clone(), f.mine.clone(), f.ghl.clone()))
        .collect();
    assert_eq!(
        by_field,
        vec![
            (
                "email".into(),
                "mine@example.com".into(),
                "theirs@example.com".into(),
            ),
            ("firstName".into(), "Mine".into(), "Theirs".into()),
        ]
    );

    s.resolve_conflict(seq, &["email".to_owned()]).unwrap();
    let op = s.outbox().unwrap().remove(0);
    assert_eq!(op.state, OpState::Pending);
    let kept = updated(&op);
    assert_eq!(kept.keys().collect::<Vec<_>>(), vec!["firstName"]);
    assert_eq!(
        kept["firstName"].base,
        Base::Known(json!("Theirs")),
        "rebased on GHL's value, so the next pull sees no new conflict"
    );
    let shown = s.contact_detail("c1").unwrap().contact;
    assert_eq!(
        (shown.first_name.as_deref(), shown.email.as_deref()),
        (Some("Mine"), Some("theirs@example.com"))
    );
    assert!(
        matches!(
            s.resolve_conflict(seq, &[]),
            Err(StoreError::InvalidState(_))
        ),
        "only a conflict can be resolved"
    );

    s.mark_conflict(seq, "again").unwrap();
    s.resolve_conflict(seq, &["firstName".to_owned()]).unwrap();
    assert!(
        s.outbox().unwrap().is_empty(),
        "an update left with no field is dropped"
    );
    assert_eq!(
        s.contact_detail("c1")
            .unwrap()
            .contact
            .first_name
            .as_deref(),
        Some("Theirs")
    );
}

#[test]
fn keeping_ghls_version_keeps_the_fields_that_did_not_clash() {
    let mut s = store();
    s.apply_contacts(&whole(&[server_contact("c1", "Ada", "ada@example.com")]))
        .unwrap();
    s.update_contact("c1", fields(json!({ "firstName": "Mine", "city": "Oslo" })))
        .unwrap();
    let mut theirs = server_contact("c1", "Theirs", "ada@example.com");
    theirs["dateUpdated"] = json!("2025-02-01T00:00:00.000Z");
    s.apply_contacts(&whole(&[theirs])).unwrap();
    let seq = s.outbox().unwrap()[0].seq;
    s.mark_conflict(seq, "Changed in HighLevel too: firstName")
        .unwrap();
    let review = s.pending_changes().unwrap().remove(0);
    assert_eq!(
        review
            .choices
            .iter()
            .map(|c| c.field.as_str())
            .collect::<Vec<_>>(),
        ["firstName"],
        "only the clashing field is a choice"
    );
    s.keep_ghl(seq).unwrap();
    let op = s.outbox().unwrap().remove(0);
    assert_eq!(updated(&op).keys().collect::<Vec<_>>(), ["city"]);
    assert_eq!(op.state, OpState::Pending);
}

#[test]
fn keeping_mine_on_any_kind_of_conflict_never_panics() {
    let mut s = store();
    s.apply_contacts(&whole(&[server_contact("c1", "Ada", "ada@example.com")]))
        .unwrap();
    s.create_contact(fields(json!({ "firstName": "New" })))
        .unwrap();
    s.add_tags("c1", &["vip".into()]).unwrap();
    let ops = s.outbox().unwrap();
    assert_eq!(ops.len(), 2, "a create and a tags change");
    for op in ops {
        s.mark_conflict(op.seq, "test").unwrap();
        s.keep_mine(op.seq).unwrap();
        assert_eq!(s.outbox_op(op.seq).unwrap().state, OpState::Pending);
    }
}

/// A contact as a search item shows it: only some fields.
fn partial(record: Value, carried: &[&str]) -> Vec<Pulled> {
    vec![Pulled {
        record: fields(record),
        carried: Carried::Only(carried.iter().map(|s| (*s).to_owned()).collect()),
    }]
}

#[test]
fn a_field_no_answer_carried_is_unknown_not_empty() {
    let mut s = store();
    s.apply_contacts(&partial(
        json!({ "id": "c1", "firstName": "Ada", "dateUpdated": "v1" }),
        &["firstName", "email"],
    ))
    .unwrap();
    s.update_contact("c1", fields(json!({ "address1": null })))
        .unwrap();
    let ops = s.outbox().unwrap();
    assert_eq!(ops.len(), 1, "clearing a field GHL may hold is a change");
    assert_eq!(
        updated(&ops[0])["address1"].base,
        Base::Unknown {
            since: Some("v1".into())
        }
    );
    s.discard(ops[0].seq).unwrap();
    s.update_contact("c1", fields(json!({ "email": null })))
        .unwrap();
    assert!(
        s.outbox().unwrap().is_empty(),
        "a carried, absent field is known to be empty"
    );
}

#[test]
fn an_acknowledged_update_is_the_base_of_the_next_edit() {
    let mut s = store();
    s.apply_contacts(&partial(
        json!({ "id": "c1", "firstName": "Ada", "dateUpdated": "v1" }),
        &["firstName"],
    ))
    .unwrap();
    s.update_contact("c1", fields(json!({ "address1": "1 Main St" })))
        .unwrap();
    let op = s.ready_ops(i64::MAX).unwrap().remove(0);
    s.begin_sends(&[op.seq]).unwrap();
    s.complete(
        op.seq,
        Ack::Record(fields(
            json!({ "id": "c1", "firstName": "Ada", "address1": "1 Main St", "dateUpdated": "v2" }),
        )),
    )
    .unwrap();
    s.apply_contacts(&partial(
        json!({ "id": "c1", "firstName": "Ada", "dateUpdated": "v2" }),
        &["firstName"],
    ))
    .unwrap();
    s.update_contact("c1", fields(json!({ "address1": "2 Main St" })))
        .unwrap();
    let op = s.outbox().unwrap().remove(0);
    assert_eq!(
        updated(&op)["address1"].base,
        Base::Known(json!("1 Main St")),
        "the write's answer is known; a later search item that does not carry the field leaves it so"
    );
}

#[test]
fn a_second_edit_while_the_first_is_sent_is_based_on_the_first() {
    let mut s = store();
    s.apply_contacts(&whole(&[server_contact("c1", "Grace", "g@example.com")]))
        .unwrap();
    s.update_contact("c1", fields(json!({ "city": "A" })))
        .unwrap();
    let first = s.ready_ops(i64::MAX).unwrap().remove(0);
    s.begin_sends(&[first.seq]).unwrap();
    s.update_contact("c1", fields(json!({ "city": "B" })))
        .unwrap();
    let second = s.outbox().unwrap().remove(1);
    assert_eq!(updated(&second)["city"].base, Base::Known(json!("A")));
}

#[test]
fn notes_and_tasks_are_refused_for_a_contact_deleted_in_ghl() {
    let mut s = store();
    s.apply_contacts(&whole(&[server_contact("c1", "Grace", "g@example.com")]))
        .unwrap();
    s.update_contact("c1", fields(json!({ "city": "Kept" })))
        .unwrap();
    s.apply_contact_deletions(&["c1".into()]).unwrap();
    assert!(matches!(
        s.create_note("c1", "hello", None),
        Err(StoreError::Invalid(e)) if e[0].message.contains("deleted in HighLevel")
    ));
    let local = s
        .create_contact(fields(json!({ "firstName": "Gone" })))
        .unwrap();
    s.delete_contact(&local).unwrap();
    assert!(matches!(
        s.create_note(&local, "hello", None),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn fields_and_tags_edited_by_turns_queue_one_request_of_each_kind() {
    let mut s = store_with_grace();
    s.update_contact("c1", fields(json!({ "firstName": "Gracie" })))
        .unwrap();
    s.add_tags("c1", &["vip".into()]).unwrap();
    s.update_contact("c1", fields(json!({ "city": "Arlington" })))
        .unwrap();
    s.remove_tags("c1", &["lead".into()]).unwrap();
    s.update_contact("c1", fields(json!({ "firstName": "G" })))
        .unwrap();
    let ops = s.outbox().unwrap();
    assert_eq!(
        ops.iter().map(|op| op.kind()).collect::<Vec<_>>(),
        [OpKind::Update, OpKind::Tags]
    );
    let changed = updated(&ops[0]);
    assert_eq!(
        (&changed["firstName"].value, &changed["firstName"].base),
        (&json!("G"), &Base::Known(json!("Grace")))
    );
    assert_eq!(changed["city"].value, json!("Arlington"));
    assert_eq!(
        ops[1].change,
        Change::Tags {
            add: vec!["vip".into()],
            remove: vec!["lead".into()]
        }
    );
    let detail = s.contact_detail("c1").unwrap();
    assert_eq!(detail.contact.first_name.as_deref(), Some("G"));
    assert_eq!(detail.contact.tags, vec!["vip"]);

    // Once the update is on its way, a new edit of the fields waits behind it.
    s.begin_sends(&[ops[0].seq]).unwrap();
    s.update_contact("c1", fields(json!({ "firstName": "Gee" })))
        .unwrap();
    let kinds: Vec<OpKind> = s.outbox().unwrap().iter().map(|op| op.kind()).collect();
    assert_eq!(kinds, [OpKind::Update, OpKind::Tags, OpKind::Update]);
}

#[test]
fn a_contact_deletion_waits_while_a_note_of_it_is_in_flight() {
    let mut s = store_with_grace();
    s.create_note("c1", "hello", None).unwrap();
    let note = s.ready_ops(i64::MAX).unwrap();
    assert_eq!(note.len(), 1);
    s.begin_sends(&[note[0].seq]).unwrap();
    s.delete_contact("c1").unwrap();
    assert!(
        s.ready_ops(i64::MAX).unwrap().is_empty(),
        "GHL gets the note before the deletion"
    );
    s.complete(
        note[0].seq,
        Ack::Record(fields(
            json!({ "id": "n1", "contactId": "c1", "body": "hello" }),
        )),
    )
    .unwrap();
    let ready = s.ready_ops(i64::MAX).unwrap();
    assert_eq!(
        ready.iter().map(|op| op.kind()).collect::<Vec<_>>(),
        [OpKind::Delete]
    );
}
