//! A signed-in location's credentials: how it was signed in, its secrets in the vault
//! (a Private Integration token, or an OAuth pair with the Marketplace app that
//! refreshes it), and the API client made from them.

use std::{path::PathBuf, sync::Arc};

use ghl::{ClientConfig, GhlClient, StaticToken, TokenPair};
use serde::{Deserialize, Serialize};

use crate::{
    error::AuthError,
    oauth::MarketplaceApp,
    tokens::{TokenOwner, VaultTokens},
    vault::Vault,
};

/// How a location was signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum SignInKind {
    /// OAuth through the Marketplace app and the browser.
    OAuth,
    /// A Private Integration token pasted by the user.
    PrivateIntegration,
    /// The embedded demo sandbox.
    Demo,
}

/// A signed-in location (no secrets: those are in the vault).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The location.
    pub location_id: String,
    /// Its company, when known.
    pub company_id: Option<String>,
    /// How it was signed in.
    pub kind: SignInKind,
    /// Granted scopes, space-separated, when known.
    pub scopes: Option<String>,
    /// The location's name, when HighLevel told us (agency installs list it).
    #[serde(default)]
    pub name: Option<String>,
}

/// Vault key of an account's tokens.
pub fn tokens_key(location_id: &str) -> String {
    format!("location:{location_id}:tokens")
}

/// Vault key of an agency's (company's) tokens.
pub fn company_tokens_key(company_id: &str) -> String {
    format!("company:{company_id}:tokens")
}

/// Vault key of a location's Private Integration token.
fn pit_key(location_id: &str) -> String {
    format!("location:{location_id}:pit")
}

/// Writes an OAuth pair to the vault under `key`.
pub(crate) fn put_pair(vault: &dyn Vault, key: &str, pair: &TokenPair) -> Result<(), AuthError> {
    let json = serde_json::json!({ "access": pair.access_token, "refresh": pair.refresh_token })
        .to_string();
    vault.put(key, &json)
}

/// Reads the OAuth pair under `key`.
pub(crate) fn get_pair(vault: &dyn Vault, key: &str) -> Result<Option<TokenPair>, AuthError> {
    let Some(json) = vault.get(key)? else {
        return Ok(None);
    };
    let value: serde_json::Value = serde_json::from_str(&json)
        .map_err(|e| AuthError::Vault(format!("damaged token entry: {e}")))?;
    match (value["access"].as_str(), value["refresh"].as_str()) {
        (Some(access), Some(refresh)) => Ok(Some(TokenPair {
            access_token: access.into(),
            refresh_token: refresh.into(),
        })),
        _ => Err(AuthError::Vault("damaged token entry".into())),
    }
}

/// Saves an OAuth pair for a location.
pub fn store_pair(vault: &dyn Vault, location_id: &str, pair: &TokenPair) -> Result<(), AuthError> {
    put_pair(vault, &tokens_key(location_id), pair)
}

/// Reads a location's OAuth pair.
pub fn load_pair(vault: &dyn Vault, location_id: &str) -> Result<Option<TokenPair>, AuthError> {
    get_pair(vault, &tokens_key(location_id))
}

/// Saves an agency's OAuth pair.
pub fn store_company_pair(
    vault: &dyn Vault,
    company_id: &str,
    pair: &TokenPair,
) -> Result<(), AuthError> {
    put_pair(vault, &company_tokens_key(company_id), pair)
}

/// A client acting for an agency (company) signed in with OAuth.
pub fn company_client(
    config: ClientConfig,
    app: MarketplaceApp,
    vault: Arc<dyn Vault>,
    company_id: &str,
) -> Result<GhlClient, AuthError> {
    let tokens = VaultTokens::load(
        config.clone(),
        app,
        TokenOwner::Company,
        vault,
        company_tokens_key(company_id),
        None,
    )?;
    Ok(GhlClient::new(config, Arc::new(tokens), company_id)?)
}

/// The Marketplace app built into this copy of GHL Desk, when its build set
/// `GHL_DESK_CLIENT_ID` and `GHL_DESK_CLIENT_SECRET`: users then sign in without
/// creating an app of their own.
pub fn embedded_app() -> Option<MarketplaceApp> {
    match (
        option_env!("GHL_DESK_CLIENT_ID"),
        option_env!("GHL_DESK_CLIENT_SECRET"),
    ) {
        (Some(id), Some(secret)) if !id.trim().is_empty() && !secret.trim().is_empty() => {
            Some(MarketplaceApp {
                client_id: id.trim().into(),
                client_secret: secret.trim().into(),
            })
        }
        _ => None,
    }
}

/// The Marketplace app for a sign-in: the one the user entered (both fields filled;
/// `true` says it was entered and should be kept), else the built-in one, else `None`.
pub fn sign_in_app(client_id: &str, client_secret: &str) -> Option<(MarketplaceApp, bool)> {
    let (id, secret) = (client_id.trim(), client_secret.trim());
    if !id.is_empty() && !secret.is_empty() {
        return Some((
            MarketplaceApp {
                client_id: id.into(),
                client_secret: secret.into(),
            },
            true,
        ));
    }
    embedded_app().map(|app| (app, false))
}

/// Vault keys of the Marketplace app the user entered.
const APP_CLIENT_ID: &str = "app:client-id";
const APP_CLIENT_SECRET: &str = "app:client-secret";

/// Keeps the Marketplace app the user entered, for refreshing tokens later.
pub fn store_app(vault: &dyn Vault, client_id: &str, client_secret: &str) -> Result<(), AuthError> {
    vault.put(APP_CLIENT_ID, client_id)?;
    vault.put(APP_CLIENT_SECRET, client_secret)
}

