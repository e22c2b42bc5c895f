//! Reading the open location: the contact list and its filters, one contact, custom
//! fields and the activity log.

use desk::{
    ActivityEntry, ActivityQuery, Business, ContactPage, ContactQuery, ContactView, CustomFieldDef,
    DeskError, Targets,
};
use tauri::State;

use crate::{
    guard::{answer_async, with_location},
    state::AppState,
};

/// One page of the open location's contacts (search, filters, sort).
#[tauri::command]
#[specta::specta]
pub async fn list_contacts(
    state: State<'_, AppState>,
    query: ContactQuery,
) -> Result<ContactPage, DeskError> {
    with_location(&state, move |location| location.list_contacts(&query)).await
}

/// How many contacts a bulk edit would change, for its confirmation.
#[tauri::command]
#[specta::specta]
pub async fn count_targets(state: State<'_, AppState>, targets: Targets) -> Result<u32, DeskError> {
    with_location(&state, move |location| location.count_targets(&targets)).await
}

/// A contact as its pane shows it.
#[tauri::command]
#[specta::specta]
pub async fn contact_view(
    state: State<'_, AppState>,
    id: String,
) -> Result<ContactView, DeskError> {
    with_location(&state, move |location| location.contact_view(&id)).await
}

/// Reads a contact and its notes, tasks and appointments from HighLevel now.
#[tauri::command]
#[specta::specta]
pub async fn refresh_contact(state: State<'_, AppState>, id: String) -> Result<(), DeskError> {
    let desk = state.desk.clone();
    answer_async(async move { desk.location()?.refresh_contact(&id).await }).await
}

/// Every tag in use with its count (filter and suggestions).
#[tauri::command]
#[specta::specta]
pub async fn tags(state: State<'_, AppState>) -> Result<Vec<(String, u32)>, DeskError> {
    with_location(&state, move |location| location.tags()).await
}

/// The businesses contacts belong to (the business filter).
#[tauri::command]
#[specta::specta]
pub async fn businesses(state: State<'_, AppState>) -> Result<Vec<Business>, DeskError> {
    with_location(&state, move |location| location.businesses()).await
}

/// The location's contact custom fields.
#[tauri::command]
#[specta::specta]
pub async fn custom_fields(state: State<'_, AppState>) -> Result<Vec<CustomFieldDef>, DeskError> {
    with_location(&state, move |location| location.custom_fields()).await
}

/// A page of the activity log.
#[tauri::command]
#[specta::specta]
pub async fn activity(
    state: State<'_, AppState>,
    query: ActivityQuery,
) -> Result<Vec<ActivityEntry>, DeskError> {
    with_location(&state, move |location| location.activity_page(&query)).await
}
