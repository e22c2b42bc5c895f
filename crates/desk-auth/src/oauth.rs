//! GHL's OAuth 2.0 endpoints through the `oauth2` crate: the consent URL with a CSRF
//! `state`, the authorization-code exchange and the refresh grant. GHL's token answers
//! carry fields of their own (`locationId`, `companyId`, `userType`, `userId`, …), read
//! as the crate's extra token fields. GHL wants the client credentials in the form body
//! and, on refresh, the token's `user_type`.

use oauth2::{
    basic::{
        BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
        BasicTokenType,
    },
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use ghl::{ClientConfig, GhlError, TokenPair};

/// A Marketplace app: what GHL knows a native app by (GHL offers no PKCE, so a native
/// app needs its client secret too).
#[derive(Clone, PartialEq, Eq)]
pub struct MarketplaceApp {
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: String,
}

impl std::fmt::Debug for MarketplaceApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MarketplaceApp")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// The fields GHL adds to a token answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GhlTokenFields {
    /// The location, for a location (sub-account) token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// The agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    /// `Location` or `Company`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// The user who approved the install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// For agency-wide installs: the locations approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_locations: Option<Vec<String>>,
}

impl ExtraTokenFields for GhlTokenFields {}

/// A token answer of GHL's.
pub type GhlTokenResponse = StandardTokenResponse<GhlTokenFields, BasicTokenType>;

type Client = oauth2::Client<
    BasicErrorResponse,
    GhlTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What a token answer issued.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    /// The new pair (the refresh token rotates with every refresh).
    pub pair: TokenPair,
    /// Granted scopes, space-separated.
    pub scopes: Option<String>,
    /// GHL's extra fields.
    pub fields: GhlTokenFields,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("scopes", &self.scopes)
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

fn client(config: &ClientConfig, app: &MarketplaceApp) -> Result<Client, GhlError> {
    let url = |base: &url::Url, path: &str| {
        base.join(path)
            .map(|u| u.to_string())
            .map_err(|e| GhlError::Config(e.to_string()))
    };
    Ok(oauth2::Client::new(ClientId::new(app.client_id.clone()))
        .set_client_secret(ClientSecret::new(app.client_secret.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(
            AuthUrl::new(url(&config.marketplace_base, "oauth/chooselocation")?)
                .map_err(|e| GhlError::Config(e.to_string()))?,
        )
        .set_token_uri(
            TokenUrl::new(url(&config.api_base, "oauth/token")?)
                .map_err(|e| GhlError::Config(e.to_string()))?,
        ))
}

/// The consent page URL for a loopback sign-in, and the CSRF `state` it carries.
pub fn authorize_url(
    config: &ClientConfig,
    app: &MarketplaceApp,
    redirect_uri: &str,
    scopes: &[String],
) -> Result<(url::Url, CsrfToken), GhlError> {
    let redirect =
        RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| GhlError::Config(e.to_string()))?;
    let (url, state) = client(config, app)?
        .set_redirect_uri(redirect)
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes.iter().cloned().map(Scope::new))
        .url();
    Ok((url, state))
}

type TokenError = RequestTokenError<
    oauth2::HttpClientError<reqwest::Error>,
    oauth2::StandardErrorResponse<oauth2::basic::BasicErrorResponseType>,
>;

/// GHL's error, in the client's kinds: a refused grant is `Rejected` (its OAuth error
/// code first, so callers can tell a spent refresh token), a failed connection
/// `Offline`, a 5xx `Server`.
fn ghl_error(err: TokenError) -> GhlError {
    match err {
        RequestTokenError::ServerResponse(answer) => GhlError::Rejected {
            status: 400,
            messages: std::iter::once(answer.error().to_string())
                .chain(answer.error_description().cloned())
                .collect(),
        },
        RequestTokenError::Request(oauth2::HttpClientError::Reqwest(e)) if e.is_timeout() => {
            GhlError::Timeout
        }
        RequestTokenError::Request(e) => GhlError::Offline(e.to_string()),
        RequestTokenError::Parse(e, body) => {
            let status = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("statusCode").and_then(serde_json::Value::as_u64));
            match status {
                Some(status) if status >= 500 => GhlError::Server {
                    status: status as u16,
                },
                _ => GhlError::Decode(format!("HighLevel's token answer: {e}")),
            }
        }
        RequestTokenError::Other(why) => GhlError::Decode(why),
    }
}

