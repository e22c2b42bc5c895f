//! The state every command shares.

use std::sync::{Arc, Mutex};

use desk_auth::{Account, Demo, Vault};
use desk_store::DataLayout;
use tokio_util::sync::CancellationToken;

/// The signed-in location, and the demo sandbox when it is the demo.
#[derive(Debug)]
pub struct ActiveSession {
    /// Who is signed in.
    pub account: Account,
    /// The running demo sandbox (kept alive as long as the session).
    pub demo: Option<Demo>,
}

/// What the shell knows for the lifetime of the process.
pub struct AppState {
    /// Where this installation keeps its files.
    pub layout: DataLayout,
    /// Where secrets go: the OS keychain, or memory when there is none.
    pub vault: Arc<dyn Vault>,
    /// The signed-in location, if any.
    pub session: tokio::sync::Mutex<Option<ActiveSession>>,
    /// Cancels the sign-in waiting for the browser, if one is.
    pub sign_in: Mutex<Option<CancellationToken>>,
}

impl AppState {
    /// State for an app whose files live in `layout`, keeping secrets in `vault`, with
    /// the location remembered from the last run (if any) signed in.
    pub fn new(layout: DataLayout, vault: Arc<dyn Vault>) -> Self {
        let account = desk_auth::session::remembered(&layout.root().join("account.json"));
        Self {
            layout,
            vault,
            session: tokio::sync::Mutex::new(account.map(|account| ActiveSession {
                account,
                demo: None,
            })),
            sign_in: Mutex::new(None),
        }
    }

    /// Where the signed-in location is remembered between runs.
    pub fn account_file(&self) -> std::path::PathBuf {
        self.layout.root().join("account.json")
    }
}
