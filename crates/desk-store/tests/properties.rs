//! Model-based property test: random sequences of local edits, sends acknowledged by a
//! fake GHL, server-side edits pulled back, and id remaps keep the invariants:
//! the view equals what the user expects (their intent over server truth), a pull never
//! loses pending intent, search and filters find what the view holds, no local id
//! dangles after a remap, and once everything is sent the fake server holds exactly what
//! the user sees.

use std::collections::{BTreeSet, HashMap};

use desk_store::{
    model::{Carried, ContactQuery, Entity, Pulled},
    Ack, Change, SyncStore,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

#[derive(Debug, Clone)]
enum Step {
    Create(u8),
    Rename(usize, u8),
    Tag(usize, u8, bool),
    BulkTag(Vec<usize>, u8, bool),
    Delete(usize),
    Note(usize),
    SendAll,
    SendOne,
    /// Marks one ready operation as sent, its answer still to come.
    Start,
    /// GHL answers every operation started.
    Finish,
    ServerEdit(usize, u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => any::<u8>().prop_map(Step::Create),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(h, n)| Step::Rename(h, n)),
        3 => (any::<usize>(), 0u8..4, any::<bool>()).prop_map(|(h, t, add)| Step::Tag(h, t, add)),
        2 => (prop::collection::vec(any::<usize>(), 1..6), 0u8..4, any::<bool>())
            .prop_map(|(hs, t, add)| Step::BulkTag(hs, t, add)),
        1 => any::<usize>().prop_map(Step::Delete),
        2 => any::<usize>().prop_map(Step::Note),
        2 => Just(Step::SendAll),
        2 => Just(Step::SendOne),
        1 => Just(Step::Start),
        1 => Just(Step::Finish),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(h, n)| Step::ServerEdit(h, n)),
    ]
}

/// What the user expects to see for one contact.
#[derive(Debug, Clone, Default)]
struct Expected {
    first: String,
    last: Option<String>,
    tags: BTreeSet<String>,
    notes: usize,
    deleted: bool,
}

/// A stand-in for GHL: records keyed by server id.
#[derive(Default)]
struct FakeGhl {
    contacts: HashMap<String, Map<String, Value>>,
    notes: HashMap<String, usize>,
    next: usize,
}

impl FakeGhl {
    fn id(&mut self) -> String {
        self.next += 1;
        format!("srv{}", self.next)
    }

    /// Applies one outbox operation as GHL would and returns its answer.
    fn handle(&mut self, op: &desk_store::model::OutboxOp) -> Ack {
        match (op.entity, &op.change) {
            (Entity::Contact, Change::Create { fields }) => {
                let id = self.id();
                let mut record = fields.clone();
                record.insert("id".into(), id.clone().into());
                self.contacts.insert(id, record.clone());
                Ack::Record(record)
            }
            (Entity::Contact, Change::Update { fields }) => {
                let record = self.contacts.get_mut(&op.entity_id).unwrap();
                for (k, change) in fields {
                    record.insert(k.clone(), change.value.clone());
                }
                Ack::Record(record.clone())
            }
            (Entity::Contact, Change::Tags { add, remove }) => {
                let record = self.contacts.get_mut(&op.entity_id).unwrap();
                let mut tags: Vec<String> = record
                    .get("tags")
                    .and_then(Value::as_array)
                    .map(|t| t.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default();
                for t in add {
                    if !tags.contains(t) {
                        tags.push(t.clone());
                    }
                }
                tags.retain(|t| !remove.contains(t));
                record.insert("tags".into(), json!(tags));
                Ack::Tags(tags)
            }
            (Entity::Contact, Change::Delete) => {
                self.contacts.remove(&op.entity_id).unwrap();
                self.notes.remove(&op.entity_id);
                Ack::Deleted
            }
            (Entity::Note, Change::Create { fields }) => {
                let parent = op.parent_id.clone().unwrap();
                assert!(
                    self.contacts.contains_key(&parent),
                    "a note was sent before its contact existed on GHL"
                );
                *self.notes.entry(parent.clone()).or_default() += 1;
                let id = self.id();
                Ack::Record(
                    json!({ "id": id, "contactId": parent, "body": fields["body"] })
                        .as_object()
                        .unwrap()
                        .clone(),
                )
            }
            (entity, change) => panic!("unexpected {:?} of a {entity:?}", change.kind()),
        }
    }
}

struct World {
    store: SyncStore,
    ghl: FakeGhl,
    handles: Vec<String>,
    expected: Vec<Expected>,
    /// Operations marked sent, as they were when they left: edits made meanwhile must
    /// not change them, or GHL would never get those edits.
    in_flight: Vec<desk_store::model::OutboxOp>,
}

impl World {
    fn id(&self, handle: usize) -> String {
        let id = &self.handles[handle];
        self.store
            .server_id(id)
            .unwrap()
            .unwrap_or_else(|| id.clone())
    }

