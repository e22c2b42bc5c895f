//! The app's sync, its read connection and the command-line tool all open the same
//! database: writes from several connections at once must wait for each other, never
//! fail with "database is locked".

use desk_store::{
    model::{Carried, Pulled},
    Store, SyncStore,
};
use serde_json::json;

#[test]
fn writers_on_separate_connections_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.sqlite3");
    Store::open(&path).unwrap();
    let workers: Vec<_> = (0..3)
        .map(|worker| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = SyncStore::open(&path).unwrap();
                for n in 0..150 {
                    let id = store
                        .create_contact(
                            json!({ "firstName": format!("W{worker}N{n}") })
                                .as_object()
                                .unwrap()
                                .clone(),
                        )
                        .unwrap_or_else(|e| panic!("worker {worker}, create {n}: {e}"));
                    store
                        .update_contact(
                            &id,
                            json!({ "city": "Turns" }).as_object().unwrap().clone(),
                        )
                        .unwrap_or_else(|e| panic!("worker {worker}, update {n}: {e}"));
                    let record = json!({ "id": format!("srv{worker}x{n}"), "firstName": "Pulled",
                        "dateUpdated": "2025-01-01T00:00:00.000Z" });
                    let pulled = Pulled {
                        record: record.as_object().unwrap().clone(),
                        carried: Carried::All,
                    };
                    store
                        .apply_contacts(&[pulled])
                        .unwrap_or_else(|e| panic!("worker {worker}, pull {n}: {e}"));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.outbox().unwrap().len(), 450);
    assert_eq!(
        store
            .list_contacts(&desk_store::model::ContactQuery::default())
            .unwrap()
            .total,
        900
    );
}
