//! Reading the open location's contacts.

use desk::{ContactPage, ContactQuery, DeskError};
use tauri::State;

use crate::{guard::answer, state::AppState};

/// One page of the open location's contacts (search, filters, sort).
#[tauri::command]
#[specta::specta]
pub fn list_contacts(
    state: State<'_, AppState>,
    query: ContactQuery,
) -> Result<ContactPage, DeskError> {
    answer(|| state.desk.location()?.list_contacts(&query))
}
