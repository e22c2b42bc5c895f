//! The OAuth endpoints a sign-in uses before any client exists: the consent URL on the
//! marketplace host and the authorization-code exchange on the API host.

use serde_json::Value;

use crate::{models::TokenResponse, ClientConfig, GhlError, GhlResult};

/// The consent page URL (`/oauth/chooselocation`) for a native app's loopback sign-in.
pub fn authorize_url(
    config: &ClientConfig,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[&str],
    state: &str,
) -> GhlResult<url::Url> {
    let mut url = config
        .marketplace_base
        .join("oauth/chooselocation")
        .map_err(|e| GhlError::Config(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &scopes.join(" "))
        .append_pair("state", state);
    Ok(url)
}

/// `POST /oauth/token` with `grant_type=authorization_code`.
pub async fn exchange_code(
    config: &ClientConfig,
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
) -> GhlResult<TokenResponse> {
    let url = config
        .api_base
        .join("oauth/token")
        .map_err(|e| GhlError::Config(e.to_string()))?;
    let form = [
        ("client_id", client_id),
        ("client_secret", client_secret),
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    let response = config
        .http_client()?
        .post(url)
        .form(&form)
        .send()
        .await
        .map_err(|e| GhlError::Offline(e.without_url().to_string()))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| GhlError::Offline(e.without_url().to_string()))?;
    if !status.is_success() {
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let why = body["error_description"]
            .as_str()
            .or(body["message"].as_str())
            .unwrap_or("the code was refused")
            .to_owned();
        return Err(if status.is_server_error() {
            GhlError::Server {
                status: status.as_u16(),
            }
        } else {
            GhlError::Rejected {
                status: status.as_u16(),
                messages: vec![why],
            }
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| GhlError::Decode(e.to_string()))
}
