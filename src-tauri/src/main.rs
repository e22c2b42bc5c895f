//! GHL Desk's executable: everything lives in the library so that tests can reach it.

// Keep a console window from opening beside the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    ghl_desk_lib::run();
}
