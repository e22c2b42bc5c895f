//! The IPC surface: which commands the webview may call and which events it hears, and
//! the TypeScript bindings generated from their Rust signatures (checked in at
//! `ui/src/lib/bindings.ts`).

use std::path::{Path, PathBuf};

use specta_typescript::Typescript;
use tauri_specta::{collect_commands, collect_events, Builder};

use crate::{
    commands::{accounts, contacts, edits, review, support, sync, updates},
    events::SyncStatusEvent,
};

/// Every command the webview may call.
pub fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            accounts::app_info,
            accounts::accounts_status,
            accounts::sign_in_demo,
            accounts::sign_in_private_integration,
            accounts::sign_in_oauth,
            accounts::keep_agency_locations,
            accounts::cancel_sign_in,
            accounts::open_account,
            accounts::sign_out,
            accounts::cache_summary,
            accounts::delete_local_data,
            accounts::set_aside_local_data,
            contacts::list_contacts,
            contacts::count_targets,
            contacts::contact_view,
            contacts::refresh_contact,
            contacts::tags,
            contacts::businesses,
            contacts::custom_fields,
            contacts::activity,
            edits::apply_edit,
            edits::export_csv,
            review::outbox_counts,
            review::pending_changes,
            review::resolve_change,
            review::merge_policy,
            review::set_merge_policy,
            sync::sync_now,
            sync::cancel_sync,
            sync::sync_status,
            sync::quit,
            support::open_log_folder,
            support::copy_diagnostics,
            support::crash_reports,
            support::dismiss_crash_reports,
            updates::check_for_update,
            updates::download_update,
            updates::install_update,
        ])
        .events(collect_events![
            SyncStatusEvent,
            updates::UpdateProgressEvent
        ])
}

/// Where the generated bindings are checked in.
pub fn bindings_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts")
}

/// Writes the TypeScript bindings for [`builder`] to `path`.
pub fn export_bindings(path: &Path) -> Result<(), String> {
    builder()
        .export(Typescript::default(), path)
        .map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when a command's signature changed without regenerating the bindings.
    /// `GHL_DESK_WRITE_BINDINGS=1 cargo test -p ghl-desk bindings` rewrites them.
    #[test]
    fn checked_in_bindings_are_fresh() {
        let checked_in = bindings_path();
        if std::env::var_os("GHL_DESK_WRITE_BINDINGS").is_some() {
            export_bindings(&checked_in).unwrap();
        }
        let tmp = tempfile::tempdir().unwrap();
        let fresh = tmp.path().join("bindings.ts");
        export_bindings(&fresh).unwrap();
        let expected = std::fs::read_to_string(&fresh).unwrap();
        let actual = std::fs::read_to_string(&checked_in).unwrap_or_default();
        assert!(
            expected == actual,
            "ui/src/lib/bindings.ts is stale: run `npm run bindings` and commit the result"
        );
    }
}
