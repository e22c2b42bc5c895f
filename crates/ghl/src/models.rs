//! The few GHL objects the client itself reads as Rust types: token answers, an agency's
//! installed locations and error bodies. Records (contacts, notes, tasks, appointments)
//! stay JSON, read through [`crate::fields`], so nothing GHL sends is lost.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Fields a model does not name, kept as GHL sent them.
pub type Extra = Map<String, Value>;

/// The answer of `/oauth/locationToken` (an agency token minting a location's).
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// The access token.
    #[serde(rename = "access_token")]
    pub access_token: String,
    /// The new refresh token (rotates on every refresh).
    #[serde(
        rename = "refresh_token",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires.
    #[serde(rename = "expires_in", default)]
    pub expires_in: u64,
    /// Granted scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `Location` or `Company`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_type: Option<String>,
    /// The location, for location tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// The company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for TokenResponse {
    /// Never prints the tokens themselves.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("user_type", &self.user_type)
            .field("location_id", &self.location_id)
            .finish_non_exhaustive()
    }
}

/// A location installed for an agency app.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledLocation {
    /// Location id.
    #[serde(rename = "_id", alias = "id")]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// GHL's error body; `message` is a string or an array of strings.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ErrorBody {
    /// The messages, however GHL shaped them.
    #[serde(default, deserialize_with = "messages")]
    pub message: Vec<String>,
    /// `error` (a reason phrase, or an OAuth error code).
    #[serde(default)]
    pub error: Option<String>,
    /// OAuth's `error_description`.
    #[serde(default)]
    pub error_description: Option<String>,
}

fn messages<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => vec![s],
        Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn error_messages_as_string_or_array() {
        let one: ErrorBody =
            serde_json::from_value(json!({ "statusCode": 400, "message": "Bad" })).unwrap();
        assert_eq!(one.message, vec!["Bad"]);
        let many: ErrorBody = serde_json::from_value(
            json!({ "message": ["a", "b"], "error": "Unprocessable Entity" }),
        )
        .unwrap();
        assert_eq!(many.message, vec!["a", "b"]);
        let oauth: ErrorBody = serde_json::from_value(
            json!({ "error": "invalid_grant", "error_description": "used" }),
        )
        .unwrap();
        assert_eq!(oauth.error.as_deref(), Some("invalid_grant"));
    }

    #[test]
    fn token_debug_hides_secrets() {
        let t = TokenResponse {
            access_token: "secret-a".into(),
            refresh_token: Some("secret-r".into()),
            ..Default::default()
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
