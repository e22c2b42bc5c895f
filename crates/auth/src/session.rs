//! A signed-in location: how it was signed in, and its secrets in the vault. Rotated
//! OAuth pairs are written to the vault before they are used.

use std::sync::Arc;

use ghl::{ClientConfig, GhlClient, OAuthApp, OAuthTokens, PersistPair, StaticToken, TokenPair};
use serde::{Deserialize, Serialize};

use crate::{error::AuthError, vault::Vault};

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
}

/// Vault key of an account's tokens.
pub fn tokens_key(location_id: &str) -> String {
    format!("location:{location_id}:tokens")
}

/// Saves an OAuth pair for a location.
pub fn store_pair(vault: &dyn Vault, location_id: &str, pair: &TokenPair) -> Result<(), AuthError> {
    let json = serde_json::json!({ "access": pair.access_token, "refresh": pair.refresh_token })
        .to_string();
    vault.put(&tokens_key(location_id), &json)
}

/// Reads a location's OAuth pair.
pub fn load_pair(vault: &dyn Vault, location_id: &str) -> Result<Option<TokenPair>, AuthError> {
    let Some(json) = vault.get(&tokens_key(location_id))? else {
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

/// Removes everything the vault holds for a location (sign out).
pub fn forget(vault: &dyn Vault, location_id: &str) -> Result<(), AuthError> {
    vault.delete(&tokens_key(location_id))?;
    vault.delete(&format!("location:{location_id}:pit"))
}

/// A client for an OAuth-signed-in location whose rotated pairs go to `vault` first.
pub fn oauth_client(
    config: ClientConfig,
    app: OAuthApp,
    vault: Arc<dyn Vault>,
    location_id: &str,
) -> Result<GhlClient, AuthError> {
    let pair = load_pair(vault.as_ref(), location_id)?.ok_or_else(|| {
        ghl::GhlError::Unauthorized("no stored sign-in for this location; sign in again".into())
    })?;
    let location = location_id.to_owned();
    let persist: PersistPair = Arc::new(move |pair: &TokenPair| {
        store_pair(vault.as_ref(), &location, pair).map_err(|e| e.to_string())
    });
    let tokens = OAuthTokens::new(config.http_client()?, &config.api_base, app, pair, persist)?;
    Ok(GhlClient::new(config, Arc::new(tokens), location_id)?)
}

/// A client for a location signed in with a Private Integration token kept in `vault`.
pub fn pit_client(
    config: ClientConfig,
    vault: &dyn Vault,
    location_id: &str,
) -> Result<GhlClient, AuthError> {
    let token = vault
        .get(&format!("location:{location_id}:pit"))?
        .ok_or_else(|| {
            ghl::GhlError::Unauthorized("no stored token for this location; paste it again".into())
        })?;
    Ok(GhlClient::new(
        config,
        Arc::new(StaticToken::new(token)),
        location_id,
    )?)
}

/// Remembers which location is signed in (no secrets), in `path` (the data directory's
/// `account.json`), so the next launch opens it again. Demo sign-ins are not remembered:
/// the demo sandbox lives only as long as the app.
pub fn remember(path: &std::path::Path, account: Option<&Account>) -> Result<(), AuthError> {
    let write = |text: String| {
        std::fs::write(path, text)
            .map_err(|e| AuthError::Vault(format!("cannot write {}: {e}", path.display())))
    };
    match account.filter(|a| a.kind != SignInKind::Demo) {
        Some(account) => write(
            serde_json::to_string_pretty(account).map_err(|e| AuthError::Vault(e.to_string()))?,
        ),
        None => match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(AuthError::Vault(format!(
                "cannot remove {}: {e}",
                path.display()
            ))),
        },
    }
}

/// The location remembered by [`remember`], if any (an unreadable file counts as none).
pub fn remembered(path: &std::path::Path) -> Option<Account> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// The API client of a signed-in account, with its credentials from `vault`: the
/// Private Integration token, or the OAuth pair with the Marketplace app (the demo's for
/// the demo). `config` says where GHL is (the sandbox for the demo).
pub fn client_for(
    account: &Account,
    vault: Arc<dyn Vault>,
    config: ClientConfig,
) -> Result<GhlClient, AuthError> {
    match account.kind {
        SignInKind::PrivateIntegration => pit_client(config, vault.as_ref(), &account.location_id),
        SignInKind::Demo => {
            let app = OAuthApp {
                client_id: ghl_sandbox::DEMO_CLIENT_ID.into(),
                client_secret: ghl_sandbox::DEMO_CLIENT_SECRET.into(),
                user_type: "Location".into(),
            };
            oauth_client(config, app, vault, &account.location_id)
        }
        SignInKind::OAuth => {
            let missing = || {
                AuthError::Ghl(ghl::GhlError::Unauthorized(
                    "the Marketplace app's credentials are missing; sign in again".into(),
                ))
            };
            let client_id = vault.get("app:client-id")?.ok_or_else(missing)?;
            let client_secret = vault.get("app:client-secret")?.ok_or_else(missing)?;
            oauth_client(
                config,
                OAuthApp {
                    client_id,
                    client_secret,
                    user_type: "Location".into(),
                },
                vault,
                &account.location_id,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_real_accounts_but_not_the_demo() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("account.json");
        let account = Account {
            location_id: "loc".into(),
            company_id: None,
            kind: SignInKind::PrivateIntegration,
            scopes: None,
        };
        remember(&path, Some(&account)).unwrap();
        assert_eq!(remembered(&path), Some(account));
        remember(
            &path,
            Some(&Account {
                kind: SignInKind::Demo,
                ..remembered(&path).unwrap()
            }),
        )
        .unwrap();
        assert_eq!(remembered(&path), None);
        remember(&path, None).unwrap();
    }
}
