//! The three ways to sign in: OAuth through the browser and a loopback redirect, a
//! Private Integration token checked with one API call, and the demo, which starts the
//! embedded sandbox and signs in to it through the same loopback code path.

use std::{sync::Arc, time::Duration};

use ghl::{
    models::InstalledLocation, ClientConfig, GhlClient, SearchRequest, StaticToken, TokenPair,
};
use ghl_sandbox::{Consent, Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use tokio_util::sync::CancellationToken;

use crate::{
    credentials::{company_client, store_company_pair, store_pair, store_pit, Account, SignInKind},
    error::AuthError,
    loopback::{Loopback, DEFAULT_TIMEOUT},
    oauth::{self, MarketplaceApp},
    vault::Vault,
};

/// Scopes GHL Desk asks for: full use needs all of them; without `contacts.write` it is
/// read-only, without the location-wide reads it fetches tasks and appointments per
/// contact, without `locations.readonly` and `locations/customFields.readonly` it shows
/// the location's id and custom fields' ids instead of their names, and the two
/// `oauth.*` scopes let an agency install list its locations and mint their tokens.
pub const DEFAULT_SCOPES: &[&str] = &[
    "contacts.readonly",
    "contacts.write",
    "locations.readonly",
    "locations/tasks.readonly",
    "locations/customFields.readonly",
    "calendars.readonly",
    "calendars/events.readonly",
    "oauth.readonly",
    "oauth.write",
];

/// The loopback port to register in the Marketplace app (`http://127.0.0.1:47318/callback`).
pub const DEFAULT_PORT: u16 = 47318;

/// The Marketplace app and how to run the browser step.
#[derive(Clone)]
pub struct OAuthSettings {
    /// The Marketplace app.
    pub app: MarketplaceApp,
    /// Scopes to request.
    pub scopes: Vec<String>,
    /// Loopback port (0: any free port, for tests and the demo).
    pub port: u16,
    /// How long to wait for the browser.
    pub timeout: Duration,
}

impl std::fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("app", &self.app)
            .field("scopes", &self.scopes)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl OAuthSettings {
    /// Settings for a Marketplace app with the default scopes, port and timeout.
    pub fn new(app: MarketplaceApp) -> Self {
        Self {
            app,
            scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            port: DEFAULT_PORT,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Signs in with OAuth: listens on the loopback, hands the consent URL to `open` (the
/// system browser in the app), waits for the one matching callback, exchanges the code
/// and stores the token pair in `vault` before returning. The user may pick one
/// location or a whole agency on HighLevel's page.
pub async fn sign_in_oauth(
    config: &ClientConfig,
    settings: &OAuthSettings,
    vault: &dyn Vault,
    open: impl FnOnce(url::Url) -> Result<(), String>,
    cancel: CancellationToken,
) -> Result<SignedIn, AuthError> {
    let listener = Loopback::bind(settings.port).await?;
    let redirect_uri = listener.redirect_uri();
    let (url, state) =
        oauth::authorize_url(config, &settings.app, &redirect_uri, &settings.scopes)?;
    open(url).map_err(AuthError::Browser)?;
    let code = listener
        .wait_for_code(state.secret(), settings.timeout, cancel)
        .await?;
    let tokens = oauth::exchange_code(config, &settings.app, &code, &redirect_uri).await?;
    let pair = tokens.pair.clone();
    match (
        tokens.fields.location_id.clone(),
        tokens.fields.company_id.clone(),
    ) {
        (Some(location_id), company_id) => {
            store_pair(vault, &location_id, &pair)?;
            tracing::info!(location = %location_id, "signed in with OAuth");
            Ok(SignedIn::Location(Account {
                location_id,
                company_id,
                kind: SignInKind::OAuth,
                scopes: tokens.scopes.clone(),
                name: None,
            }))
        }
        (None, Some(company_id)) => {
            store_company_pair(vault, &company_id, &pair)?;
            tracing::info!(company = %company_id, "signed in to an agency with OAuth");
            Ok(SignedIn::Agency(Agency {
                company_id,
                scopes: tokens.scopes.clone(),
            }))
        }
        (None, None) => Err(AuthError::Denied(
            "HighLevel's answer named neither a location nor an agency".into(),
        )),
    }
}

/// What an OAuth sign-in opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedIn {
    /// One location (sub-account): ready to sync.
    Location(Account),
    /// A whole agency: the user picks which of its locations to keep offline.
    Agency(Agency),
}

/// An agency (company) signed in with OAuth; its tokens are in the vault.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Agency {
    /// The company.
    pub company_id: String,
    /// Granted scopes, space-separated, when known.
    pub scopes: Option<String>,
}

/// GHL's Marketplace app id: the part of the client id before its first `-`.
fn app_id(client_id: &str) -> &str {
    client_id.split('-').next().unwrap_or(client_id)
}

/// The agency's locations where the Marketplace app is installed.
pub async fn agency_locations(
    config: &ClientConfig,
    app: &MarketplaceApp,
    vault: Arc<dyn Vault>,
    company_id: &str,
) -> Result<Vec<InstalledLocation>, AuthError> {
    let client = company_client(config.clone(), app.clone(), vault, company_id)?;
    Ok(client
        .installed_locations(company_id, app_id(&app.client_id))
        .await?)
}

/// Mints a token for one of the agency's locations and keeps it as an account of its
/// own (its own tokens and cache).
pub async fn add_agency_location(
    config: &ClientConfig,
    app: &MarketplaceApp,
    vault: Arc<dyn Vault>,
    company_id: &str,
    location_id: &str,
) -> Result<Account, AuthError> {
    let client = company_client(config.clone(), app.clone(), vault.clone(), company_id)?;
    let token = client.location_token(company_id, location_id).await?;
    let refresh_token = token.refresh_token.clone().ok_or_else(|| {
        AuthError::Denied(
            "HighLevel gave this location no refresh token; sign in to the location directly"
                .into(),
        )
    })?;
    store_pair(
        vault.as_ref(),
        location_id,
        &TokenPair {
            access_token: token.access_token.clone(),
            refresh_token,
        },
    )?;
    tracing::info!(location = %location_id, company = %company_id, "added an agency location");
    Ok(Account {
        location_id: location_id.to_owned(),
        company_id: Some(company_id.to_owned()),
        kind: SignInKind::OAuth,
        scopes: token.scope.clone(),
        name: None,
    })
}

/// Signs in with a Private Integration token: one API call proves the token works for
/// the location before it is saved.
pub async fn sign_in_private_integration(
    config: &ClientConfig,
    vault: &dyn Vault,
    token: &str,
    location_id: &str,
) -> Result<Account, AuthError> {
    let token = token.trim();
    if token.is_empty() || location_id.trim().is_empty() {
        return Err(AuthError::Denied(
            "paste both the token and the location id".into(),
        ));
    }
    let client = GhlClient::new(
        config.clone(),
        Arc::new(StaticToken::new(token)),
        location_id.trim(),
    )?;
    client
        .search_contacts(&SearchRequest {
            page_limit: 1,
            ..SearchRequest::default()
        })
        .await?;
    store_pit(vault, location_id.trim(), token)?;
    tracing::info!(location = %location_id.trim(), "signed in with a Private Integration token");
    Ok(Account {
        location_id: location_id.trim().to_owned(),
        company_id: None,
        kind: SignInKind::PrivateIntegration,
        scopes: None,
        name: None,
    })
}

/// The running demo: the embedded sandbox and the account signed in to it.
#[derive(Debug)]
pub struct Demo {
    /// The sandbox, served on 127.0.0.1 until dropped.
    pub sandbox: Sandbox,
    /// Where to reach it.
    pub config: ClientConfig,
    /// The signed-in demo location.
    pub account: Account,
}

/// Starts the embedded sandbox with `contacts` seeded contacts and signs in to it
/// through the loopback flow, its consent step auto-approved and its "browser" an
/// in-process HTTP client that follows the redirect.
pub async fn start_demo(vault: &dyn Vault, contacts: usize) -> Result<Demo, AuthError> {
    let sandbox = Sandbox::start_local(SandboxConfig {
        contacts,
        consent: Consent {
            auto_approve: true,
            ..Consent::default()
        },
        ..SandboxConfig::default()
    })
    .await
    .map_err(|e| AuthError::Demo(e.to_string()))?;
    let config = ClientConfig::with_bases(sandbox.base_url(), sandbox.base_url())?;
    let settings = OAuthSettings {
        port: 0,
        timeout: Duration::from_secs(30),
        ..OAuthSettings::new(MarketplaceApp {
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
        })
    };
    // The demo's "browser" follows the consent page's redirect to the loopback, as a
    // real browser would.
    let browser = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| AuthError::Demo(e.to_string()))?;
    let open = move |url: url::Url| {
        tokio::spawn(async move {
            if let Err(err) = browser.get(url).send().await {
                tracing::warn!(%err, "the demo's consent request failed");
            }
        });
        Ok(())
    };
    let SignedIn::Location(mut account) =
        sign_in_oauth(&config, &settings, vault, open, CancellationToken::new()).await?
    else {
        return Err(AuthError::Demo("the demo signed in to an agency".into()));
    };
    account.kind = SignInKind::Demo;
    Ok(Demo {
        sandbox,
        config,
        account,
    })
}
