//! GHL's endpoints, grouped as GHL groups them.

pub mod children;
pub mod contacts;
pub mod location_wide;
pub mod oauth;
pub mod search;

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{
    error::{ApiError, ApiResult},
    tokens::Grant,
    world::{str_field, Record, World},
};

/// A JSON body that answers GHL's 400 (not axum's plain-text 4xx) when it cannot be read.
pub struct GhlJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for GhlJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::bad_request("request body is unreadable"))?;
        let bytes = if bytes.is_empty() {
            Bytes::from_static(b"{}")
        } else {
            bytes
        };
        serde_json::from_slice(&bytes)
            .map(GhlJson)
            .map_err(|err| ApiError::bad_request(format!("request body is not valid JSON: {err}")))
    }
}

/// Refuses a grant without `scope`.
pub fn require(grant: &Grant, scope: &str) -> ApiResult<()> {
    if grant.has_scope(scope) {
        Ok(())
    } else {
        Err(ApiError::missing_scope())
    }
}

/// The location a location token acts for; agency tokens cannot use location endpoints.
pub fn token_location(grant: &Grant) -> ApiResult<&str> {
    grant
        .location_id
        .as_deref()
        .ok_or_else(ApiError::wrong_location)
}

/// Refuses a `locationId` (query or body) other than the token's.
pub fn same_location(grant: &Grant, location_id: Option<&str>) -> ApiResult<String> {
    let own = token_location(grant)?;
    match location_id {
        None | Some("") => Err(ApiError::unprocessable(vec![
            "locationId should not be empty".into(),
        ])),
        Some(id) if id == own => Ok(own.to_owned()),
        Some(_) => Err(ApiError::wrong_location()),
    }
}

/// A contact the token may see.
pub fn contact<'a>(world: &'a World, grant: &Grant, id: &str) -> ApiResult<&'a Record> {
    let found = world
        .contacts
        .get(id)
        .ok_or_else(|| ApiError::not_found("Contact"))?;
    if str_field(found, "locationId") != grant.location_id.as_deref() {
        return Err(ApiError::wrong_location());
    }
    Ok(found)
}

/// A contact the token may change.
pub fn contact_mut<'a>(world: &'a mut World, grant: &Grant, id: &str) -> ApiResult<&'a mut Record> {
    contact(world, grant, id)?;
    world
        .contacts
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found("Contact"))
}

/// The object a body must be.
pub fn body_object(body: Value) -> ApiResult<serde_json::Map<String, Value>> {
    match body {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::bad_request("request body must be a JSON object")),
    }
}

/// Refuses properties a DTO does not declare, as GHL's validation pipe does.
pub fn only_known(body: &serde_json::Map<String, Value>, known: &[&str]) -> ApiResult<()> {
    let unknown: Vec<String> = body
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|k| format!("property {k} should not exist"))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ApiError::unprocessable(unknown))
    }
}
