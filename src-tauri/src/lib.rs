//! The GHL Desk desktop shell: builds the application layer and its background runner,
//! registers the IPC commands (each one call into [`desk`]) and the sync-status events,
//! and opens the one window (a second launch focuses it instead).

mod commands;
mod events;
mod first_screen;
mod guard;
pub mod ipc;
mod logging;
#[cfg(target_os = "linux")]
mod page_memory;
#[cfg(target_os = "linux")]
mod rendering;
mod state;
#[cfg(target_os = "linux")]
mod web_memory;

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use desk::{
    runner::{Runner, SystemClock},
    DataLayout, Desk, DeskConfig,
};
use tauri::Manager;

use state::AppState;

/// How long quitting waits for a running sync's sends in flight to be answered.
const QUIT_GRACE: Duration = Duration::from_secs(3);

/// Starts the app and blocks until its last window closes.
pub fn run() {
    #[cfg(target_os = "linux")]
    {
        rendering::choose_compositing();
        page_memory::moderate_heap_growth();
    }
    desk::private_by_default();
    let layout = DataLayout::for_user()
        .ok()
        .filter(|layout| layout.ensure_dirs().is_ok());
    let log_guard = layout
        .as_ref()
        .and_then(|layout| logging::init(&layout.logs_dir()));
    if let Some(layout) = &layout {
        desk::crash::install_panic_hook(layout, &format!("GHL Desk {}", env!("CARGO_PKG_VERSION")));
    }
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
    let first_screen = first_screen::read(desk.clone());
    let webview_dir = desk.layout().root().join("webview");
    let window_state = desk.layout().root().join("window-state.json");
    let sink = Arc::new(events::WebviewSink::default());
    let runner = Runner::new(desk.clone(), sink.clone(), Arc::new(SystemClock));
    let ipc = ipc::builder();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_filename(window_state.display().to_string())
                .build(),
        )
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(AppState {
            desk,
            runner: runner.clone(),
        })
        .invoke_handler(ipc.invoke_handler())
        .setup({
            let runner = runner.clone();
            move |app| {
                #[cfg(target_os = "linux")]
                web_memory::budget_web_process_memory();
                // The page's own storage (the theme choice) lives in the data folder, with
                // the cache it belongs to, not in a per-user folder another data folder
                // shares.
                if let Some(window) = app.config().app.windows.first() {
                    let mut builder = tauri::WebviewWindowBuilder::from_config(app, window)?
                        .data_directory(webview_dir);
                    if let Ok(script) = first_screen.join() {
                        builder = builder.initialization_script(script);
                    }
                    builder.build()?;
                }
                commands::updates::manage(app.handle());
                ipc.mount_events(app);
                let _ = sink.app.set(app.handle().clone());
                tauri::async_runtime::spawn(runner.run());
                quit_on_terminate(app.handle().clone());
                Ok(())
            }
        })
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(err) => {
            tracing::error!(%err, "the app could not start");
            eprintln!("GHL Desk could not start: {err}");
            std::process::exit(1);
        }
    };
    let quitting = AtomicBool::new(false);
    // The event loop ends the process without returning, so the log writer is flushed
    // on the way out, not when this function would return.
    let log_guard = std::sync::Mutex::new(log_guard);
    app.run(move |handle, event| {
        if let tauri::RunEvent::Exit = event {
            drop(log_guard.lock().map(|mut guard| guard.take()));
        }
        // The first request to quit waits for the sync to stop and its sends in flight
        // to be answered; the exit that follows goes through.
        if let tauri::RunEvent::ExitRequested { api, code, .. } = event {
            if !quitting.swap(true, Ordering::SeqCst) {
                api.prevent_exit();
                let (runner, handle) = (runner.clone(), handle.clone());
                tauri::async_runtime::spawn(async move {
                    let settled = runner.shut_down(QUIT_GRACE).await;
                    tracing::info!(settled, "quitting");
                    handle.exit(code.unwrap_or(0));
                });
            }
        }
    });
}

/// Quits as if the user did when the system asks the app to end (logout, shutdown,
/// `kill`), so the sync stops cleanly and the window's place is kept.
fn quit_on_terminate(app: tauri::AppHandle) {
    #[cfg(unix)]
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                if terminate.recv().await.is_some() {
                    tracing::info!("asked to end by the system");
                    app.exit(0);
                }
            }
            Err(err) => tracing::debug!(%err, "no SIGTERM handler"),
        }
    });
    #[cfg(not(unix))]
    drop(app);
}
