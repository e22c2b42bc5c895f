//! The three ways to sign in: OAuth through the browser and a loopback redirect, a
//! Private Integration token checked with one API call, and the demo, which starts the
//! embedded sandbox and signs in to it through the same loopback code path.

use std::{sync::Arc, time::Duration};

use ghl::{oauth, ClientConfig, GhlClient, StaticToken, TokenPair};
use ghl_sandbox::{Consent, Sandbox, SandboxConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use rand::{distr::Alphanumeric, Rng};
use tokio_util::sync::CancellationToken;

use crate::{
    error::AuthError,
    loopback::{Loopback, DEFAULT_TIMEOUT},
    session::{store_pair, Account, SignInKind},
    vault::Vault,
};

/// Scopes GHL Desk asks for: full use needs all of them; without `contacts.write` it is
/// read-only, and without the location-wide ones it fetches per contact.
pub const DEFAULT_SCOPES: &[&str] = &[
    "contacts.readonly",
    "contacts.write",
    "locations/tasks.readonly",
    "calendars.readonly",
    "calendars/events.readonly",
];

/// The loopback port to register in the Marketplace app (`http://127.0.0.1:47318/callback`).
pub const DEFAULT_PORT: u16 = 47318;

/// The Marketplace app and how to run the browser step.
#[derive(Clone)]
pub struct OAuthSettings {
    /// Marketplace app client id.
    pub client_id: String,
    /// Marketplace app client secret (GHL offers no PKCE, so native apps need it).
    pub client_secret: String,
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
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl OAuthSettings {
    /// Settings for a Marketplace app with the default scopes, port and timeout.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            port: DEFAULT_PORT,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

fn random_state() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// Signs in with OAuth: listens on the loopback, hands the consent URL to `open` (the
/// system browser in the app), waits for the one matching callback, exchanges the code
/// and stores the token pair in `vault` before returning.
pub async fn sign_in_oauth(
    config: &ClientConfig,
    settings: &OAuthSettings,
    vault: &dyn Vault,
    open: impl FnOnce(url::Url) -> Result<(), String>,
    cancel: CancellationToken,
) -> Result<Account, AuthError> {
    let listener = Loopback::bind(settings.port).await?;
    let redirect_uri = listener.redirect_uri();
    let state = random_state();
    let scopes: Vec<&str> = settings.scopes.iter().map(String::as_str).collect();
    let url = oauth::authorize_url(config, &settings.client_id, &redirect_uri, &scopes, &state)?;
    open(url).map_err(AuthError::Browser)?;
    let code = listener
        .wait_for_code(&state, settings.timeout, cancel)
        .await?;
    let tokens = oauth::exchange_code(
        config,
        &settings.client_id,
        &settings.client_secret,
        &code,
        &redirect_uri,
    )
    .await?;
    let Some(location_id) = tokens.location_id.clone() else {
        return Err(AuthError::Denied(
            "this is an agency-wide install; choose a sub-account (location) on HighLevel's page"
                .into(),
        ));
    };
    let refresh_token = tokens
        .refresh_token
        .clone()
        .ok_or_else(|| ghl::GhlError::Decode("HighLevel sent no refresh token".into()))?;
    store_pair(
        vault,
        &location_id,
        &TokenPair {
            access_token: tokens.access_token.clone(),
            refresh_token,
        },
    )?;
    tracing::info!(location = %location_id, "signed in with OAuth");
    Ok(Account {
        location_id,
        company_id: tokens.company_id.clone(),
        kind: SignInKind::OAuth,
        scopes: tokens.scope.clone(),
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
    client.list_contacts(1, None, None, None).await?;
    vault.put(&format!("location:{}:pit", location_id.trim()), token)?;
    tracing::info!(location = %location_id.trim(), "signed in with a Private Integration token");
    Ok(Account {
        location_id: location_id.trim().to_owned(),
        company_id: None,
        kind: SignInKind::PrivateIntegration,
        scopes: None,
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
        ..OAuthSettings::new(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
    };
    let browser = config.http_client()?;
    let open = move |url: url::Url| {
        tokio::spawn(async move {
            if let Err(err) = browser.get(url).send().await {
                tracing::warn!(%err, "the demo's consent request failed");
            }
        });
        Ok(())
    };
    let mut account =
        sign_in_oauth(&config, &settings, vault, open, CancellationToken::new()).await?;
    account.kind = SignInKind::Demo;
    Ok(Demo {
        sandbox,
        config,
        account,
    })
}
