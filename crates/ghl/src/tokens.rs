//! Where access tokens come from. The client asks a [`TokenSource`] for the bearer
//! token of each request and, after GHL refused one, for a fresh one: a fixed Private
//! Integration token here, or an OAuth pair refreshed through the sign-in crate.

use std::{future::Future, pin::Pin};

use crate::{error::GhlError, GhlResult};

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
