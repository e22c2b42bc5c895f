//! The search's rules, written down once as cases the window's own matcher is held to as
//! well (`ui/src/lib/localSearch.test.ts`): the window shows a keystroke's matches from
//! the rows it holds before this store answers, so the two must agree.

use desk_store::{
    model::{Carried, ContactQuery, Pulled},
    SyncStore,
};
use serde_json::Value;

const CASES: &str = include_str!("../../../ui/src/lib/search-cases.json");

#[test]
fn the_store_finds_what_the_shared_cases_say() {
    let cases: Value = serde_json::from_str(CASES).unwrap();
    let mut store = SyncStore::open_in_memory().unwrap();
    let contacts: Vec<Pulled> = cases["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| Pulled {
            record: record.as_object().unwrap().clone(),
            carried: Carried::All,
        })
        .collect();
    store.apply_contacts(&contacts).unwrap();
    for case in cases["cases"].as_array().unwrap() {
        let search = case["search"].as_str().unwrap();
        let mut found: Vec<String> = store
            .list_contacts(&ContactQuery {
                search: Some(search.into()),
                ..ContactQuery::default()
            })
            .unwrap()
            .rows
            .into_iter()
            .map(|row| row.id)
            .collect();
        found.sort();
        let expected: Vec<String> = case["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(found, expected, "search {search:?}");
    }
}
