//! Accounts: the three ways to sign in (the demo, a Private Integration token, OAuth in
//! the browser, for one location or a whole agency), the locations kept on this
//! computer (open one, sign out of one), and deleting a location's local data, only
//! after the user saw how many unsent changes go with it.

use desk_auth::{credentials, start_demo, Account, OAuthSettings, SignedIn, DEFAULT_PORT};
use desk_store::{model::ContactQuery, Store};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::{
    error::{DeskError, DeskResult, ErrorKind},
    location::{lock, Location},
    Desk,
};

/// Contacts seeded into the demo location.
const DEMO_CONTACTS: usize = 2000;

/// Who is signed in, what else is kept, and how secrets are kept.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AccountsStatus {
    /// The open location, if any.
    pub account: Option<Account>,
    /// Every location kept on this computer (the open one included).
    pub accounts: Vec<Account>,
    /// `false` when no system keychain works: sign-ins last for this run only.
    pub keychain_persistent: bool,
    /// This build carries its own Marketplace app: signing in with HighLevel needs no
    /// client id or secret.
    pub built_in_app: bool,
    /// Something the user should know about the kept locations (the list was damaged
    /// and set aside at start).
    pub notice: Option<String>,
}

/// One of an agency's locations where the Marketplace app is installed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AgencyLocation {
    /// Location id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its address.
    pub address: Option<String>,
    /// Already kept on this computer.
    pub kept: bool,
}

/// What a HighLevel sign-in opened.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum OAuthOutcome {
    /// One location, now open.
    Location {
        /// The location.
        account: Account,
    },
    /// A whole agency: the user chooses which locations to keep offline.
    Agency {
        /// The agency (company).
        #[serde(rename = "companyId")]
        company_id: String,
        /// Its locations with the app installed.
        locations: Vec<AgencyLocation>,
    },
}

/// A location the user chose from an agency.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChosenLocation {
    /// Location id.
    pub id: String,
    /// Its name, as listed.
    pub name: Option<String>,
}

/// What deleting a location's local data would throw away.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CacheSummary {
    /// Changes not yet in HighLevel (pending, refused, conflicting, uncertain): lost
    /// for good.
    pub unsent_changes: u32,
    /// Contacts cached (they come back with the next sync).
    pub contacts: u32,
    /// Whether there is any local data at all.
    pub exists: bool,
}

/// The Marketplace app a HighLevel sign-in uses.
#[derive(Debug, Clone, Default)]
pub struct SignInApp {
    /// Client id the user entered (empty: the build's own app).
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// The loopback port registered in the app (`None`: the default).
    pub port: Option<u16>,
}

impl Desk {
    /// The open location, the kept ones and the keychain's state.
    pub fn accounts_status(&self) -> AccountsStatus {
        AccountsStatus {
            account: self.open_location().map(|l| l.account()),
            accounts: self.accounts.load().accounts,
            keychain_persistent: self.vault.persistent(),
            built_in_app: credentials::embedded_app().is_some(),
            notice: self.notice.clone(),
        }
    }

    /// Opens `account` (its database and, unless it is the demo, remembered for the
    /// next launch).
    async fn activate(
        &self,
        account: Account,
        demo: Option<desk_auth::Demo>,
    ) -> DeskResult<Account> {
        let location = Location::new(account.clone(), demo, &self.reach())?;
        self.accounts.add_and_open(&account)?;
        self.set_open(Some(location)).await;
        Ok(account)
    }

    /// Starts the embedded demo sandbox and signs in to it.
    pub async fn sign_in_demo(&self) -> DeskResult<Account> {
        let demo = start_demo(self.vault.as_ref(), DEMO_CONTACTS).await?;
        let account = demo.account.clone();
        self.activate(account, Some(demo)).await
    }

    /// Signs in with a Private Integration token, checked with one call before it is
    /// saved.
    pub async fn sign_in_private_integration(
        &self,
        token: &str,
        location_id: &str,
    ) -> DeskResult<Account> {
        let account = desk_auth::sign_in_private_integration(
            &self.api,
            self.vault.as_ref(),
            token,
            location_id,
        )
        .await?;
        self.activate(account, None).await
    }

    /// Signs in with HighLevel: `open` shows the consent page (the system browser in
    /// the app, a printed address on the command line). One location opens at once; an
    /// agency answers with its locations for the user to choose from.
    pub async fn sign_in_oauth(
        &self,
        app: SignInApp,
        open: impl FnOnce(url::Url) -> Result<(), String>,
    ) -> DeskResult<OAuthOutcome> {
        let (marketplace, entered) = credentials::sign_in_app(&app.client_id, &app.client_secret)
            .ok_or_else(|| {
            DeskError::new(
                ErrorKind::Invalid,
                "enter your Marketplace app's client id and client secret",
            )
        })?;
        let cancel = CancellationToken::new();
        *lock(&self.sign_in) = Some(cancel.clone());
        let settings = OAuthSettings {
            port: app.port.unwrap_or(DEFAULT_PORT),
            ..OAuthSettings::new(marketplace.clone())
        };
        let result =
            desk_auth::sign_in_oauth(&self.api, &settings, self.vault.as_ref(), open, cancel).await;
        lock(&self.sign_in).take();
        let signed_in = result?;
        if entered {
            credentials::store_app(
                self.vault.as_ref(),
                &marketplace.client_id,
                &marketplace.client_secret,
            )?;
        }
        match signed_in {
            SignedIn::Location(account) => Ok(OAuthOutcome::Location {
                account: self.activate(account, None).await?,
            }),
            SignedIn::Agency(agency) => {
                let kept = self.accounts.load().accounts;
                let locations = desk_auth::agency_locations(
                    &self.api,
                    &marketplace,
                    self.vault.clone(),
                    &agency.company_id,
                )
                .await?
                .into_iter()
                .map(|l| AgencyLocation {
                    kept: kept.iter().any(|a| a.location_id == l.id),
                    id: l.id,
                    name: l.name,
                    address: l.address,
                })
                .collect();
                Ok(OAuthOutcome::Agency {
                    company_id: agency.company_id,
                    locations,
                })
            }
        }
    }

