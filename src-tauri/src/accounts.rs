//! Account commands: the three ways to sign in, an agency's choice of locations, the
//! locations kept on this computer (open one, sign out of one), and deleting a
//! location's local data after the user saw how many unsent changes go with it.

use desk_auth::{session, Account, OAuthSettings, SignedIn};
use desk_store::Store;
use ghl::ClientConfig;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_opener::OpenerExt;
use tokio_util::sync::CancellationToken;

use crate::{
    commands::{not_signed_in, store_error},
    state::ActiveSession,
    AppState, CommandError, ErrorKind,
};

/// Contacts seeded into the demo location.
const DEMO_CONTACTS: usize = 2000;

/// Who is signed in, what else is kept, and how secrets are kept.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    /// The open location, if any.
    pub account: Option<Account>,
    /// Every location kept on this computer (the open one included).
    pub accounts: Vec<Account>,
    /// `false` when no system keychain works: sign-ins last for this session only.
    pub keychain_persistent: bool,
    /// This build carries its own Marketplace app: signing in with HighLevel needs no
    /// client id or secret.
    pub built_in_app: bool,
}

/// The open location, the kept ones and the keychain's state.
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
        accounts: state.accounts.load().accounts,
        keychain_persistent: state.vault.persistent(),
        built_in_app: session::embedded_app().is_some(),
    })
}

/// Makes `session` the open location: its database, its sync schedule, and (unless it
/// is the demo) remembered for the next launch.
async fn activate(state: &AppState, session: ActiveSession) -> Result<Account, CommandError> {
    let account = session.account.clone();
    state.layout.location_database(&account.location_id)?;
    state.accounts.add_and_open(&account)?;
    state.control.signed_out();
    *state.session.lock().await = Some(session);
    state.close_reader();
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

/// One of an agency's locations where the Marketplace app is installed.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AgencyLocation {
    /// Location id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its address.
    pub address: Option<String>,
    /// Already kept on this computer.
    pub kept: bool,
}

/// What a HighLevel sign-in opened.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum OAuthOutcome {
    /// One location, now open.
    Location {
        /// The location.
        account: Account,
    },
    /// A whole agency: the user chooses which locations to keep offline.
    Agency {
        /// The agency (company).
        #[serde(rename = "companyId")]
        company_id: String,
        /// Its locations with the app installed.
        locations: Vec<AgencyLocation>,
    },
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
) -> Result<OAuthOutcome, CommandError> {
    let (marketplace, entered) =
        session::sign_in_app(&client_id, &client_secret).ok_or_else(|| {
            CommandError::new(
                ErrorKind::Invalid,
                "enter your Marketplace app's client id and client secret",
            )
        })?;
    let cancel = CancellationToken::new();
    *state.sign_in.lock().unwrap_or_else(|p| p.into_inner()) = Some(cancel.clone());
    let settings = OAuthSettings::new(&marketplace.client_id, &marketplace.client_secret);
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
    let signed_in = result?;
    if entered {
        session::store_app(
            state.vault.as_ref(),
            &marketplace.client_id,
            &marketplace.client_secret,
        )?;
    }
    match signed_in {
        SignedIn::Location(account) => Ok(OAuthOutcome::Location {
            account: activate(&state, ActiveSession::new(account, None)).await?,
        }),
        SignedIn::Agency(agency) => {
            let kept = state.accounts.load().accounts;
            let locations = desk_auth::agency_locations(
                &ClientConfig::default(),
                &marketplace,
                state.vault.clone(),
                &agency.company_id,
            )
            .await?
            .into_iter()
            .map(|l| AgencyLocation {
                kept: kept.iter().any(|a| a.location_id == l.id),
                id: l.id,
                name: l.name,
                address: l.address,
            })
            .collect();
            Ok(OAuthOutcome::Agency {
                company_id: agency.company_id,
                locations,
            })
        }
    }
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

/// A location the user chose from an agency.
#[derive(Debug, Clone, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ChosenLocation {
    /// Location id.
    pub id: String,
    /// Its name, as listed.
    pub name: Option<String>,
}

