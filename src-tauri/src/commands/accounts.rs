//! Signing in and out, the kept locations, and deleting local data.

use desk::{
    Account, AccountsStatus, AppInfo, CacheSummary, ChosenLocation, DeskError, OAuthOutcome,
    SignInApp,
};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;

use crate::{
    guard::{answer, answer_async},
    state::AppState,
};

/// The app's version and where it keeps its data, for Settings and support requests.
#[tauri::command]
#[specta::specta]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, DeskError> {
    answer(|| state.desk.app_info(env!("CARGO_PKG_VERSION")))
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
    let desk = state.desk.clone();
    answer_async(async move { desk.sign_in_demo().await }).await
}

/// Signs in with a Private Integration token, checked with one call before it is saved.
#[tauri::command]
#[specta::specta]
pub async fn sign_in_private_integration(
    state: State<'_, AppState>,
    token: String,
    location_id: String,
) -> Result<Account, DeskError> {
    let desk = state.desk.clone();
    answer_async(async move { desk.sign_in_private_integration(&token, &location_id).await }).await
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
    let desk = state.desk.clone();
    let outcome = answer_async(async move { desk.sign_in_oauth(sign_in, open).await }).await;
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
    let desk = state.desk.clone();
    answer_async(async move { desk.keep_agency_locations(&company_id, &locations).await }).await
}

/// Opens another kept location.
#[tauri::command]
#[specta::specta]
pub async fn open_account(
    state: State<'_, AppState>,
    location_id: String,
) -> Result<Account, DeskError> {
    let desk = state.desk.clone();
    answer_async(async move { desk.open_account(&location_id).await }).await
}

/// Signs out of a location: its secrets leave the keychain; its local data stays.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>, location_id: String) -> Result<(), DeskError> {
    let desk = state.desk.clone();
    answer_async(async move { desk.sign_out(&location_id).await }).await
}

/// What deleting a location's local data would throw away.
#[tauri::command]
#[specta::specta]
pub fn cache_summary(
    state: State<'_, AppState>,
    location_id: String,
) -> Result<CacheSummary, DeskError> {
    answer(|| state.desk.cache_summary(&location_id))
}

/// Keeps a damaged local database aside and starts the location over from HighLevel;
/// returns where the damaged file went.
#[tauri::command]
#[specta::specta]
pub async fn set_aside_local_data(
    state: State<'_, AppState>,
    location_id: String,
) -> Result<String, DeskError> {
    let desk = state.desk.clone();
    answer_async(async move { desk.set_aside_local_data(&location_id).await }).await
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
    let desk = state.desk.clone();
    answer_async(async move { desk.delete_local_data(&location_id, unsent_changes).await }).await
}
