//! The CLI binary against the in-process sandbox: sign-in, sync, offline edits, the
//! outbox, export and exit codes.

use std::process::Output;

use ghl_sandbox::{Limits, Sandbox, SandboxConfig};
use serde_json::Value;

struct Rig {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
    token: String,
    location: String,
}

impl Rig {
    async fn new() -> Self {
        let limits = Limits {
            max: 100_000,
            interval_ms: 10_000,
            daily: 1_000_000,
        };
        let sandbox = Sandbox::start_local(SandboxConfig {
            contacts: 40,
            limits,
            ..SandboxConfig::default()
        })
        .await
        .unwrap();
        let location = sandbox.info().locations[0].clone();
        Self {
            sandbox,
            dir: tempfile::tempdir().unwrap(),
            token: location.private_integration_token,
            location: location.id,
        }
    }

    /// Runs the CLI off the async runtime (it starts its own).
    async fn run(&self, args: &[&str]) -> Output {
        self.run_with_input(args, "").await
    }

    /// Runs the CLI with `input` on its standard input.
    async fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut full: Vec<String> = vec![
            "--data-dir".into(),
            self.dir.path().display().to_string(),
            "--api-base".into(),
            self.sandbox.base_url().into(),
        ];
        full.extend(args.iter().map(|a| (*a).to_owned()));
        let token = self.token.clone();
        let input = input.to_owned();
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ghl-desk-cli"))
                .args(&full)
                .env("GHL_DESK_TOKEN", token)
                .env("GHL_DESK_VAULT_PASSPHRASE", "cli test passphrase")
                .env_remove("GHL_DESK_DATA_DIR")
                .env_remove("GHL_DESK_PIT")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    }

    async fn json(&self, args: &[&str]) -> Value {
        let mut with_json = args.to_vec();
        with_json.push("--json");
        let out = self.run(&with_json).await;
        assert!(
            out.status.success() || out.status.code() == Some(3),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }
}

#[tokio::test]
async fn usage_errors_and_signed_out_commands_have_their_exit_codes() {
    let rig = Rig::new().await;
    let help = rig.run(&["--help"]).await;
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    for code in [
        "2  a usage error",
        "5  HighLevel cannot be reached",
        "6  another GHL Desk process",
    ] {
        assert!(help.contains(code), "--help lists the exit codes: {help}");
    }
    assert!(rig.run(&["sync", "--help"]).await.status.success());
    assert_eq!(rig.run(&["frobnicate"]).await.status.code(), Some(2));
    assert_eq!(rig.run(&["status"]).await.status.code(), Some(4));
    assert_eq!(
        rig.run(&["login", "--pit", "pit-wrong", "--location", &rig.location])
            .await
            .status
            .code(),
        Some(4),
        "a bad token is refused"
    );
}