/// Keeps the chosen locations of an agency offline, each as its own account with its
/// own tokens and cache, and opens the first.
#[tauri::command]
#[specta::specta]
pub async fn keep_agency_locations(
    state: State<'_, AppState>,
    company_id: String,
    locations: Vec<ChosenLocation>,
) -> Result<Account, CommandError> {
    if locations.is_empty() {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            "choose at least one location to keep",
        ));
    }
    let marketplace = session::marketplace_app(state.vault.as_ref())?
        .ok_or_else(|| CommandError::new(ErrorKind::SignIn, "sign in with HighLevel again"))?;
    let mut first = None;
    for chosen in &locations {
        let mut account = desk_auth::add_agency_location(
            &ClientConfig::default(),
            &marketplace,
            state.vault.clone(),
            &company_id,
            &chosen.id,
        )
        .await?;
        account.name = chosen.name.clone();
        state.layout.location_database(&account.location_id)?;
        state.accounts.add(&account)?;
        first.get_or_insert(account);
    }
    let first = first.ok_or_else(not_signed_in)?;
    activate(&state, ActiveSession::new(first, None)).await
}

/// Opens another kept location (its own cache; a sync follows at once).
#[tauri::command]
#[specta::specta]
pub async fn open_account(
    state: State<'_, AppState>,
    location_id: String,
) -> Result<Account, CommandError> {
    let account = state.accounts.open(&location_id)?.ok_or_else(|| {
        CommandError::new(
            ErrorKind::Invalid,
            "that location is not kept on this computer",
        )
    })?;
    activate(&state, ActiveSession::new(account, None)).await
}

/// Whether `location_id` is the open location.
async fn is_open(state: &AppState, location_id: &str) -> bool {
    state
        .session
        .lock()
        .await
        .as_ref()
        .is_some_and(|s| s.account.location_id == location_id)
}

/// Stops using a location: it is closed, forgotten, and its secrets leave the
/// keychain. Its local data stays until the user deletes it.
#[tauri::command]
#[specta::specta]
pub async fn sign_out(state: State<'_, AppState>, location_id: String) -> Result<(), CommandError> {
    let is_open = is_open(&state, &location_id).await;
    if is_open {
        state.control.signed_out();
        state.session.lock().await.take();
        state.close_reader();
    }
    session::forget(state.vault.as_ref(), &location_id)?;
    state.accounts.remove(&location_id)?;
    Ok(())
}

/// What deleting a location's local data would throw away.
#[derive(Debug, Clone, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CacheSummary {
    /// Changes not yet in HighLevel (pending, rejected or conflicting): lost for good.
    pub unsent_changes: u32,
    /// Contacts cached (they come back with the next sync).
    pub contacts: u32,
    /// Whether there is any local data at all.
    pub exists: bool,
}

/// How much a location's local data holds, for the confirmation before deleting it.
#[tauri::command]
#[specta::specta]
pub async fn cache_summary(
    state: State<'_, AppState>,
    location_id: String,
) -> Result<CacheSummary, CommandError> {
    let path = state.layout.location_database(&location_id)?;
    if !path.exists() {
        return Ok(CacheSummary {
            unsent_changes: 0,
            contacts: 0,
            exists: false,
        });
    }
    let store = Store::open(&path).map_err(store_error)?;
    let counts = store.outbox_counts().map_err(store_error)?;
    let contacts = store
        .list_contacts(&desk_store::model::ContactQuery {
            limit: 1,
            ..Default::default()
        })
        .map_err(store_error)?
        .total;
    Ok(CacheSummary {
        unsent_changes: counts.pending + counts.rejected + counts.conflicts,
        contacts,
        exists: true,
    })
}

/// Deletes a location's local data. `unsent_changes` is the count the user confirmed:
/// if more changes were queued since, nothing is deleted and the user is asked again.
/// The location stays signed in; an open one starts over with a fresh sync.
#[tauri::command]
#[specta::specta]
pub async fn delete_cache(
    state: State<'_, AppState>,
    location_id: String,
    unsent_changes: u32,
) -> Result<(), CommandError> {
    let is_open = is_open(&state, &location_id).await;
    if is_open {
        state.control.cancel_running();
    }
    let _no_sync = state.syncing.lock().await;
    state.close_reader();
    let now = cache_summary(state.clone(), location_id.clone()).await?;
    if now.unsent_changes > unsent_changes {
        return Err(CommandError::new(
            ErrorKind::Invalid,
            format!(
                "{} changes are now waiting to be sent, more than you confirmed; nothing was deleted",
                now.unsent_changes
            ),
        ));
    }
    state.layout.delete_location_database(&location_id)?;
    tracing::info!(location = %location_id, lost = now.unsent_changes, "deleted a location's local data");
    if is_open {
        state.control.signed_in();
    }
    Ok(())
}