    fn live(&self, h: usize) -> Option<usize> {
        if self.handles.is_empty() {
            return None;
        }
        let h = h % self.handles.len();
        (!self.expected[h].deleted).then_some(h)
    }

    fn send(&mut self, limit: usize) {
        let ready = self.store.ready_ops(i64::MAX).unwrap();
        for op in ready.into_iter().take(limit) {
            self.store.begin_sends(&[op.seq]).unwrap();
            let ack = self.ghl.handle(&op);
            self.store.complete(op.seq, ack).unwrap();
        }
    }

    fn finish(&mut self) {
        for op in std::mem::take(&mut self.in_flight) {
            let ack = self.ghl.handle(&op);
            self.store.complete(op.seq, ack).unwrap();
        }
    }

    fn apply(&mut self, step: &Step) {
        match step {
            Step::Create(n) => {
                let first = format!("Person{n}");
                let id = self
                    .store
                    .create_contact(json!({ "firstName": first }).as_object().unwrap().clone())
                    .unwrap();
                self.handles.push(id);
                self.expected.push(Expected {
                    first,
                    ..Expected::default()
                });
            }
            Step::Rename(h, n) => {
                if let Some(h) = self.live(*h) {
                    let first = format!("Renamed{n}");
                    let id = self.id(h);
                    self.store
                        .update_contact(
                            &id,
                            json!({ "firstName": first }).as_object().unwrap().clone(),
                        )
                        .unwrap();
                    self.expected[h].first = first;
                }
            }
            Step::Tag(h, t, add) => {
                if let Some(h) = self.live(*h) {
                    let tag = format!("tag{t}");
                    let id = self.id(h);
                    if *add {
                        self.store
                            .add_tags(&id, std::slice::from_ref(&tag))
                            .unwrap();
                        self.expected[h].tags.insert(tag);
                    } else {
                        self.store
                            .remove_tags(&id, std::slice::from_ref(&tag))
                            .unwrap();
                        self.expected[h].tags.remove(&tag);
                    }
                }
            }
            Step::BulkTag(hs, t, add) => {
                let live: Vec<usize> = hs.iter().filter_map(|h| self.live(*h)).collect();
                if live.is_empty() {
                    return;
                }
                let tag = format!("tag{t}");
                let ids: Vec<String> = live.iter().map(|h| self.id(*h)).collect();
                let distinct: BTreeSet<usize> = live.iter().copied().collect();
                let changing = distinct
                    .iter()
                    .filter(|h| self.expected[**h].tags.contains(&tag) != *add)
                    .count();
                let changed = self
                    .store
                    .bulk_tags(&ids, std::slice::from_ref(&tag), *add)
                    .unwrap();
                assert_eq!(
                    changed as usize, changing,
                    "a bulk edit counts each contact it changes once"
                );
                for h in distinct {
                    if *add {
                        self.expected[h].tags.insert(tag.clone());
                    } else {
                        self.expected[h].tags.remove(&tag);
                    }
                }
            }
            Step::Delete(h) => {
                if let Some(h) = self.live(*h) {
                    let id = self.id(h);
                    self.store.delete_contact(&id).unwrap();
                    self.expected[h].deleted = true;
                }
            }
            Step::Note(h) => {
                if let Some(h) = self.live(*h) {
                    let id = self.id(h);
                    self.store.create_note(&id, "note", None).unwrap();
                    self.expected[h].notes += 1;
                }
            }
            Step::Start => {
                if let Some(op) = self.store.ready_ops(i64::MAX).unwrap().into_iter().next() {
                    self.store.begin_sends(&[op.seq]).unwrap();
                    self.in_flight.push(op);
                }
            }
            Step::Finish => self.finish(),
            Step::SendAll => {
                self.finish();
                // As the sync engine does: round after round until nothing is ready (one
                // operation per record a round, so a record edited many times between
                // sends takes as many rounds). Each round sends something, so the queue's
                // length bounds the rounds; a queue that stops moving fails the check
                // that everything was sent.
                let rounds = self.store.outbox().unwrap().len() + 1;
                for _ in 0..rounds {
                    if self.store.ready_ops(i64::MAX).unwrap().is_empty() {
                        break;
                    }
                    self.send(usize::MAX);
                }
            }
            Step::SendOne => self.send(1),
            Step::ServerEdit(h, n) => {
                if let Some(h) = self.live(*h) {
                    let id = self.id(h);
                    if let Some(record) = self.ghl.contacts.get_mut(&id) {
                        let last = format!("Server{n}");
                        record.insert("lastName".into(), last.clone().into());
                        let pulled = Pulled {
                            record: record.clone(),
                            carried: Carried::All,
                        };
                        self.store.apply_contacts(&[pulled]).unwrap();
                        self.expected[h].last = Some(last);
                    }
                }
            }
        }
    }

