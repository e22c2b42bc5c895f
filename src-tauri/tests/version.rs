//! The version has one source: the workspace's `Cargo.toml`. `tauri.conf.json` repeats
//! it because the Tauri CLI and the release action read it there (the root manifest is a
//! virtual workspace they cannot take a version from); this test keeps the two equal,
//! and the release workflow refuses a tag that differs from them.

use std::path::Path;

#[test]
fn tauri_config_carries_the_workspace_version() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tauri.conf.json");
    let text = std::fs::read_to_string(&path).expect("read tauri.conf.json");
    let config: serde_json::Value = serde_json::from_str(&text).expect("parse tauri.conf.json");
    assert_eq!(
        config["version"].as_str(),
        Some(env!("CARGO_PKG_VERSION")),
        "tauri.conf.json's version must equal [workspace.package] version in Cargo.toml"
    );
}
