//! An OAuth pair kept in the vault, as the API client's token source. Refresh tokens
//! work once and rotate, and the app and a cron CLI may refresh the same location, so a
//! refresh: is single-flight within the process; takes a lock shared with other
//! processes; first re-reads the vault (another process may have refreshed already);
//! writes the new pair to the vault before using it; and when GHL says the refresh
//! token was already used, reloads the vault and retries once before asking the user
//! to sign in again.

use std::{path::PathBuf, sync::Arc, time::Duration};

use desk_store::FileLock;
use ghl::{tokens::BoxFuture, ClientConfig, GhlError, GhlResult, TokenPair, TokenSource};
use tokio::sync::Mutex;

use crate::{
    credentials::{get_pair, put_pair},
    oauth::{self, refresh_token_spent, MarketplaceApp},
    vault::Vault,
};

/// How long a refresh waits for another process's refresh of the same pair.
const REFRESH_LOCK_WAIT: Duration = Duration::from_secs(30);

/// A location's or agency's OAuth pair in the vault.
pub struct VaultTokens {
    config: ClientConfig,
    http: reqwest::Client,
    app: MarketplaceApp,
    user_type: &'static str,
    vault: Arc<dyn Vault>,
    key: String,
    lock: Option<PathBuf>,
    current: Mutex<TokenPair>,
}

impl std::fmt::Debug for VaultTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultTokens")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// Who a pair acts for, as GHL's `user_type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOwner {
    /// A location (sub-account).
    Location,
    /// An agency (company).
    Company,
}

impl TokenOwner {
    fn user_type(self) -> &'static str {
        match self {
            Self::Location => "Location",
            Self::Company => "Company",
        }
    }
}

impl VaultTokens {
    /// The pair stored under `key` in `vault`, refreshed at `config`'s token endpoint
    /// with `app`. `lock` is the file that serialises refreshes of this pair across
    /// processes (`None`: this process is the only one, as for the demo).
    pub fn load(
        config: ClientConfig,
        app: MarketplaceApp,
        owner: TokenOwner,
        vault: Arc<dyn Vault>,
        key: String,
        lock: Option<PathBuf>,
    ) -> Result<Self, GhlError> {
        let pair = get_pair(vault.as_ref(), &key)
            .map_err(|e| GhlError::Unauthorized(e.to_string()))?
            .ok_or_else(|| {
                GhlError::Unauthorized("no stored sign-in for this account; sign in again".into())
            })?;
        Ok(Self {
            http: config.http_client()?,
            config,
            app,
            user_type: owner.user_type(),
            vault,
            key,
            lock,
            current: Mutex::new(pair),
        })
    }

    /// The pair the vault holds now, if it is another than `than`.
    fn newer_in_vault(&self, than: &TokenPair) -> Option<TokenPair> {
        get_pair(self.vault.as_ref(), &self.key)
            .ok()
            .flatten()
            .filter(|stored| stored != than)
    }

    async fn cross_process_lock(&self) -> GhlResult<Option<FileLock>> {
        let Some(path) = self.lock.clone() else {
            return Ok(None);
        };
        tokio::task::spawn_blocking(move || FileLock::acquire(&path, REFRESH_LOCK_WAIT))
            .await
            .map_err(|e| GhlError::Config(e.to_string()))?
            .map(Some)
            .map_err(|e| {
                GhlError::Unauthorized(format!(
                    "another GHL Desk process is refreshing this sign-in ({e}); try again"
                ))
            })
    }

    /// Refreshes `pair` (the lock is held), writing the new pair to the vault before it
    /// is used. A refresh token GHL says was already used sends it back to the vault
    /// once: a pair stored there since is the one to retry with.
    async fn rotate(&self, pair: &mut TokenPair) -> GhlResult<()> {
        let refreshed = oauth::refresh(
            &self.config,
            &self.http,
            &self.app,
            &pair.refresh_token,
            self.user_type,
        )
        .await;
        match refreshed {
            Ok(issued) => {
                if let Err(err) = put_pair(self.vault.as_ref(), &self.key, &issued.pair) {
                    tracing::error!(%err, "could not store the rotated sign-in; it lives in memory only");
                }
                *pair = issued.pair;
                Ok(())
            }
            Err(err) if refresh_token_spent(&err) => match self.newer_in_vault(pair) {
                Some(stored) => {
                    tracing::info!("the refresh token was spent elsewhere; using the pair in the vault");
                    *pair = stored;
                    Ok(())
                }
                None => Err(GhlError::Unauthorized(
                    "the sign-in was refreshed elsewhere and its new tokens are lost; sign in again"
                        .into(),
                )),
            },
            Err(err @ (GhlError::Offline(_) | GhlError::Timeout | GhlError::Server { .. })) => {
                Err(err)
            }
            Err(err) => Err(GhlError::Unauthorized(format!(
                "refreshing the sign-in failed ({err}); sign in again"
            ))),
        }
    }
}

impl TokenSource for VaultTokens {
    fn access_token(&self) -> BoxFuture<'_, GhlResult<String>> {
        Box::pin(async move { Ok(self.current.lock().await.access_token.clone()) })
    }

    fn refresh(&self, rejected: String) -> BoxFuture<'_, GhlResult<String>> {
        Box::pin(async move {
            let mut pair = self.current.lock().await;
            if pair.access_token != rejected {
                return Ok(pair.access_token.clone());
            }
            let _others = self.cross_process_lock().await?;
            if let Some(stored) = self
                .newer_in_vault(&pair)
                .filter(|s| s.access_token != rejected)
            {
                *pair = stored;
                return Ok(pair.access_token.clone());
            }
            self.rotate(&mut pair).await?;
            Ok(pair.access_token.clone())
        })
    }
}
