//! IPC commands: thin adapters from the webview into the core crates.

use desk_auth::{Account, OAuthSettings};
use desk_store::AppInfo;
use ghl::ClientConfig;
use serde::Serialize;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;
use tokio_util::sync::CancellationToken;

use crate::{state::ActiveSession, AppState, CommandError, ErrorKind};

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
    Ok(account)
}

/// Starts the embedded demo sandbox and signs in to it.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_demo(state: State<'_, AppState>) -> Result<Account, CommandError> {
    let demo = desk_auth::start_demo(state.vault.as_ref(), DEMO_CONTACTS).await?;
    activate(
        &state,
        ActiveSession {
            account: demo.account.clone(),
            demo: Some(demo),
        },
    )
    .await
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
    activate(
        &state,
        ActiveSession {
            account,
            demo: None,
        },
    )
    .await
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
    activate(
        &state,
        ActiveSession {
            account,
            demo: None,
        },
    )
    .await
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
    let session = state.session.lock().await.take();
    if let Some(session) = session {
        desk_auth::session::forget(state.vault.as_ref(), &session.account.location_id)?;
    }
    desk_auth::session::remember(&state.account_file(), None)?;
    Ok(())
}
