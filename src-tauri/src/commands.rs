//! IPC commands: thin adapters from the webview into the core crates.

use desk_store::{
    model::{ContactPage, ContactQuery, MergePolicy, OutboxCounts, PendingChange},
    AppInfo, Store,
};
use desk_sync::SyncSummary;
use tauri::{AppHandle, State};

use crate::{background::SyncStatus, AppState, CommandError, ErrorKind};

/// The app's version and where it keeps its data, for Settings and support requests.
#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, CommandError> {
    let location = state
        .session
        .lock()
        .await
        .as_ref()
        .map(|s| s.account.location_id.clone());
    Ok(AppInfo::describe(
        env!("CARGO_PKG_VERSION"),
        &state.layout,
        location.as_deref(),
    )?)
}

/// The error of a command that needs a signed-in location.
pub(crate) fn not_signed_in() -> CommandError {
    CommandError::new(
        ErrorKind::Unauthorized,
        "sign in to a HighLevel location first",
    )
}

/// A store failure as the webview sees it.
pub(crate) fn store_error(err: desk_store::StoreError) -> CommandError {
    match err {
        desk_store::StoreError::Invalid(_) => {
            CommandError::new(ErrorKind::Invalid, err.to_string())
        }
        other => CommandError::new(ErrorKind::Storage, other.to_string()),
    }
}

/// Runs `read` on the signed-in location's read connection, opening it on first use.
pub(crate) async fn with_reader<T>(
    state: &AppState,
    read: impl FnOnce(&Store) -> Result<T, desk_store::StoreError>,
) -> Result<T, CommandError> {
    let location = state
        .session
        .lock()
        .await
        .as_ref()
        .map(|s| s.account.location_id.clone())
        .ok_or_else(not_signed_in)?;
    let mut reader = state.reader.lock().unwrap_or_else(|p| p.into_inner());
    if reader.as_ref().is_none_or(|(open, _)| *open != location) {
        let store =
            Store::open(&state.layout.location_database(&location)?).map_err(store_error)?;
        *reader = Some((location, store));
    }
    let (_, store) = reader.as_ref().ok_or_else(not_signed_in)?;
    read(store).map_err(store_error)
}

/// One page of the signed-in location's contacts (search, filters, sort).
#[tauri::command]
#[specta::specta]
pub async fn list_contacts(
    state: State<'_, AppState>,
    query: ContactQuery,
) -> Result<ContactPage, CommandError> {
    with_reader(&state, |store| store.list_contacts(&query)).await
}

/// Pending, rejected and conflicting changes, for the top bar.
#[tauri::command]
#[specta::specta]
pub async fn outbox_counts(state: State<'_, AppState>) -> Result<OutboxCounts, CommandError> {
    with_reader(&state, Store::outbox_counts).await
}

/// Pulls from HighLevel and pushes pending changes now (after a running cycle ends).
#[tauri::command]
#[specta::specta]
pub async fn sync_now(app: AppHandle) -> Result<SyncSummary, CommandError> {
    crate::background::run_sync(&app).await
}

/// Stops the running sync; what it already did stays done, the rest stays queued.
#[tauri::command]
#[specta::specta]
pub fn cancel_sync(state: State<'_, AppState>) {
    state.control.cancel_running();
}

/// Whether HighLevel answers, whether a sync runs and how the last one ended.
#[tauri::command]
#[specta::specta]
pub fn sync_status(state: State<'_, AppState>) -> SyncStatus {
    state.control.status()
}

/// How the signed-in location settles fields changed both here and in HighLevel.
#[tauri::command]
#[specta::specta]
pub async fn merge_policy(state: State<'_, AppState>) -> Result<MergePolicy, CommandError> {
    with_reader(&state, Store::merge_policy).await
}

/// Chooses how the signed-in location settles fields changed on both sides.
#[tauri::command]
#[specta::specta]
pub async fn set_merge_policy(
    state: State<'_, AppState>,
    policy: MergePolicy,
) -> Result<(), CommandError> {
    let mut store = open_writer(&state).await?;
    store.set_merge_policy(policy).map_err(store_error)
}

/// A write connection to the signed-in location's database.
async fn open_writer(state: &AppState) -> Result<Store, CommandError> {
    let location = state
        .session
        .lock()
        .await
        .as_ref()
        .map(|s| s.account.location_id.clone())
        .ok_or_else(not_signed_in)?;
    Store::open(&state.layout.location_database(&location)?).map_err(store_error)
}

/// A sync failure as the webview sees it.
pub(crate) fn sync_error(err: desk_sync::SyncError) -> CommandError {
    use desk_sync::SyncError as S;
    let kind = match &err {
        S::Offline(_) => ErrorKind::Offline,
        S::SignInNeeded(_) => ErrorKind::Unauthorized,
        S::Cancelled => ErrorKind::Cancelled,
        S::Store(_) => ErrorKind::Storage,
        S::BudgetExhausted | S::Ghl(_) => ErrorKind::Internal,
    };
    CommandError::new(kind, err.to_string())
}

/// Every queued change, described, for the Pending changes screen.
#[tauri::command]
#[specta::specta]
pub async fn pending_changes(
    state: State<'_, AppState>,
) -> Result<Vec<PendingChange>, CommandError> {
    with_reader(&state, Store::pending_changes).await
}

/// What the user decided about a queued change.
#[derive(Debug, Clone, Copy, serde::Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ChangeAction {
    /// Drop it; the record goes back to HighLevel's version.
    Discard,
    /// Send it again on the next sync.
    Retry,
    /// A conflict: send my version over HighLevel's.
    KeepMine,
}

/// Applies the user's decision about one queued change.
#[tauri::command]
#[specta::specta]
pub async fn resolve_change(
    state: State<'_, AppState>,
    seq: u32,
    action: ChangeAction,
) -> Result<(), CommandError> {
    let mut store = open_writer(&state).await?;
    let seq = i64::from(seq);
    match action {
        ChangeAction::Discard => store.discard(seq),
        ChangeAction::Retry => store.retry_now(seq),
        ChangeAction::KeepMine => store.keep_mine(seq),
    }
    .map_err(store_error)?;
    state.control.edited();
    Ok(())
}

/// Settles a conflict field by field: `take_ghl` names the fields where HighLevel's
/// value wins; the user's value is sent for the others.
#[tauri::command]
#[specta::specta]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    seq: u32,
    take_ghl: Vec<String>,
) -> Result<(), CommandError> {
    let mut store = open_writer(&state).await?;
    store
        .keep_theirs(i64::from(seq), &take_ghl)
        .map_err(store_error)?;
    state.control.edited();
    Ok(())
}
