//! GHL Desk's application layer: what both the desktop window and the command line do,
//! in one place. A [`Desk`] knows where the files live, where secrets go, which
//! locations are kept on this computer and which one is open; through it the shells
//! sign in and out, read the cache, make every kind of edit, review queued changes and
//! sync, and the [`runner`] syncs in the background. The shells only parse, call and
//! print.

mod accounts;
pub mod crash;
mod diagnostics;
mod edits;
pub mod error;
mod location;
mod reads;
mod review;
pub mod runner;

use std::sync::{Arc, Mutex, RwLock};

use desk_auth::AccountsFile;
use ghl::ClientConfig;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use accounts::{
    AccountsStatus, AgencyLocation, CacheSummary, ChosenLocation, OAuthOutcome, SignInApp,
};
pub use crash::CrashReport;
pub use desk_auth::{Account, SignInKind, DEFAULT_PORT as DEFAULT_SIGN_IN_PORT};
pub use desk_store::{
    model::{
        ActivityEntry, ActivityQuery, AppointmentRow, Business, ContactDetail, ContactPage,
        ContactQuery, ContactRow, ContactSort, CustomFieldDef, Entity, FetchStatus, FieldChoice,
        FieldDiff, MergePolicy, NoteRow, OpKind, OpState, OutboxCounts, PendingChange, TaskRow,
    },
    AppInfo, FieldError,
};
pub use desk_sync::{schedule::Reachability, Phase, Progress, SyncSummary};
pub use diagnostics::redact;
pub use edits::{Applied, Edit, Targets};
pub use error::{DeskError, DeskResult, ErrorKind};
pub use location::Location;
pub use reads::{ContactView, LocationStatus};
pub use review::Resolution;

pub use desk_auth::{best_vault, MemoryVault, Vault, PASSPHRASE_ENV};
pub use desk_store::{layout::private_by_default, DataLayout};

/// Where GHL Desk keeps things and how it reaches GHL, for one process.
#[derive(Clone)]
pub struct DeskConfig {
    /// The data folder.
    pub layout: DataLayout,
    /// Where secrets go.
    pub vault: Arc<dyn Vault>,
    /// Where GHL is (GHL's real hosts unless a test or `--api-base` says otherwise).
    pub api: ClientConfig,
    /// A Private Integration token to use for this run instead of the vault's.
    pub token: Option<String>,
}

impl DeskConfig {
    /// The configuration for this user: the data folder `data_dir` (default: the OS's,
    /// or `GHL_DESK_DATA_DIR`), GHL at `api_base` and `marketplace_base` (GHL's own
    /// hosts unless told otherwise), secrets in the best vault this machine offers.
    pub fn for_user(
        data_dir: Option<std::path::PathBuf>,
        api_base: &str,
        marketplace_base: &str,
    ) -> DeskResult<Self> {
        let layout = match data_dir {
            Some(dir) => DataLayout::at(dir),
            None => DataLayout::for_user()?,
        };
        let vault = Arc::from(best_vault(layout.root())?);
        Ok(Self {
            layout,
            vault,
            api: ClientConfig::with_bases(api_base, marketplace_base)?,
            token: None,
        })
    }
}

/// GHL's production API host.
pub const DEFAULT_API_BASE: &str = ghl::DEFAULT_API_BASE;
/// GHL's production marketplace host (OAuth consent).
pub const DEFAULT_MARKETPLACE_BASE: &str = ghl::DEFAULT_MARKETPLACE_BASE;

/// The application: its files, secrets, kept locations and the open one.
pub struct Desk {
    layout: DataLayout,
    vault: Arc<dyn Vault>,
    api: ClientConfig,
    token: Option<String>,
    accounts: AccountsFile,
    notice: Option<String>,
    open: RwLock<Option<Arc<Location>>>,
    sign_in: Mutex<Option<CancellationToken>>,
    opened: watch::Sender<u64>,
    edited: Arc<watch::Sender<u64>>,
}

impl Desk {
    /// The application over `config`'s data folder, with the location that was open at
    /// the end of the last run open again (nothing is sent anywhere yet).
    pub fn new(config: DeskConfig) -> DeskResult<Self> {
        config.layout.ensure_dirs()?;
        let accounts = AccountsFile::in_dir(config.layout.root());
        let notice = accounts.check();
        let desk = Self {
            layout: config.layout,
            vault: config.vault,
            api: config.api,
            token: config.token,
            accounts,
            notice,
            open: RwLock::new(None),
            sign_in: Mutex::new(None),
            opened: watch::Sender::new(0),
            edited: Arc::new(watch::Sender::new(0)),
        };
        if let Some(account) = desk.accounts.active() {
            let location = Location::new(account, None, &desk.reach())?;
            *desk.open.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(location));
        }
        Ok(desk)
    }

    fn reach(&self) -> location::Reach {
        location::Reach {
            layout: self.layout.clone(),
            api: self.api.clone(),
            vault: self.vault.clone(),
            token: self.token.clone(),
            edited: self.edited.clone(),
            accounts: self.accounts.clone(),
        }
    }

    /// The data folder.
    pub fn layout(&self) -> &DataLayout {
        &self.layout
    }

    /// The open location.
    pub fn location(&self) -> DeskResult<Arc<Location>> {
        self.open
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(DeskError::not_signed_in)
    }

    /// The open location, if any.
    pub fn open_location(&self) -> Option<Arc<Location>> {
        self.open.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Makes `location` the open one (`None`: none), telling whoever watches.
    async fn set_open(&self, location: Option<Location>) {
        let previous = {
            let mut open = self.open.write().unwrap_or_else(|p| p.into_inner());
            std::mem::replace(&mut *open, location.map(Arc::new))
        };
        if let Some(previous) = previous {
            previous.closed_for(|| ()).await;
        }
        self.opened.send_modify(|n| *n += 1);
    }

    /// Changes whenever another location opens or the open one closes.
    pub fn watch_opened(&self) -> watch::Receiver<u64> {
        self.opened.subscribe()
    }

    /// Changes whenever the user queued or changed an edit in this process.
    pub fn watch_edits(&self) -> watch::Receiver<u64> {
        self.edited.subscribe()
    }

    /// The version and on-disk locations of this installation.
    pub fn app_info(&self, version: &str) -> DeskResult<AppInfo> {
        let location = self.open_location();
        Ok(AppInfo::describe(
            version,
            &self.layout,
            location.as_ref().map(|l| l.location_id()),
        )?)
    }
}
