//! IPC commands: thin adapters from the webview into the core crates.

use desk_auth::{Account, OAuthSettings};
use desk_store::{
    model::{ContactPage, ContactQuery, MergePolicy, OutboxCounts, PendingChange},
    AppInfo, Store,
};
use desk_sync::SyncSummary;
use ghl::ClientConfig;
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;
use tokio_util::sync::CancellationToken;

use crate::{background::SyncStatus, state::ActiveSession, AppState, CommandError, ErrorKind};

/// Contacts seeded into the demo location.
const DEMO_CONTACTS: usize = 2000;

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

/// Who is signed in, and whether secrets outlive this session.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    /// The signed-in location, if any.
    pub account: Option<Account>,
    /// `false` when no system keychain works: sign-ins last for this session only.
    pub keychain_persistent: bool,
}

/// The signed-in location and the keychain's state.
#[tauri::command]
#[specta::specta]
pub async fn session_status(state: State<'_, AppState>) -> Result<SessionStatus, CommandError> {
    let account = state
        .session
        .lock()
        .await
        .as_ref()
        .map(|s| s.account.clone());
    Ok(SessionStatus {
        account,
        keychain_persistent: state.vault.persistent(),
    })
}

async fn activate(state: &AppState, session: ActiveSession) -> Result<Account, CommandError> {
    let account = session.account.clone();
    state.layout.location_database(&account.location_id)?;
    desk_auth::session::remember(&state.account_file(), Some(&account))?;
    *state.session.lock().await = Some(session);
    state
        .reader
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    state.control.signed_in();
    Ok(account)
}

/// Starts the embedded demo sandbox and signs in to it.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_demo(state: State<'_, AppState>) -> Result<Account, CommandError> {
    let demo = desk_auth::start_demo(state.vault.as_ref(), DEMO_CONTACTS).await?;
    activate(&state, ActiveSession::new(demo.account.clone(), Some(demo))).await
}

/// Signs in with a Private Integration token, checked with one call before it is saved.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_private_integration(
    state: State<'_, AppState>,
    token: String,
    location_id: String,
) -> Result<Account, CommandError> {
    let account = desk_auth::sign_in_private_integration(
        &ClientConfig::default(),
        state.vault.as_ref(),
        &token,
        &location_id,
    )
    .await?;
    activate(&state, ActiveSession::new(account, None)).await
}

/// Signs in with HighLevel in the system browser, using the user's Marketplace app.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_oauth(
    app: AppHandle,
    state: State<'_, AppState>,
    client_id: String,
    client_secret: String,
) -> Result<Account, CommandError> {
    if client_id.trim().is_empty() || client_secret.trim().is_empty() {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            "enter your Marketplace app's client id and client secret",
        ));
    }
    let cancel = CancellationToken::new();
    *state.sign_in.lock().unwrap_or_else(|p| p.into_inner()) = Some(cancel.clone());
    let settings = OAuthSettings::new(client_id.trim(), client_secret.trim());
    let opener = app.clone();
    let open = move |url: url::Url| {
        opener
            .opener()
            .open_url(url.as_str(), None::<&str>)
            .map_err(|e| e.to_string())
    };
    let result = desk_auth::sign_in_oauth(
        &ClientConfig::default(),
        &settings,
        state.vault.as_ref(),
        open,
        cancel,
    )
    .await;
    state
        .sign_in
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_focus();
    }
    let account = result?;
    state
        .vault
        .put("app:client-id", client_id.trim())
        .map_err(CommandError::from)?;
    state
        .vault
        .put("app:client-secret", client_secret.trim())
        .map_err(CommandError::from)?;
    activate(&state, ActiveSession::new(account, None)).await
}

/// Stops a sign-in that is waiting for the browser.
#[tauri::command]
#[specta::specta]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    if let Some(cancel) = state
        .sign_in
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        cancel.cancel();
    }
}

/// Signs out: the location's secrets leave the keychain; its local data stays.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>) -> Result<(), CommandError> {
    state.control.signed_out();
    let session = state.session.lock().await.take();
    state
        .reader
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let Some(session) = session {
        desk_auth::session::forget(state.vault.as_ref(), &session.account.location_id)?;
    }
    desk_auth::session::remember(&state.account_file(), None)?;
    Ok(())
}

fn not_signed_in() -> CommandError {
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
async fn with_reader<T>(
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
