//! The open location: its account, the API client (made once, so its pacer spans every
//! sync), the database connections (one for reads, one for the user's edits, one for
//! the sync engine, each opened on first use) and one sync cycle at a time, under the
//! location's lease so that no other process sends its queued changes meanwhile.

use std::{
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, MutexGuard,
    },
    time::Duration,
};

use desk_auth::{credentials, Account, AccountsFile, Demo, SignInKind, Vault};
use desk_store::{DataLayout, FileLock, Store, StoreResult, SyncStore};
use desk_sync::{Phase, Progress, SyncOptions, SyncSummary};
use ghl::{ClientConfig, GhlClient, StaticToken};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::error::{DeskError, DeskResult};

/// Contacts of a demo cycle whose notes and tasks are fetched at once, keeping each
/// cycle short; the next cycle follows a second later until every contact has them.
const DEMO_CHILDREN_BUDGET: u32 = 100;

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// A location open in this process.
pub struct Location {
    location_id: String,
    account: Mutex<Account>,
    accounts: AccountsFile,
    demo: Option<Demo>,
    api: ClientConfig,
    vault: Arc<dyn Vault>,
    token: Option<String>,
    database: PathBuf,
    lease: PathBuf,
    refresh_lock: PathBuf,
    client: Mutex<Option<GhlClient>>,
    reader: Mutex<Option<Store>>,
    writer: Mutex<Option<Store>>,
    engine: tokio::sync::Mutex<Option<SyncStore>>,
    refresher: tokio::sync::Mutex<Option<SyncStore>>,
    cancel: Mutex<Option<CancellationToken>>,
    edited: Arc<watch::Sender<u64>>,
}

impl std::fmt::Debug for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Location")
            .field("location", &self.location_id)
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

/// How a location is reached, from the [`crate::Desk`] that opens it.
pub(crate) struct Reach {
    pub layout: DataLayout,
    pub api: ClientConfig,
    pub vault: Arc<dyn Vault>,
    pub token: Option<String>,
    pub edited: Arc<watch::Sender<u64>>,
    pub accounts: AccountsFile,
}

impl Location {
    /// `account`, reached as `reach` says (the demo's sandbox when `demo` is given).
    pub(crate) fn new(account: Account, demo: Option<Demo>, reach: &Reach) -> DeskResult<Self> {
        let id = account.location_id.as_str();
        Ok(Self {
            database: reach.layout.location_database(id)?,
            lease: reach.layout.lease_path(id)?,
            refresh_lock: reach.layout.refresh_lock_path(id)?,
            api: demo
                .as_ref()
                .map_or_else(|| reach.api.clone(), |d| d.config.clone()),
            demo,
            location_id: account.location_id.clone(),
            account: Mutex::new(account),
            accounts: reach.accounts.clone(),
            vault: reach.vault.clone(),
            token: reach.token.clone(),
            client: Mutex::new(None),
            reader: Mutex::new(None),
            writer: Mutex::new(None),
            engine: tokio::sync::Mutex::new(None),
            refresher: tokio::sync::Mutex::new(None),
            cancel: Mutex::new(None),
            edited: reach.edited.clone(),
        })
    }

    /// Who is signed in.
    pub fn account(&self) -> Account {
        lock(&self.account).clone()
    }

    /// Why edits are refused here, if they are: a sign-in without the permission to
    /// change contacts (`contacts.write`) could only queue what GHL refuses.
    pub fn read_only_reason(&self) -> Option<String> {
        let account = self.account();
        let scopes = account.scopes.as_deref()?;
        (!scopes.split_whitespace().any(|s| s == "contacts.write")).then(|| {
            "This sign-in may only read contacts (HighLevel did not grant contacts.write): sign in again with an app that has it to make changes".to_owned()
        })
    }

    /// Refuses an edit where the sign-in may only read.
    pub(crate) fn writable(&self) -> DeskResult<()> {
        match self.read_only_reason() {
            Some(reason) => Err(DeskError::new(crate::ErrorKind::ReadOnly, reason)),
            None => Ok(()),
        }
    }

    /// The location's id.
    pub fn location_id(&self) -> &str {
        &self.location_id
    }

    /// Whether this is the embedded demo.
    pub fn is_demo(&self) -> bool {
        self.demo.is_some()
    }

    /// The location's database file.
    pub fn database(&self) -> &std::path::Path {
        &self.database
    }

    /// The API client, made on first use (a Private Integration token given for this
    /// run, else the account's credentials from the vault).
    pub fn client(&self) -> DeskResult<GhlClient> {
        let mut client = lock(&self.client);
        if let Some(client) = client.as_ref() {
            return Ok(client.clone());
        }
        let account = self.account();
        let made = match &self.token {
            Some(token) if account.kind != SignInKind::Demo => GhlClient::new(
                self.api.clone(),
                Arc::new(StaticToken::new(token.clone())),
                self.location_id.clone(),
            )?,
            _ => credentials::client_for(
                &account,
                self.vault.clone(),
                self.api.clone(),
                (!self.is_demo()).then(|| self.refresh_lock.clone()),
            )?,
        };
        *client = Some(made.clone());
        Ok(made)
    }