fn issued(answer: GhlTokenResponse) -> Result<Issued, GhlError> {
    let refresh = answer.refresh_token().ok_or_else(|| {
        GhlError::Decode("HighLevel's token answer carried no refresh_token".into())
    })?;
    Ok(Issued {
        pair: TokenPair {
            access_token: answer.access_token().secret().clone(),
            refresh_token: refresh.secret().clone(),
        },
        scopes: answer.scopes().map(|scopes| {
            scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
        fields: answer.extra_fields().clone(),
    })
}

/// `POST /oauth/token` with `grant_type=authorization_code`.
pub async fn exchange_code(
    config: &ClientConfig,
    app: &MarketplaceApp,
    code: &str,
    redirect_uri: &str,
) -> Result<Issued, GhlError> {
    let http = config.http_client()?;
    let redirect =
        RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| GhlError::Config(e.to_string()))?;
    let answer = client(config, app)?
        .set_redirect_uri(redirect)
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .request_async(&http)
        .await
        .map_err(ghl_error)?;
    issued(answer)
}

/// `POST /oauth/token` with `grant_type=refresh_token`, for a token of `user_type`
/// (`Location` or `Company`). The answer's refresh token replaces the spent one.
pub async fn refresh(
    config: &ClientConfig,
    http: &reqwest::Client,
    app: &MarketplaceApp,
    refresh_token: &str,
    user_type: &str,
) -> Result<Issued, GhlError> {
    let token = RefreshToken::new(refresh_token.to_owned());
    let answer = client(config, app)?
        .exchange_refresh_token(&token)
        .add_extra_param("user_type", user_type)
        .request_async(http)
        .await
        .map_err(ghl_error)?;
    issued(answer)
}

/// Whether GHL refused a refresh because its refresh token was already used (by
/// another process, or a refresh whose answer was lost).
pub fn refresh_token_spent(err: &GhlError) -> bool {
    matches!(err, GhlError::Rejected { messages, .. } if messages.first().is_some_and(|code| code == "invalid_grant"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_url_carries_a_fresh_state_and_the_scopes() {
        let config = ClientConfig::default();
        let app = MarketplaceApp {
            client_id: "app-1".into(),
            client_secret: "secret".into(),
        };
        let scopes = vec!["contacts.readonly".to_owned(), "contacts.write".to_owned()];
        let (url, state) =
            authorize_url(&config, &app, "http://127.0.0.1:47318/callback", &scopes).unwrap();
        let (other, second) =
            authorize_url(&config, &app, "http://127.0.0.1:47318/callback", &scopes).unwrap();
        assert_ne!(state.secret(), second.secret(), "a new state every time");
        assert_ne!(url, other);
        assert!(url
            .as_str()
            .starts_with("https://marketplace.gohighlevel.com/oauth/chooselocation?"));
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], "app-1");
        assert_eq!(query["scope"], "contacts.readonly contacts.write");
        assert_eq!(query["redirect_uri"], "http://127.0.0.1:47318/callback");
        assert_eq!(&query["state"], state.secret());
        assert!(!url.as_str().contains("secret"));
    }

    #[test]
    fn ghls_token_answer_reads_its_own_fields() {
        let answer: GhlTokenResponse = serde_json::from_value(serde_json::json!({
            "access_token": "secret-access", "token_type": "Bearer", "expires_in": 86399, "refresh_token": "secret-refresh",
            "scope": "contacts.readonly contacts.write", "userType": "Location", "locationId": "loc1",
            "companyId": "co1", "userId": "u1", "planId": "p"
        }))
        .unwrap();
        let issued = issued(answer).unwrap();
        assert_eq!(issued.pair.refresh_token, "secret-refresh");
        assert_eq!(
            issued.scopes.as_deref(),
            Some("contacts.readonly contacts.write")
        );
        assert_eq!(issued.fields.location_id.as_deref(), Some("loc1"));
        assert_eq!(issued.fields.user_type.as_deref(), Some("Location"));
        assert!(
            !format!("{issued:?}").contains("secret-"),
            "no token in debug output"
        );
    }
}