/// The Marketplace app to use: the one the user entered, else the built-in one.
pub fn marketplace_app(vault: &dyn Vault) -> Result<Option<MarketplaceApp>, AuthError> {
    match (vault.get(APP_CLIENT_ID)?, vault.get(APP_CLIENT_SECRET)?) {
        (Some(client_id), Some(client_secret)) => Ok(Some(MarketplaceApp {
            client_id,
            client_secret,
        })),
        _ => Ok(embedded_app()),
    }
}

/// Removes everything the vault holds for a location (sign out).
pub fn forget(vault: &dyn Vault, location_id: &str) -> Result<(), AuthError> {
    vault.delete(&tokens_key(location_id))?;
    vault.delete(&pit_key(location_id))
}

/// Saves a location's Private Integration token.
pub fn store_pit(vault: &dyn Vault, location_id: &str, token: &str) -> Result<(), AuthError> {
    vault.put(&pit_key(location_id), token)
}

/// The API client of a signed-in account, with its credentials from `vault`: the
/// Private Integration token, or the OAuth pair with the Marketplace app (the demo's for
/// the demo). `config` says where GHL is (the sandbox for the demo); `refresh_lock` is
/// the file that serialises refreshes of the pair across processes.
pub fn client_for(
    account: &Account,
    vault: Arc<dyn Vault>,
    config: ClientConfig,
    refresh_lock: Option<PathBuf>,
) -> Result<GhlClient, AuthError> {
    let location = account.location_id.as_str();
    let app = match account.kind {
        SignInKind::PrivateIntegration => {
            let token = vault.get(&pit_key(location))?.ok_or_else(|| {
                ghl::GhlError::Unauthorized(
                    "no stored token for this location; paste it again".into(),
                )
            })?;
            return Ok(GhlClient::new(
                config,
                Arc::new(StaticToken::new(token)),
                location,
            )?);
        }
        SignInKind::Demo => MarketplaceApp {
            client_id: ghl_sandbox::DEMO_CLIENT_ID.into(),
            client_secret: ghl_sandbox::DEMO_CLIENT_SECRET.into(),
        },
        SignInKind::OAuth => marketplace_app(vault.as_ref())?.ok_or_else(|| {
            AuthError::Ghl(ghl::GhlError::Unauthorized(
                "the Marketplace app's credentials are missing; sign in again".into(),
            ))
        })?,
    };
    let tokens = VaultTokens::load(
        config.clone(),
        app,
        TokenOwner::Location,
        vault,
        tokens_key(location),
        refresh_lock,
    )?;
    Ok(GhlClient::new(config, Arc::new(tokens), location)?)
}

/// Every secret the vault holds for `accounts` (tokens, Private Integration tokens,
/// their agencies' tokens), the Marketplace app's client secret and the build's own: text
/// that leaves the computer, such as a support bundle, is scrubbed of each of them.
pub fn secrets_of(vault: &dyn Vault, accounts: &[Account]) -> Vec<String> {
    let mut found = Vec::new();
    let mut pair_at = |key: &str| {
        if let Ok(Some(pair)) = get_pair(vault, key) {
            found.push(pair.access_token);
            found.push(pair.refresh_token);
        }
    };
    for account in accounts {
        pair_at(&tokens_key(&account.location_id));
        if let Some(company) = &account.company_id {
            pair_at(&company_tokens_key(company));
        }
    }
    for account in accounts {
        if let Ok(Some(pit)) = vault.get(&pit_key(&account.location_id)) {
            found.push(pit);
        }
    }
    if let Ok(Some(app)) = marketplace_app(vault) {
        found.push(app.client_secret);
    }
    if let Some(app) = embedded_app() {
        found.push(app.client_secret);
    }
    found.retain(|secret| !secret.trim().is_empty());
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entered_app_wins_and_half_an_app_falls_back_to_the_built_in_one() {
        let (app, entered) = sign_in_app(" id-1 ", " secret ").unwrap();
        assert!(entered);
        assert_eq!(
            (app.client_id.as_str(), app.client_secret.as_str()),
            ("id-1", "secret")
        );
        let fallback = sign_in_app("id-1", "  ");
        assert_eq!(
            fallback.map(|(app, entered)| (app.client_id, entered)),
            embedded_app().map(|app| (app.client_id, false))
        );
    }

    #[test]
    fn every_secret_kept_for_the_accounts_is_named() {
        let vault = crate::MemoryVault::default();
        let account = |id: &str, company: Option<&str>| Account {
            location_id: id.into(),
            company_id: company.map(Into::into),
            kind: SignInKind::OAuth,
            scopes: None,
            name: None,
        };
        let pair = |a: &str, r: &str| TokenPair {
            access_token: a.into(),
            refresh_token: r.into(),
        };
        store_pair(&vault, "loc1", &pair("access-1", "refresh-1")).unwrap();
        store_company_pair(&vault, "co1", &pair("access-co", "refresh-co")).unwrap();
        store_pit(&vault, "loc2", "pit-2").unwrap();
        store_app(&vault, "client-id", "client-secret").unwrap();
        let found = secrets_of(
            &vault,
            &[account("loc1", Some("co1")), account("loc2", None)],
        );
        for secret in [
            "access-1",
            "refresh-1",
            "access-co",
            "refresh-co",
            "pit-2",
            "client-secret",
        ] {
            assert!(
                found.iter().any(|s| s == secret),
                "{secret} missing: {found:?}"
            );
        }
    }
}