    /// Stops a sign-in that is waiting for the browser.
    pub fn cancel_sign_in(&self) {
        if let Some(cancel) = lock(&self.sign_in).take() {
            cancel.cancel();
        }
    }

    /// Keeps the chosen locations of an agency offline, each as its own account with
    /// its own tokens and cache, and opens the first.
    pub async fn keep_agency_locations(
        &self,
        company_id: &str,
        chosen: &[ChosenLocation],
    ) -> DeskResult<Account> {
        let marketplace = credentials::marketplace_app(self.vault.as_ref())?
            .ok_or_else(|| DeskError::new(ErrorKind::SignIn, "sign in with HighLevel again"))?;
        let mut first = None;
        for location in chosen {
            let mut account = desk_auth::add_agency_location(
                &self.api,
                &marketplace,
                self.vault.clone(),
                company_id,
                &location.id,
            )
            .await?;
            account.name = location.name.clone();
            self.accounts.add(&account)?;
            first.get_or_insert(account);
        }
        let first = first.ok_or_else(|| {
            DeskError::new(ErrorKind::Invalid, "choose at least one location to keep")
        })?;
        self.activate(first, None).await
    }

    /// Opens another kept location (its own cache).
    pub async fn open_account(&self, location_id: &str) -> DeskResult<Account> {
        let account = self.accounts.open(location_id)?.ok_or_else(|| {
            DeskError::new(
                ErrorKind::NotFound,
                "that location is not kept on this computer",
            )
        })?;
        self.activate(account, None).await
    }

    /// Stops using a location: it is closed, forgotten, and its secrets leave the
    /// keychain. Its local data stays until the user deletes it.
    pub async fn sign_out(&self, location_id: &str) -> DeskResult<()> {
        if self
            .open_location()
            .is_some_and(|l| l.location_id() == location_id)
        {
            self.set_open(None).await;
        }
        credentials::forget(self.vault.as_ref(), location_id)?;
        self.accounts.remove(location_id)?;
        Ok(())
    }

    /// How much a location's local data holds, for the confirmation before deleting it.
    pub fn cache_summary(&self, location_id: &str) -> DeskResult<CacheSummary> {
        let path = self.layout.location_database(location_id)?;
        if !path.exists() {
            return Ok(CacheSummary {
                unsent_changes: 0,
                contacts: 0,
                exists: false,
            });
        }
        let store = Store::open(&path)?;
        let counts = store.outbox_counts()?;
        let contacts = store
            .list_contacts(&ContactQuery {
                limit: 1,
                ..ContactQuery::default()
            })?
            .total;
        Ok(CacheSummary {
            unsent_changes: counts.pending + counts.rejected + counts.conflicts,
            contacts,
            exists: true,
        })
    }

    /// Keeps a damaged local database aside (renamed beside it, with its journal files)
    /// and starts the location over with a fresh copy fetched from HighLevel. Returns
    /// where the damaged file went.
    pub async fn set_aside_local_data(&self, location_id: &str) -> DeskResult<String> {
        let set_aside = || -> DeskResult<String> {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let aside = self
                .layout
                .set_aside_location_database(location_id, &format!("damaged-{stamp}"))?;
            tracing::warn!(location = %location_id, kept = %aside.display(), "set a damaged local database aside");
            Ok(aside.display().to_string())
        };
        match self
            .open_location()
            .filter(|l| l.location_id() == location_id)
        {
            Some(location) => {
                let aside = location.closed_for(set_aside).await?;
                self.opened.send_modify(|n| *n += 1);
                Ok(aside)
            }
            None => set_aside(),
        }
    }

    /// Deletes a location's local data. `confirmed` is the count of unsent changes the
    /// user agreed to lose: if more were queued since, nothing is deleted and the user
    /// is asked again. A running sync is stopped first. The location stays signed in;
    /// an open one starts over with a fresh sync.
    pub async fn delete_local_data(&self, location_id: &str, confirmed: u32) -> DeskResult<()> {
        let delete = || {
            let now = self.cache_summary(location_id)?;
            if now.unsent_changes > confirmed {
                return Err(DeskError::new(
                    ErrorKind::Invalid,
                    format!(
                        "{} changes are now waiting to be sent, more than you confirmed; nothing was deleted",
                        now.unsent_changes
                    ),
                ));
            }
            self.layout.delete_location_database(location_id)?;
            tracing::info!(location = %location_id, lost = now.unsent_changes, "deleted a location's local data");
            Ok(())
        };
        match self
            .open_location()
            .filter(|l| l.location_id() == location_id)
        {
            Some(location) => {
                location.closed_for(delete).await?;
                self.opened.send_modify(|n| *n += 1);
                Ok(())
            }
            None => delete(),
        }
    }
}
