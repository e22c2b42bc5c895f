//! Where access tokens come from: a fixed Private Integration token, or an OAuth pair
//! refreshed on demand. Refreshes are single-flight: concurrent callers that saw the same
//! token rejected wait for one refresh, and a rotated refresh token is handed to the
//! persistence callback before the new access token is used.

use std::{future::Future, pin::Pin, sync::Arc};

use serde_json::Value;
use tokio::sync::Mutex;

use crate::{error::GhlError, models::TokenResponse, GhlResult};

/// A boxed future, so that token sources can be used as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Supplies the bearer token for requests.
pub trait TokenSource: Send + Sync {
    /// The token to send now.
    fn access_token(&self) -> BoxFuture<'_, GhlResult<String>>;
    /// Called after GHL rejected `rejected` as invalid or expired: returns a token to
    /// retry with, refreshing only if no other caller already did.
    fn refresh(&self, rejected: String) -> BoxFuture<'_, GhlResult<String>>;
}

/// A Private Integration token: fixed, never refreshed.
pub struct StaticToken(String);

impl StaticToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }
}

impl std::fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticToken(…)")
    }
}

impl TokenSource for StaticToken {
    fn access_token(&self) -> BoxFuture<'_, GhlResult<String>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }

    fn refresh(&self, _rejected: String) -> BoxFuture<'_, GhlResult<String>> {
        Box::pin(async move {
            Err(GhlError::Unauthorized(
                "the Private Integration token was rejected; paste a new one".into(),
            ))
        })
    }
}

/// An OAuth access and refresh token.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// Sent as the bearer token.
    pub access_token: String,
    /// Single-use: spent by the next refresh.
    pub refresh_token: String,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenPair(…)")
    }
}

/// Stores a freshly rotated pair (in the OS keychain, in the app). It runs before the
/// new access token is used; an error is logged and the pair is kept in memory, since
/// the old refresh token is already spent.
pub type PersistPair = Arc<dyn Fn(&TokenPair) -> Result<(), String> + Send + Sync>;

/// The OAuth app credentials a refresh needs.
#[derive(Clone)]
pub struct OAuthApp {
    /// Marketplace app client id.
    pub client_id: String,
    /// Marketplace app client secret.
    pub client_secret: String,
    /// `Location` or `Company`, sent as `user_type`.
    pub user_type: String,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// A refreshing OAuth token source.
pub struct OAuthTokens {
    http: reqwest::Client,
    token_url: url::Url,
    app: OAuthApp,
    current: Mutex<TokenPair>,
    persist: PersistPair,
}

impl std::fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

impl OAuthTokens {
    /// A source starting from `pair`, refreshing at `api_base`'s `/oauth/token`.
    pub fn new(
        http: reqwest::Client,
        api_base: &url::Url,
        app: OAuthApp,
        pair: TokenPair,
        persist: PersistPair,
    ) -> GhlResult<Self> {
        let token_url = api_base
            .join("oauth/token")
            .map_err(|e| GhlError::Config(e.to_string()))?;
        Ok(Self {
            http,
            token_url,
            app,
            current: Mutex::new(pair),
            persist,
        })
    }

    async fn refresh_locked(&self, pair: &mut TokenPair) -> GhlResult<()> {
        let form = [
            ("client_id", self.app.client_id.as_str()),
            ("client_secret", self.app.client_secret.as_str()),
            ("grant_type", "refresh_token"),
            ("refresh_token", pair.refresh_token.as_str()),
            ("user_type", self.app.user_type.as_str()),
        ];
        let response = self
            .http
            .post(self.token_url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    GhlError::Timeout
                } else {
                    GhlError::Offline(e.without_url().to_string())
                }
            })?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| GhlError::Offline(e.without_url().to_string()))?;
        if status.is_server_error() {
            return Err(GhlError::Server {
                status: status.as_u16(),
            });
        }
        if !status.is_success() {
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let why = body["error_description"]
                .as_str()
                .or(body["error"].as_str())
                .unwrap_or("refresh refused");
            return Err(GhlError::Unauthorized(format!(
                "refreshing the sign-in failed ({why}); sign in again"
            )));
        }
        let issued: TokenResponse =
            serde_json::from_slice(&bytes).map_err(|e| GhlError::Decode(e.to_string()))?;
        let new_pair = TokenPair {
            access_token: issued.access_token,
            refresh_token: issued.refresh_token.ok_or_else(|| {
                GhlError::Decode("the refresh answer carried no refresh_token".into())
            })?,
        };
        if let Err(err) = (self.persist)(&new_pair) {
            tracing::error!(%err, "could not store the rotated token pair; it lives in memory only");
        }
        *pair = new_pair;
        Ok(())
    }
}

impl TokenSource for OAuthTokens {
    fn access_token(&self) -> BoxFuture<'_, GhlResult<String>> {
        Box::pin(async move { Ok(self.current.lock().await.access_token.clone()) })
    }

    fn refresh(&self, rejected: String) -> BoxFuture<'_, GhlResult<String>> {
        Box::pin(async move {
            let mut pair = self.current.lock().await;
            if pair.access_token != rejected {
                return Ok(pair.access_token.clone());
            }
            self.refresh_locked(&mut pair).await?;
            Ok(pair.access_token.clone())
        })
    }
}
