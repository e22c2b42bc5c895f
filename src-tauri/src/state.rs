//! The state every command shares.

use std::sync::{Arc, Mutex};

use desk_auth::{Account, AccountsFile, Demo, Vault};
use desk_store::{DataLayout, Store};
use ghl::GhlClient;
use tokio_util::sync::CancellationToken;

use crate::background::SyncControl;

/// The signed-in location, and the demo sandbox when it is the demo.
#[derive(Debug)]
pub struct ActiveSession {
    /// Who is signed in.
    pub account: Account,
    /// The running demo sandbox (kept alive as long as the session).
    pub demo: Option<Demo>,
    /// The API client, made on first use and kept so its pacer spans every sync.
    pub client: Option<GhlClient>,
}

impl ActiveSession {
    /// A session for `account`, with `demo` when it is the demo.
    pub fn new(account: Account, demo: Option<Demo>) -> Self {
        Self {
            account,
            demo,
            client: None,
        }
    }
}

/// What the shell knows for the lifetime of the process.
pub struct AppState {
    /// Where this installation keeps its files.
    pub layout: DataLayout,
    /// Where secrets go: the OS keychain, or memory when there is none.
    pub vault: Arc<dyn Vault>,
    /// The locations kept on this computer and the open one.
    pub accounts: AccountsFile,
    /// The signed-in location, if any.
    pub session: tokio::sync::Mutex<Option<ActiveSession>>,
    /// Cancels the sign-in waiting for the browser, if one is.
    pub sign_in: Mutex<Option<CancellationToken>>,
    /// The read connection to the signed-in location's database (reads never wait for
    /// a sync, which writes through its own connection).
    pub reader: Mutex<Option<(String, Store)>>,
    /// Held for the length of a sync: one cycle at a time.
    pub syncing: tokio::sync::Mutex<()>,
    /// Automatic syncing: schedule, status and cancellation.
    pub control: SyncControl,
}

impl AppState {
    /// State for an app whose files live in `layout`, keeping secrets in `vault`, with
    /// the location open at the end of the last run (if any) open again.
    pub fn new(layout: DataLayout, vault: Arc<dyn Vault>) -> Self {
        let accounts = AccountsFile::in_dir(layout.root());
        let account = accounts.active();
        Self {
            layout,
            vault,
            accounts,
            session: tokio::sync::Mutex::new(
                account.map(|account| ActiveSession::new(account, None)),
            ),
            sign_in: Mutex::new(None),
            reader: Mutex::new(None),
            syncing: tokio::sync::Mutex::new(()),
            control: SyncControl::default(),
        }
    }

    /// Drops the read connection (another location opens, or its files go away).
    pub fn close_reader(&self) {
        self.reader.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}