    /// Runs `read` on the read connection.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Store) -> StoreResult<T>) -> DeskResult<T> {
        let mut reader = lock(&self.reader);
        if reader.is_none() {
            *reader = Some(Store::open(&self.database)?);
        }
        let store = reader.as_ref().ok_or_else(DeskError::not_signed_in)?;
        read(store).map_err(|e| e.about_file(&self.database).into())
    }

    /// Runs a user's edit on the edit connection and tells the background runner.
    pub(crate) fn edit<T>(&self, edit: impl FnOnce(&mut Store) -> StoreResult<T>) -> DeskResult<T> {
        let out = {
            let mut writer = lock(&self.writer);
            if writer.is_none() {
                *writer = Some(Store::open(&self.database)?);
            }
            let store = writer.as_mut().ok_or_else(DeskError::not_signed_in)?;
            edit(store).map_err(|e| DeskError::from(e.about_file(&self.database)))?
        };
        self.edited.send_modify(|n| *n += 1);
        Ok(out)
    }

    /// Stops a running cycle, closes every connection and runs `then` before any can
    /// open again (another location opens, or the files go away).
    pub(crate) async fn closed_for<T>(&self, then: impl FnOnce() -> T) -> T {
        self.cancel_sync();
        let mut engine = self.engine.lock().await;
        let mut refresher = self.refresher.lock().await;
        let mut reader = lock(&self.reader);
        let mut writer = lock(&self.writer);
        engine.take();
        refresher.take();
        reader.take();
        writer.take();
        then()
    }

    /// How much of a cycle a sync of this location fetches.
    pub fn sync_options(&self) -> SyncOptions {
        if self.is_demo() {
            SyncOptions {
                children_budget: DEMO_CHILDREN_BUDGET,
            }
        } else {
            SyncOptions::default()
        }
    }

    /// Runs one sync cycle, after a cycle of this process ends and once the location's
    /// lease is held (waiting up to `lease_wait` for another process's cycle).
    pub async fn sync(
        &self,
        options: SyncOptions,
        now: &(dyn Fn() -> i64 + Sync),
        progress: &(dyn Fn(Progress) + Sync),
        lease_wait: Duration,
    ) -> DeskResult<SyncSummary> {
        let mut engine = self.engine.lock().await;
        let path = self.lease.clone();
        let lease = tokio::task::spawn_blocking(move || FileLock::acquire(&path, lease_wait))
            .await
            .map_err(|e| DeskError::new(crate::ErrorKind::Internal, e.to_string()))??;
        if lease.after_crash() {
            tracing::info!(location = %self.location_id, "the last process syncing this location stopped before it finished; settling what it left in flight");
        }
        let client = self.client()?;
        if engine.is_none() {
            *engine = Some(SyncStore::open(&self.database)?);
        }
        let store = engine.as_mut().ok_or_else(DeskError::not_signed_in)?;
        let cancel = CancellationToken::new();
        *lock(&self.cancel) = Some(cancel.clone());
        // The location's details are kept once its contacts are pulled: from the next
        // phase on, the name is known, and the top bar need not show an id for the
        // minutes a first fill takes.
        let named = AtomicBool::new(false);
        let naming = |step: Progress| {
            let past_details = !matches!(step.phase, Phase::Settling | Phase::Contacts);
            if past_details && !named.swap(true, Ordering::Relaxed) {
                if let Ok(Some(name)) = self.read(|store| store.location_name()) {
                    self.learn_name(name);
                }
            }
            progress(step);
        };
        let result = desk_sync::sync_once(store, &client, options, now, &naming, &cancel).await;
        lock(&self.cancel).take();
        let learnt = result.is_ok().then(|| store.location_name()).transpose();
        drop(lease);
        let summary = result.map_err(|err| self.engine_error(err))?;
        if let Ok(Some(Some(name))) = learnt {
            self.learn_name(name);
        }
        Ok(summary)
    }

    /// Takes the location's name as GHL now says, for this process and the kept list.
    fn learn_name(&self, name: String) {
        let changed = {
            let mut account = lock(&self.account);
            let changed = account.name.as_deref() != Some(name.as_str());
            account.name = Some(name.clone());
            changed
        };
        if changed && !self.is_demo() {
            if let Err(err) = self.accounts.rename(&self.location_id, &name) {
                tracing::warn!("could not keep the location's new name: {err}");
            }
        }
    }

    /// Reads contact `id` and its notes, tasks and appointments from GHL now (the user
    /// opened it), without waiting for a running cycle. Clashes with pending changes are
    /// settled at once when no cycle runs, else by the next cycle's pull.
    pub async fn refresh_contact(&self, id: &str) -> DeskResult<()> {
        let client = self.client()?;
        let idle = self.engine.try_lock().ok();
        let lease = match idle {
            Some(_) => FileLock::acquire(&self.lease, Duration::ZERO).ok(),
            None => None,
        };
        let result = match (idle, lease) {
            (Some(mut engine), Some(_lease)) => {
                if engine.is_none() {
                    *engine = Some(SyncStore::open(&self.database)?);
                }
                let store = engine.as_mut().ok_or_else(DeskError::not_signed_in)?;
                desk_sync::refresh::contact(store, &client, id, true).await
            }
            _ => {
                let mut refresher = self.refresher.lock().await;
                if refresher.is_none() {
                    *refresher = Some(SyncStore::open(&self.database)?);
                }
                let store = refresher.as_mut().ok_or_else(DeskError::not_signed_in)?;
                desk_sync::refresh::contact(store, &client, id, false).await
            }
        };
        result.map_err(|err| self.engine_error(err))
    }

    /// An engine failure, a store one naming this location's database file.
    fn engine_error(&self, err: desk_sync::SyncError) -> DeskError {
        match err {
            desk_sync::SyncError::Store(store) => store.about_file(&self.database).into(),
            other => other.into(),
        }
    }

    /// Stops the running cycle, if any; what it did stays done, the rest stays queued.
    pub fn cancel_sync(&self) {
        if let Some(cancel) = lock(&self.cancel).as_ref() {
            cancel.cancel();
        }
    }
}
