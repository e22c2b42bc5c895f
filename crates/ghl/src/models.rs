//! GHL's JSON objects as Rust types. Every model keeps the fields it does not know in
//! `extra`, so that a record read from GHL and written back loses nothing; `null`s are
//! read as absent.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Fields a model does not name, kept as GHL sent them.
pub type Extra = Map<String, Value>;

/// Reads a field that GHL sends as a value or `null`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// One custom-field value of a contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldValue {
    /// The custom field's id.
    pub id: String,
    /// Its value: a string, number, list or object depending on the field type.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub value: Value,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A contact as GHL returns it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// GHL's id.
    pub id: String,
    /// The location it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone (E.164 as GHL stores it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Company name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    /// Business (company record) id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    /// Custom field values.
    #[serde(default, deserialize_with = "nullable")]
    pub custom_fields: Vec<CustomFieldValue>,
    /// When it was added (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    /// When it last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_updated: Option<String>,
    /// The `searchAfter` cursor of this contact in a search result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_after: Option<Vec<Value>>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A note on a contact.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// GHL's id.
    pub id: String,
    /// The contact it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// When it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_added: Option<String>,
    /// Unknown fields (`title`, `color`, `pinned`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A task on a contact.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// GHL's id (`_id` in the location-wide search).
    #[serde(alias = "_id")]
    pub id: String,
    /// The contact it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Due date (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// Done or not.
    #[serde(default, deserialize_with = "nullable")]
    pub completed: bool,
    /// Assignee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An appointment (calendar event).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    /// GHL's id.
    pub id: String,
    /// Calendar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar_id: Option<String>,
    /// Contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Start (ISO 8601; GHL has also been seen to send `YYYY-MM-DD HH:mm:ss`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// End.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// Status (`confirmed`, `showed`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appointment_status: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A calendar.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Calendar {
    /// GHL's id.
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Calendar group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `/oauth/token` and `/oauth/locationToken` answers.
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

/// `meta` of the deprecated `GET /contacts/`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMeta {
    /// Contacts matching.
    #[serde(default)]
    pub total: Option<u64>,
    /// Cursor: the last contact's id.
    #[serde(default)]
    pub start_after_id: Option<String>,
    /// Cursor: the last contact's `dateAdded` in epoch milliseconds.
    #[serde(default)]
    pub start_after: Option<i64>,
    /// Next page number, absent on the last page.
    #[serde(default)]
    pub next_page: Option<u64>,
    /// Unknown fields.
    #[serde(flatten)]
    pub extra: Extra,
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
    fn unknown_fields_round_trip_unchanged() {
        let raw = json!({
            "id": "c1", "locationId": "l1", "firstName": "Ada", "tags": ["a"],
            "customFields": [{ "id": "f", "value": ["x", "y"], "fieldKey": "contact.k" }],
            "dndSettings": { "SMS": { "status": "active" } }, "someFutureField": 7
        });
        let contact: Contact = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(contact.first_name.as_deref(), Some("Ada"));
        assert_eq!(contact.extra["someFutureField"], 7);
        assert_eq!(serde_json::to_value(&contact).unwrap(), raw);
    }

    #[test]
    fn nulls_are_tolerated() {
        let contact: Contact = serde_json::from_value(
            json!({ "id": "c", "email": null, "tags": null, "customFields": null }),
        )
        .unwrap();
        assert_eq!(contact.email, None);
        assert!(contact.tags.is_empty());
        let task: Task = serde_json::from_value(json!({ "_id": "t", "completed": null })).unwrap();
        assert_eq!(task.id, "t");
        assert!(!task.completed);
    }

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
