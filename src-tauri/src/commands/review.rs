//! Queued changes: counts, the review list, the user's decisions, the merge policy.

use desk::{DeskError, MergePolicy, OutboxCounts, PendingChange, Resolution};
use tauri::State;

use crate::{guard::answer, state::AppState};

/// Pending, refused and conflicting changes, for the top bar.
#[tauri::command]
#[specta::specta]
pub fn outbox_counts(state: State<'_, AppState>) -> Result<OutboxCounts, DeskError> {
    answer(|| state.desk.location()?.outbox_counts())
}

/// Every queued change, described, for the Pending changes screen.
#[tauri::command]
#[specta::specta]
pub fn pending_changes(state: State<'_, AppState>) -> Result<Vec<PendingChange>, DeskError> {
    answer(|| state.desk.location()?.pending_changes())
}

/// Applies the user's decision about one queued change.
#[tauri::command]
#[specta::specta]
pub fn resolve_change(
    state: State<'_, AppState>,
    seq: u32,
    resolution: Resolution,
) -> Result<(), DeskError> {
    answer(|| state.desk.location()?.resolve(seq.into(), &resolution))
}

/// How the open location settles fields changed both here and in HighLevel.
#[tauri::command]
#[specta::specta]
pub fn merge_policy(state: State<'_, AppState>) -> Result<MergePolicy, DeskError> {
    answer(|| state.desk.location()?.merge_policy())
}

/// Chooses how the open location settles fields changed on both sides.
#[tauri::command]
#[specta::specta]
pub fn set_merge_policy(state: State<'_, AppState>, policy: MergePolicy) -> Result<(), DeskError> {
    answer(|| state.desk.location()?.set_merge_policy(policy))
}
