//! `sync` and `status`.

use std::{io::IsTerminal, time::Duration};

use desk::{runner::Clock, runner::SystemClock, Desk, DeskResult, Progress};
use serde_json::json;

use crate::output::Out;

fn when(ms: i64, now: i64) -> String {
    let seconds = ((ms - now).max(0) + 999) / 1000;
    match seconds {
        0..=90 => format!("in {seconds} s"),
        91..=5400 => format!("in {} min", (seconds + 59) / 60),
        _ => format!("in {} h", (seconds + 3599) / 3600),
    }
}

/// One sync cycle, with progress on a terminal; exits 3 when changes wait for the user.
pub async fn sync(desk: &Desk, out: &Out, wait: u64) -> DeskResult<u8> {
    let location = desk.location()?;
    let started = std::time::Instant::now();
    let on_terminal = std::io::stderr().is_terminal();
    let show = |p: Progress| {
        if on_terminal {
            let total = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
            let eta = p
                .eta_seconds
                .map(|s| format!(", ~{s} s left"))
                .unwrap_or_default();
            eprint!(
                "\r\x1b[K{:?}: {}{total} ({} requests{eta})",
                p.phase, p.done, p.requests
            );
        }
    };
    let now = || SystemClock.now_ms();
    let result = location
        .sync(
            location.sync_options(),
            &now,
            &show,
            Duration::from_secs(wait),
        )
        .await;
    if on_terminal {
        eprint!("\r\x1b[K");
    }
    let summary = result?;
    let mut value = json!(summary);
    value["durationMs"] = json!(started.elapsed().as_millis() as u64);
    value["dailyRemaining"] = json!(location.client()?.budget().daily_remaining);
    out.print(&value, || {
        let mut line = format!(
            "pulled {}, pushed {}, refused {}, conflicts {}, deleted {}, children {} ({} still to fetch)",
            summary.pulled, summary.pushed, summary.rejected, summary.conflicts, summary.deleted,
            summary.children, summary.children_left
        );
        if summary.waiting_for_retry > 0 {
            let due = summary
                .retry_in_seconds
                .map(|s| format!(", the first in {s} s"))
                .unwrap_or_default();
            line.push_str(&format!("; {} waiting for a retry{due}", summary.waiting_for_retry));
        }
        if summary.skipped > 0 {
            line.push_str(&format!(
                "; {} records HighLevel sent could not be read (see the activity log)",
                summary.skipped
            ));
        }
        format!("{line} in {:.1} s", started.elapsed().as_secs_f64())
    });
    Ok(if summary.rejected > 0 || summary.conflicts > 0 {
        3
    } else {
        0
    })
}

/// The open location, queue counts and the last sync.
pub async fn status(desk: &Desk, out: &Out) -> DeskResult<u8> {
    let location = desk.location()?;
    let now = SystemClock.now_ms();
    let status = location.status(now)?;
    out.print(&status, || {
        let counts = status.outbox;
        let mut line = format!(
            "location {} ({:?}); {} contacts; {} pending, {} refused, {} waiting for you",
            status.account.location_id,
            status.account.kind,
            status.contacts,
            counts.pending,
            counts.rejected,
            counts.conflicts,
        );
        if counts.waiting_for_retry > 0 {
            let due = status
                .next_retry_at
                .map(|at| format!(", the first {}", when(at, now)))
                .unwrap_or_default();
            line.push_str(&format!(
                "; {} waiting for a retry{due}",
                counts.waiting_for_retry
            ));
        }
        line.push_str(&format!(
            "; last error: {}",
            status.last_sync.last_error.as_deref().unwrap_or("none")
        ));
        line
    });
    Ok(0)
}

/// Sets a damaged local database aside; the next sync starts it over from GHL.
pub async fn repair(desk: &Desk, out: &Out) -> DeskResult<u8> {
    let location = desk.location()?;
    let aside = desk.set_aside_local_data(location.location_id()).await?;
    out.print(&json!({ "keptAs": aside }), || {
        format!("kept the old local database as {aside}; the next sync fetches everything again")
    });
    Ok(0)
}
