//! The background runner without a window: a fake status sink records what the window
//! would show, a fake clock stands still, and the runner syncs at start, after an edit,
//! and says when another process holds the location's lease.

mod common;

use std::{
    sync::{
        atomic::{AtomicI64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use common::{fields, first_contact, sync, Rig};
use desk::{
    runner::{Clock, Runner, StatusSink, SyncStatus},
    ErrorKind,
};
use serde_json::json;

#[derive(Default)]
struct Recorded(Mutex<Vec<SyncStatus>>);

impl StatusSink for Recorded {
    fn status(&self, status: &SyncStatus) {
        self.0.lock().unwrap().push(status.clone());
    }
}

struct Fixed(AtomicI64);

impl Clock for Fixed {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn clock() -> Arc<Fixed> {
    Arc::new(Fixed(AtomicI64::new(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    )))
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what} did not happen");
}

#[tokio::test]
async fn a_cycle_reports_progress_then_its_summary() {
    let rig = Rig::new(30).await;
    rig.sign_in().await;
    let sink = Arc::new(Recorded::default());
    let runner = Runner::new(rig.desk.clone(), sink.clone(), clock());
    let summary = runner.sync_now().await.unwrap();
    assert_eq!(summary.pulled, 30);
    let seen = sink.0.lock().unwrap().clone();
    assert!(seen.first().unwrap().running);
    assert!(
        seen.iter().any(|s| s.progress.is_some()),
        "progress was reported"
    );
    let last = seen.last().unwrap();
    assert!(!last.running);
    assert_eq!(last.last.unwrap().pulled, 30);
    assert!(last.last_success_at.is_some());
    assert_eq!(runner.status().reachability, desk::Reachability::Online);
}

#[tokio::test]
async fn the_loop_syncs_at_start_and_soon_after_an_edit() {
    let rig = Rig::new(10).await;
    rig.sign_in().await;
    let sink = Arc::new(Recorded::default());
    let clock = clock();
    let runner = Runner::new(rig.desk.clone(), sink.clone(), clock.clone());
    tokio::spawn(runner.clone().run());
    let finished = |sink: &Recorded| {
        sink.0
            .lock()
            .unwrap()
            .iter()
            .filter(|s| !s.running && s.last.is_some())
            .count()
    };
    until("the first sync", || finished(&sink) >= 1).await;
    let location = rig.desk.location().unwrap();
    let id = first_contact(&location);
    location
        .update_contact(&id, fields(json!({ "city": "Ran By Itself" })))
        .unwrap();
    clock.0.fetch_add(2_000, Ordering::SeqCst);
    until("the edit's sync", || finished(&sink) >= 2).await;
    until("the edit reaching GHL", || {
        rig.sandbox
            .contact(&id)
            .is_some_and(|c| c["city"] == "Ran By Itself")
    })
    .await;
}

#[tokio::test]
async fn another_process_holding_the_lease_is_named_and_nothing_is_sent_twice() {
    let rig = Rig::new(5).await;
    let location_id = rig.sign_in().await;
    let location = rig.desk.location().unwrap();
    sync(&location).await;
    let contact = first_contact(&location);
    for n in 0..5 {
        location
            .create_note(&contact, &format!("queued {n}"), None)
            .unwrap();
    }
    let on_ghl = rig.sandbox.note_count(&contact);
    let lease =
        desk_store::FileLock::try_acquire(&rig.desk.layout().lease_path(&location_id).unwrap())
            .unwrap();
    let runner = Runner::new(rig.desk.clone(), Arc::new(Recorded::default()), clock());
    let err = runner.sync_now().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Busy);
    assert!(
        err.message.contains(&format!("pid {}", std::process::id())),
        "{}",
        err.message
    );
    assert_eq!(runner.status().error_kind, Some(ErrorKind::Busy));
    assert_eq!(rig.sandbox.note_count(&contact), on_ghl, "nothing was sent");
    drop(lease);
    let other = Arc::new(Rig::desk_over(
        &rig.sandbox,
        rig.dir.path(),
        rig.vault.clone(),
    ));
    let (a, b) = tokio::join!(runner.sync_now(), async {
        let location = other.location().unwrap();
        location
            .sync(
                location.sync_options(),
                &|| 0,
                &|_| {},
                Duration::from_secs(30),
            )
            .await
    });
    a.unwrap();
    b.unwrap();
    assert_eq!(
        rig.sandbox.note_count(&contact),
        on_ghl + 5,
        "two processes syncing one location send each change once"
    );
}

#[tokio::test]
async fn a_ghl_that_stops_answering_shows_as_unreachable_within_seconds() {
    let rig = Rig::new(3).await;
    rig.sign_in().await;
    sync(&rig.desk.location().unwrap()).await;
    rig.sandbox
        .set_faults(ghl_sandbox::Faults {
            latency_ms: 20_000,
            ..ghl_sandbox::Faults::default()
        })
        .unwrap();
    let sink = Arc::new(Recorded::default());
    let runner = Runner::new(rig.desk.clone(), sink.clone(), clock());
    let started = std::time::Instant::now();
    let hanging = tokio::spawn({
        let runner = runner.clone();
        async move { runner.sync_now().await }
    });
    for _ in 0..100 {
        if runner.status().reachability == desk::Reachability::Offline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(runner.status().reachability, desk::Reachability::Offline);
    assert!(runner.status().running, "still waiting for the answer");
    let took = started.elapsed();
    assert!(
        took < desk::runner::STALLED + Duration::from_secs(3),
        "{took:?}"
    );
    runner.cancel();
    hanging.abort();
}

#[tokio::test]
async fn an_edit_made_during_a_long_fill_is_sent_before_the_fill_ends() {
    let rig = Rig::new(400).await;
    rig.sign_in().await;
    rig.sandbox
        .set_faults(ghl_sandbox::Faults {
            latency_ms: 40,
            ..ghl_sandbox::Faults::default()
        })
        .unwrap();
    let location = rig.desk.location().unwrap();
    let filling = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let edit = tokio::spawn({
        let location = location.clone();
        let filling = filling.clone();
        async move {
            while !filling.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let id = first_contact(&location);
            location
                .update_contact(&id, fields(json!({ "city": "Not Kept Waiting" })))
                .unwrap();
            id
        }
    });
    let options = location.sync_options();
    let summary = location
        .sync(
            options,
            &|| 0,
            &|progress| {
                if progress.phase == desk::Phase::Children && progress.done > 0 {
                    filling.store(true, Ordering::SeqCst);
                }
            },
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    let id = edit.await.unwrap();
    assert_eq!(summary.pushed, 1, "{summary:?}");
    assert!(
        summary.children < options.children_budget,
        "the fill gave way to the edit: {summary:?}"
    );
    assert!(summary.children_left > 0);
    assert_eq!(
        rig.sandbox.contact(&id).unwrap()["city"],
        "Not Kept Waiting"
    );
}

#[tokio::test]
async fn quitting_during_a_sync_settles_the_sends_in_flight_and_loses_nothing() {
    let rig = Rig::new(5).await;
    rig.sign_in().await;
    let location = rig.desk.location().unwrap();
    sync(&location).await;
    let contact = first_contact(&location);
    let on_ghl = rig.sandbox.note_count(&contact);
    const QUEUED: usize = 60;
    for n in 0..QUEUED {
        location
            .create_note(&contact, &format!("queued {n}"), None)
            .unwrap();
    }
    rig.sandbox
        .set_faults(ghl_sandbox::Faults {
            latency_ms: 300,
            ..ghl_sandbox::Faults::default()
        })
        .unwrap();
    let runner = Runner::new(rig.desk.clone(), Arc::new(Recorded::default()), clock());
    let syncing = tokio::spawn({
        let runner = runner.clone();
        async move { runner.sync_now().await }
    });
    until("a first note reaching HighLevel", || {
        rig.sandbox.note_count(&contact) > on_ghl
    })
    .await;

    assert!(
        runner.shut_down(Duration::from_secs(10)).await,
        "the cycle ended within the grace"
    );
    let ended = syncing.await.unwrap().unwrap_err();
    assert_eq!(ended.kind, ErrorKind::Cancelled);
    let sent = rig.sandbox.note_count(&contact) - on_ghl;
    let counts = location.outbox_counts().unwrap();
    assert!(sent < QUEUED, "quit before the end: {sent} sent");
    assert_eq!(counts.conflicts, 0, "no send left in doubt: {counts:?}");
    assert_eq!(sent + counts.pending as usize, QUEUED, "{counts:?}");
    assert_eq!(
        runner.sync_now().await.unwrap_err().kind,
        ErrorKind::Cancelled,
        "no cycle starts after quitting"
    );

    rig.sandbox
        .set_faults(ghl_sandbox::Faults::default())
        .unwrap();
    let next_start = Rig::desk_over(&rig.sandbox, rig.dir.path(), rig.vault.clone());
    sync(&next_start.location().unwrap()).await;
    assert_eq!(
        rig.sandbox.note_count(&contact),
        on_ghl + QUEUED,
        "the rest arrives at the next start, each note once"
    );
}
