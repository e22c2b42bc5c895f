//! Reading the open location: the contact list and its filters, one contact, custom
//! fields and the activity log.

use desk::{
    ActivityEntry, ActivityQuery, Business, ContactPage, ContactQuery, ContactView, CustomFieldDef,
    DeskError, Targets,
};
use tauri::State;

use crate::{
    guard::{answer, answer_async},
    state::AppState,
};

/// One page of the open location's contacts (search, filters, sort).
#[tauri::command]
#[specta::specta]
pub fn list_contacts(
    state: State<'_, AppState>,
    query: ContactQuery,
) -> Result<ContactPage, DeskError> {
    answer(|| state.desk.location()?.list_contacts(&query))
}

/// How many contacts a bulk edit would change, for its confirmation.
#[tauri::command]
#[specta::specta]
pub fn count_targets(state: State<'_, AppState>, targets: Targets) -> Result<u32, DeskError> {
    answer(|| state.desk.location()?.count_targets(&targets))
}

/// A contact as its pane shows it.
#[tauri::command]
#[specta::specta]
pub fn contact_view(state: State<'_, AppState>, id: String) -> Result<ContactView, DeskError> {
    answer(|| state.desk.location()?.contact_view(&id))
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
pub fn tags(state: State<'_, AppState>) -> Result<Vec<(String, u32)>, DeskError> {
    answer(|| state.desk.location()?.tags())
}

/// The businesses contacts belong to (the business filter).
#[tauri::command]
#[specta::specta]
pub fn businesses(state: State<'_, AppState>) -> Result<Vec<Business>, DeskError> {
    answer(|| state.desk.location()?.businesses())
}

/// The location's contact custom fields.
#[tauri::command]
#[specta::specta]
pub fn custom_fields(state: State<'_, AppState>) -> Result<Vec<CustomFieldDef>, DeskError> {
    answer(|| state.desk.location()?.custom_fields())
}

/// A page of the activity log.
#[tauri::command]
#[specta::specta]
pub fn activity(
    state: State<'_, AppState>,
    query: ActivityQuery,
) -> Result<Vec<ActivityEntry>, DeskError> {
    answer(|| state.desk.location()?.activity_page(&query))
}