#[tokio::test]
async fn sign_in_sync_edit_offline_and_push() {
    let rig = Rig::new().await;
    let login = rig
        .run_with_input(
            &["login", "--pit", "--location", &rig.location.clone()],
            &format!("{}\n", rig.token),
        )
        .await;
    assert!(
        login.status.success(),
        "the token comes from standard input: {}",
        String::from_utf8_lossy(&login.stderr)
    );

    let first = rig.json(&["sync"]).await;
    assert_eq!(first["pulled"], 40);
    assert_eq!(rig.json(&["merge-policy"]).await["mergePolicy"], "ask");
    assert_eq!(
        rig.json(&["merge-policy", "prefer-ghl"]).await["mergePolicy"],
        "prefer-ghl"
    );
    assert_eq!(
        rig.run(&["merge-policy", "sometimes"]).await.status.code(),
        Some(2)
    );
    assert_eq!(
        rig.json(&["merge-policy"]).await["mergePolicy"],
        "prefer-ghl"
    );
    let status = rig.json(&["status"]).await;
    assert_eq!(status["contacts"], 40);

    let listed = rig.json(&["contacts", "list", "--limit", "5"]).await;
    let someone = listed["rows"][0].clone();
    let id = someone["id"].as_str().unwrap().to_owned();
    let found = rig
        .json(&["contacts", "search", someone["firstName"].as_str().unwrap()])
        .await;
    assert!(found["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == id.as_str()));
    let shown = rig.json(&["contacts", "show", &id]).await;
    assert_eq!(shown["contact"]["id"], id.as_str());

    let created = rig
        .json(&[
            "contact",
            "create",
            "firstName=Zed",
            "lastName=Shaw",
            "email=zed@example.com",
        ])
        .await;
    let local = created["id"].as_str().unwrap().to_owned();
    rig.json(&["note", "add", &local, "met at the meetup"])
        .await;
    let long = "a long call transcript, line after line\n".repeat(1_000);
    let noted = rig
        .run_with_input(
            &["note", "add", &local, "--body-file", "-", "--json"],
            &long,
        )
        .await;
    assert!(
        noted.status.success(),
        "{}",
        String::from_utf8_lossy(&noted.stderr)
    );
    rig.json(&[
        "task",
        "add",
        &local,
        "--title",
        "Send deck",
        "--due",
        "2026-12-01T10:00:00Z",
    ])
    .await;
    rig.json(&["tag", "add", &id, "cli-tagged"]).await;
    assert_eq!(
        rig.json(&["outbox", "list"])
            .await
            .as_array()
            .unwrap()
            .len(),
        5
    );

    let pushed = rig.json(&["sync"]).await;
    assert_eq!(pushed["pushed"], 5);
    assert!(rig
        .json(&["outbox", "list"])
        .await
        .as_array()
        .unwrap()
        .is_empty());
    let log = rig.sandbox.requests(0);
    assert_eq!(
        log.iter()
            .filter(|r| r.method == "POST" && r.path == "/contacts/")
            .count(),
        1
    );
    let zed = rig.json(&["contacts", "search", "zed@example.com"]).await;
    assert!(
        !zed["rows"][0]["id"].as_str().unwrap().starts_with("local_"),
        "the local id was replaced by GHL's"
    );

    let csv = rig.dir.path().join("out.csv");
    let exported = rig
        .json(&["export", "csv", "--out", csv.to_str().unwrap()])
        .await;
    assert_eq!(exported["contacts"], 41);
    assert!(std::fs::read_to_string(&csv)
        .unwrap()
        .starts_with("id,first_name,last_name,email"));
}

#[tokio::test]
async fn rejections_exit_3_and_offline_exits_5() {
    let rig = Rig::new().await;
    let token_file = rig.dir.path().join("token");
    std::fs::write(&token_file, &rig.token).unwrap();
    assert!(rig
        .run(&[
            "login",
            "--pit-file",
            token_file.to_str().unwrap(),
            "--location",
            &rig.location.clone()
        ])
        .await
        .status
        .success());
    rig.json(&["sync"]).await;
    let rows = rig.json(&["contacts", "list", "--limit", "2"]).await["rows"].clone();
    let id = rows[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        rig.run(&["contact", "update", &id, "companyName=Not On Update"])
            .await
            .status
            .code(),
        Some(2),
        "refused at entry: GHL's update has no companyName"
    );
    let taken = rows[1]["email"].as_str().unwrap().to_owned();
    rig.json(&["contact", "update", &id, &format!("email={taken}")])
        .await;
    let sync = rig.run(&["sync"]).await;
    assert_eq!(
        sync.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&sync.stdout)
    );
    let queued = rig.json(&["outbox", "list"]).await;
    assert_eq!(queued[0]["state"], "rejected");
    let seq = queued[0]["seq"].to_string();
    rig.json(&["outbox", "discard", &seq]).await;
    assert!(rig
        .json(&["outbox", "list"])
        .await
        .as_array()
        .unwrap()
        .is_empty());

    rig.json(&["contact", "update", &id, "city=Offline Town"])
        .await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let offline = tokio::task::spawn_blocking({
        let dir = rig.dir.path().display().to_string();
        let token = rig.token.clone();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_ghl-desk-cli"))
                .args([
                    "--data-dir",
                    &dir,
                    "--api-base",
                    &format!("http://{closed}"),
                    "sync",
                ])
                .env("GHL_DESK_TOKEN", token)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert_eq!(
        offline.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    assert_eq!(
        rig.json(&["outbox", "list"])
            .await
            .as_array()
            .unwrap()
            .len(),
        1,
        "the edit stays queued while offline"
    );
}

#[tokio::test]
async fn without_a_keychain_login_refuses_to_forget_and_the_file_vault_keeps_secrets_private() {
    let rig = Rig::new().await;
    let dir = rig.dir.path().display().to_string();
    let api = rig.sandbox.base_url().to_owned();
    let (token, location) = (rig.token.clone(), rig.location.clone());
    let refused = tokio::task::spawn_blocking({
        let (dir, api, location) = (dir.clone(), api.clone(), location.clone());
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_ghl-desk-cli"))
                .args([
                    "--data-dir",
                    &dir,
                    "--api-base",
                    &api,
                    "login",
                    "--pit-file",
                    "-",
                    "--location",
                    &location,
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
                .env_remove("GHL_DESK_VAULT_PASSPHRASE")
                .env_remove("GHL_DESK_TOKEN")
                .env_remove("GHL_DESK_DATA_DIR")
                .stdin(std::process::Stdio::piped())
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("GHL_DESK_VAULT_PASSPHRASE"), "{said}");
    assert!(!said.contains("signed in"), "{said}");

    let login = rig
        .run_with_input(&["login", "--pit", "--location", &location], &token)
        .await;
    assert!(
        login.status.success(),
        "{}",
        String::from_utf8_lossy(&login.stderr)
    );
    rig.json(&["sync"]).await;
    let secrets = std::fs::read(rig.dir.path().join("secrets.vault")).unwrap();
    assert!(
        !secrets.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token is sealed, not written out"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let root = rig.dir.path();
        assert_eq!(mode(root), 0o700, "the data folder is private");
        let mut checked = 0;
        for sub in ["", "locations", "logs"] {
            for entry in std::fs::read_dir(root.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                let want = if path.is_dir() { 0o700 } else { 0o600 };
                assert_eq!(mode(&path), want, "{}", path.display());
                checked += 1;
            }
        }
        assert!(
            checked >= 6,
            "accounts, secrets, the database and its WAL were checked"
        );
    }
}
