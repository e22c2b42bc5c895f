//! Signing in and out, the kept locations, and deleting local data.

use desk::{
    Account, AccountsStatus, AppInfo, CacheSummary, ChosenLocation, DeskError, OAuthOutcome,
    SignInApp,
};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;

use crate::state::AppState;

/// The app's version and where it keeps its data, for Settings and support requests.
#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, DeskError> {
    state.desk.app_info(env!("CARGO_PKG_VERSION"))
}

/// The open location, the kept ones and the keychain's state.
#[tauri::command]
#[specta::specta]
pub fn accounts_status(state: State<'_, AppState>) -> AccountsStatus {
    state.desk.accounts_status()
}

/// Starts the embedded demo sandbox and signs in to it.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_demo(state: State<'_, AppState>) -> Result<Account, DeskError> {
    state.desk.sign_in_demo().await
}

/// Signs in with a Private Integration token, checked with one call before it is saved.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_private_integration(
    state: State<'_, AppState>,
    token: String,
    location_id: String,
) -> Result<Account, DeskError> {
    state
        .desk
        .sign_in_private_integration(&token, &location_id)
        .await
}

/// Signs in with HighLevel in the system browser, with the user's Marketplace app (or
/// the built-in one when the fields are left empty and this build has one).
#[tauri::command]
#[specta::specta]
pub async fn sign_in_oauth(
    app: AppHandle,
    state: State<'_, AppState>,
    client_id: String,
    client_secret: String,
) -> Result<OAuthOutcome, DeskError> {
    let opener = app.clone();
    let open = move |url: url::Url| {
        opener
            .opener()
            .open_url(url.as_str(), None::<&str>)
            .map_err(|e| e.to_string())
    };
    let sign_in = SignInApp {
        client_id,
        client_secret,
        port: None,
    };
    let outcome = state.desk.sign_in_oauth(sign_in, open).await;
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_focus();
    }
    outcome
}

/// Stops a sign-in that is waiting for the browser.
#[tauri::command]
#[specta::specta]
pub fn cancel_sign_in(state: State<'_, AppState>) {
    state.desk.cancel_sign_in();
}

/// Keeps the chosen locations of an agency offline and opens the first.
#[tauri::command]
#[specta::specta]
pub async fn keep_agency_locations(
    state: State<'_, AppState>,
    company_id: String,
    locations: Vec<ChosenLocation>,
) -> Result<Account, DeskError> {
    state
        .desk
        .keep_agency_locations(&company_id, &locations)
        .await
}

/// Opens another kept location.
#[tauri::command]
#[specta::specta]
pub async fn open_account(
    state: State<'_, AppState>,
    location_id: String,
) -> Result<Account, DeskError> {
    state.desk.open_account(&location_id).await
}

/// Signs out of a location: its secrets leave the keychain; its local data stays.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>, location_id: String) -> Result<(), DeskError> {
    state.desk.sign_out(&location_id).await
}

/// What deleting a location's local data would throw away.
#[tauri::command]
#[specta::specta]
pub fn cache_summary(
    state: State<'_, AppState>,
    location_id: String,
) -> Result<CacheSummary, DeskError> {
    state.desk.cache_summary(&location_id)
}

/// Deletes a location's local data, if no more changes are unsent than the user
/// confirmed.
#[tauri::command]
#[specta::specta]
pub async fn delete_local_data(
    state: State<'_, AppState>,
    location_id: String,
    unsent_changes: u32,
) -> Result<(), DeskError> {
    state
        .desk
        .delete_local_data(&location_id, unsent_changes)
        .await
}
