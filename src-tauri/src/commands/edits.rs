//! Every edit, and the CSV export (its file chosen in the system's save dialog).

use desk::{Applied, ContactQuery, DeskError, Edit};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;

use crate::{
    guard::{answer_blocking, with_location},
    state::AppState,
};

/// Applies one edit (queued offline, sent by the next sync).
#[tauri::command]
#[specta::specta]
pub async fn apply_edit(state: State<'_, AppState>, edit: Edit) -> Result<Applied, DeskError> {
    with_location(&state, move |location| location.apply(edit)).await
}

/// Asks where to save, then writes the contacts (those `only` matches, or all) as CSV;
/// answers how many, or `None` when the user cancelled the dialog.
#[tauri::command]
#[specta::specta]
pub async fn export_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    only: Option<ContactQuery>,
) -> Result<Option<u32>, DeskError> {
    let desk = state.desk.clone();
    answer_blocking(move || {
        let Some(path) = app
            .dialog()
            .file()
            .set_title("Export contacts")
            .set_file_name("contacts.csv")
            .add_filter("CSV", &["csv"])
            .blocking_save_file()
            .and_then(|chosen| chosen.into_path().ok())
        else {
            return Ok(None);
        };
        let written = desk.location()?.export_csv_file(&path, only.as_ref())?;
        Ok(Some(u32::try_from(written).unwrap_or(u32::MAX)))
    })
    .await
}
