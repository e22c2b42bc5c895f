//! Queued changes: counts, the review list, the user's decisions, the merge policy.

use desk::{DeskError, MergePolicy, OutboxCounts, PendingChange, Resolution};
use tauri::State;

use crate::{guard::with_location, state::AppState};

/// Pending, refused and conflicting changes, for the top bar.
#[tauri::command]
#[specta::specta]
pub async fn outbox_counts(state: State<'_, AppState>) -> Result<OutboxCounts, DeskError> {
    with_location(&state, move |location| location.outbox_counts()).await
}

/// The first `limit` queued changes, described, for the Pending changes screen: those
/// waiting for the user first.
#[tauri::command]
#[specta::specta]
pub async fn pending_changes(
    state: State<'_, AppState>,
    limit: u32,
) -> Result<Vec<PendingChange>, DeskError> {
    with_location(&state, move |location| location.changes_to_review(limit)).await
}

/// Applies the user's decision about one queued change.
#[tauri::command]
#[specta::specta]
pub async fn resolve_change(
    state: State<'_, AppState>,
    seq: u32,
    resolution: Resolution,
) -> Result<(), DeskError> {
    with_location(&state, move |location| {
        location.resolve(seq.into(), &resolution)
    })
    .await
}

/// How the open location settles fields changed both here and in HighLevel.
#[tauri::command]
#[specta::specta]
pub async fn merge_policy(state: State<'_, AppState>) -> Result<MergePolicy, DeskError> {
    with_location(&state, move |location| location.merge_policy()).await
}

/// Chooses how the open location settles fields changed on both sides.
#[tauri::command]
#[specta::specta]
pub async fn set_merge_policy(
    state: State<'_, AppState>,
    policy: MergePolicy,
) -> Result<(), DeskError> {
    with_location(&state, move |location| location.set_merge_policy(policy)).await
}
