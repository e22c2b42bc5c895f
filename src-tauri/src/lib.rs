//! The GHL Desk desktop shell: builds the app state, registers the IPC commands (each a
//! one-line adapter into a core crate) and opens the window.

mod accounts;
mod background;
mod commands;
mod error;
pub mod ipc;
mod logging;
mod state;

use desk_store::DataLayout;
use tauri::Manager;

pub use error::{CommandError, ErrorKind};
pub use state::AppState;

/// Starts the app and blocks until its last window closes.
pub fn run() {
    let layout = match DataLayout::for_user().and_then(|layout| {
        layout.ensure_dirs()?;
        Ok(layout)
    }) {
        Ok(layout) => layout,
        Err(err) => {
            eprintln!("GHL Desk cannot start: {err}");
            std::process::exit(1);
        }
    };
    let _log_guard = logging::init(&layout.logs_dir());
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "starting GHL Desk");

    let vault: std::sync::Arc<dyn desk_auth::Vault> = std::sync::Arc::from(desk_auth::best_vault());
    let ipc = ipc::builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .manage(AppState::new(layout, vault))
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            ipc.mount_events(app);
            let state = app.state::<AppState>();
            if state.session.try_lock().is_ok_and(|s| s.is_some()) {
                state.control.signed_in();
            }
            background::spawn(app.handle().clone());
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!(%err, "the app stopped with an error");
        eprintln!("GHL Desk stopped with an error: {err}");
        std::process::exit(1);
    }
}
