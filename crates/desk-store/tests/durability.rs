//! Edits committed before the process is killed (SIGKILL, no chance to clean up) are all
//! there after reopening. The test runs itself as the child: with `GHL_STORE_CRASH_DB`
//! set, `crash_child` writes edits forever, reporting each commit, until killed.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use desk_store::{model::ContactQuery, Store};
use serde_json::json;

const ENV: &str = "GHL_STORE_CRASH_DB";

#[test]
fn crash_child() {
    let Some(path) = std::env::var_os(ENV) else {
        return;
    };
    let mut store = Store::open(std::path::Path::new(&path)).unwrap();
    for n in 0.. {
        let fields =
            json!({ "firstName": format!("Person {n}"), "email": format!("p{n}@example.com") })
                .as_object()
                .unwrap()
                .clone();
        let id = store.create_contact(fields).unwrap();
        store.create_note(&id, &format!("note {n}"), None).unwrap();
        println!("committed {n}");
    }
}

#[test]
fn edits_committed_before_a_kill_survive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.sqlite3");
    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut last = None;
        let target = 20 + round * 15;
        while let Some(Ok(line)) = lines.next() {
            if let Some(n) = line.strip_prefix("committed ") {
                last = Some(n.parse::<usize>().unwrap());
                if last >= Some(target) {
                    break;
                }
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let committed = last.expect("the child committed edits") + 1;
        let store = Store::open(&path).unwrap();
        let page = store
            .list_contacts(&ContactQuery {
                limit: 500,
                ..ContactQuery::default()
            })
            .unwrap();
        assert!(
            page.total as usize >= committed,
            "round {round}: {} contacts after reopening, {committed} reported committed",
            page.total
        );
        let ops = store.outbox().unwrap();
        assert!(ops.len() >= 2 * committed);
        for row in &page.rows {
            let detail = store.contact_detail(&row.id).unwrap();
            assert!(detail.notes.len() <= 1);
        }
    }
}
