//! Rebuilds when the built-in Marketplace app's credentials change (see
//! `session::embedded_app`).

fn main() {
    println!("cargo:rerun-if-env-changed=GHL_DESK_CLIENT_ID");
    println!("cargo:rerun-if-env-changed=GHL_DESK_CLIENT_SECRET");
}
