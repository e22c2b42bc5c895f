//! The GHL Desk desktop shell: builds the application layer and its background runner,
//! registers the IPC commands (each one call into [`desk`]) and the sync-status events,
//! and opens the one window (a second launch focuses it instead).

mod commands;
mod events;
mod guard;
pub mod ipc;
mod logging;
mod state;

use std::sync::Arc;

use desk::{
    runner::{Runner, SystemClock},
    DataLayout, Desk, DeskConfig,
};
use tauri::Manager;

use state::AppState;

/// Starts the app and blocks until its last window closes.
pub fn run() {
    desk::private_by_default();
    let _log_guard = DataLayout::for_user()
        .ok()
        .filter(|layout| layout.ensure_dirs().is_ok())
        .and_then(|layout| logging::init(&layout.logs_dir()));
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "starting GHL Desk");
    let config = DeskConfig::for_user(None, desk::DEFAULT_API_BASE, desk::DEFAULT_MARKETPLACE_BASE);
    let desk = match config.and_then(Desk::new) {
        Ok(desk) => Arc::new(desk),
        Err(err) => {
            tracing::error!(%err, "cannot open the data folder");
            eprintln!("GHL Desk cannot start: {err}");
            std::process::exit(1);
        }
    };
    let webview_dir = desk.layout().root().join("webview");
    let sink = Arc::new(events::WebviewSink::default());
    let runner = Runner::new(desk.clone(), sink.clone(), Arc::new(SystemClock));
    let ipc = ipc::builder();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(AppState {
            desk,
            runner: runner.clone(),
        })
        .invoke_handler(ipc.invoke_handler())
        .setup(move |app| {
            // The page's own storage (the theme choice) lives in the data folder, with
            // the cache it belongs to, not in a per-user folder another data folder shares.
            if let Some(window) = app.config().app.windows.first() {
                tauri::WebviewWindowBuilder::from_config(app, window)?
                    .data_directory(webview_dir)
                    .build()?;
            }
            ipc.mount_events(app);
            let _ = sink.app.set(app.handle().clone());
            tauri::async_runtime::spawn(runner.run());
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        tracing::error!(%err, "the app stopped with an error");
        eprintln!("GHL Desk stopped with an error: {err}");
        std::process::exit(1);
    }
}
