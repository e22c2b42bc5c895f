//! `outbox`, `conflicts` and `merge-policy`: the queued changes and what to do about
//! them.

use desk::{
    Desk, DeskError, DeskResult, ErrorKind, MergePolicy, OpState, PendingChange, Resolution,
};
use serde_json::json;

use crate::{
    args::{ConflictsCommand, OutboxCommand},
    output::Out,
};

fn print_changes(out: &Out, changes: &[PendingChange]) {
    out.print(&changes, || {
        if changes.is_empty() {
            return "nothing queued".into();
        }
        changes
            .iter()
            .map(|c| {
                format!(
                    "#{} {} [{:?}]{}",
                    c.seq,
                    c.summary,
                    c.state,
                    c.last_error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
}

/// Lists, retries or discards queued changes.
pub fn outbox(desk: &Desk, out: &Out, command: &OutboxCommand) -> DeskResult<u8> {
    let location = desk.location()?;
    match command {
        OutboxCommand::List => print_changes(out, &location.pending_changes()?),
        OutboxCommand::Retry { seq } => {
            location.resolve(*seq, &Resolution::Retry)?;
            out.print(&json!({ "seq": seq }), || {
                format!("#{seq} will be sent on the next sync")
            });
        }
        OutboxCommand::Discard { seq } => {
            location.resolve(*seq, &Resolution::Discard)?;
            out.print(&json!({ "seq": seq }), || format!("#{seq} discarded"));
        }
    }
    Ok(0)
}

/// Lists or resolves conflicts.
pub fn conflicts(desk: &Desk, out: &Out, command: &ConflictsCommand) -> DeskResult<u8> {
    let location = desk.location()?;
    match command {
        ConflictsCommand::List => {
            let changes: Vec<PendingChange> = location
                .pending_changes()?
                .into_iter()
                .filter(|c| c.state == OpState::Conflict)
                .collect();
            print_changes(out, &changes);
        }
        ConflictsCommand::Resolve { seq, keep } => {
            let resolution = if keep == "mine" {
                Resolution::KeepMine
            } else {
                Resolution::KeepGhl
            };
            location.resolve(*seq, &resolution)?;
            out.print(&json!({ "seq": seq, "kept": keep }), || {
                format!("#{seq}: kept {keep}")
            });
        }
    }
    Ok(0)
}

/// Shows or sets the merge policy.
pub fn merge_policy(desk: &Desk, out: &Out, policy: Option<&str>) -> DeskResult<u8> {
    let location = desk.location()?;
    if let Some(name) = policy {
        let chosen = MergePolicy::parse(name).ok_or_else(|| {
            DeskError::new(
                ErrorKind::Invalid,
                format!("unknown policy '{name}': use ask, prefer-mine or prefer-ghl"),
            )
        })?;
        location.set_merge_policy(chosen)?;
    }
    let current = location.merge_policy()?;
    out.print(&json!({ "mergePolicy": current.as_str() }), || {
        format!("merge policy: {}", current.as_str())
    });
    Ok(0)
}