    fn check(&self) {
        let live: Vec<usize> = (0..self.handles.len())
            .filter(|h| !self.expected[*h].deleted)
            .collect();
        let page = self
            .store
            .list_contacts(&ContactQuery {
                limit: 500,
                ..ContactQuery::default()
            })
            .unwrap();
        assert_eq!(
            page.total as usize,
            live.len(),
            "deleted contacts are gone, others are there"
        );
        for h in live {
            let detail = self.store.contact_detail(&self.id(h)).unwrap();
            let want = &self.expected[h];
            assert_eq!(
                detail.contact.first_name.as_deref(),
                Some(want.first.as_str()),
                "the user's latest name wins"
            );
            assert_eq!(
                detail.contact.last_name, want.last,
                "server changes show through"
            );
            let tags: BTreeSet<String> = detail.contact.tags.iter().cloned().collect();
            assert_eq!(tags, want.tags);
            assert_eq!(detail.notes.len(), want.notes);
        }
        self.check_search();
        for op in self.store.outbox().unwrap() {
            for id in [Some(&op.entity_id), op.parent_id.as_ref()]
                .into_iter()
                .flatten()
            {
                assert!(
                    self.store.server_id(id).unwrap().is_none(),
                    "a remapped local id still dangles in the outbox"
                );
            }
        }
    }

    /// The ids of every contact a query finds.
    fn found(&self, query: ContactQuery) -> BTreeSet<String> {
        self.store
            .list_contacts(&ContactQuery {
                limit: 500,
                ..query
            })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    /// Search and the tag filter find what the view rows hold: each contact by its
    /// names, and exactly the contacts with a tag by that tag.
    fn check_search(&self) {
        let live: Vec<usize> = (0..self.handles.len())
            .filter(|h| !self.expected[*h].deleted)
            .collect();
        for t in 0..4 {
            let tag = format!("tag{t}");
            let want: BTreeSet<String> = live
                .iter()
                .filter(|h| self.expected[**h].tags.contains(&tag))
                .map(|h| self.id(*h))
                .collect();
            let searched = self.found(ContactQuery {
                search: Some(tag.clone()),
                ..ContactQuery::default()
            });
            let filtered = self.found(ContactQuery {
                tag: Some(tag.clone()),
                ..ContactQuery::default()
            });
            assert_eq!(searched, want, "searching {tag} finds the tagged contacts");
            assert_eq!(filtered, want, "the {tag} filter lists the tagged contacts");
        }
        for h in live {
            let want = &self.expected[h];
            for name in std::iter::once(&want.first).chain(want.last.as_ref()) {
                let found = self.found(ContactQuery {
                    search: Some(name.clone()),
                    ..ContactQuery::default()
                });
                assert!(found.contains(&self.id(h)), "searching {name} finds it");
            }
        }
    }

    fn check_server_matches(&self) {
        assert!(
            self.store.outbox().unwrap().is_empty(),
            "everything was sent"
        );
        let live: Vec<usize> = (0..self.handles.len())
            .filter(|h| !self.expected[*h].deleted)
            .collect();
        assert_eq!(
            self.ghl.contacts.len(),
            live.len(),
            "GHL has each live contact exactly once"
        );
        for h in live {
            let id = self.id(h);
            let record = &self.ghl.contacts[&id];
            let want = &self.expected[h];
            assert_eq!(record["firstName"], want.first.as_str());
            let tags: BTreeSet<String> = record
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| t.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default();
            assert_eq!(tags, want.tags);
            assert_eq!(
                self.ghl.notes.get(&id).copied().unwrap_or(0),
                want.notes,
                "each note reached GHL exactly once"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_edit_sync_sequences_keep_the_invariants(steps in prop::collection::vec(step(), 1..60)) {
        let mut world = World { store: SyncStore::open_in_memory().unwrap(), ghl: FakeGhl::default(), handles: Vec::new(), expected: Vec::new(), in_flight: Vec::new() };
        for step in &steps {
            world.apply(step);
            world.check();
        }
        world.apply(&Step::SendAll);
        world.check();
        world.check_server_matches();
    }
}
