//! The control API under `/_sandbox/` (not part of GHL's surface): what tests and the
//! demo use to learn the seeded credentials, inject faults, edit data behind the app's
//! back and read the request log.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    routing::{get, post, put},
    Json, Router,
};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    error::{ApiError, ApiResult},
    faults::Faults,
    reqlog::LoggedRequest,
    state::{Consent, Shared},
    tokens::{Grant, UserType, ALL_SCOPES},
    world::{iso, refresh_contact_derived, str_field},
};

/// What a test needs to know to talk to the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SandboxInfo {
    /// Agencies.
    pub companies: Vec<CompanyInfo>,
    /// Locations with their seeded Private Integration tokens.
    pub locations: Vec<LocationInfo>,
    /// Registered Marketplace apps.
    pub apps: Vec<AppInfo>,
}

/// An agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompanyInfo {
    /// Company id.
    pub id: String,
    /// Name.
    pub name: String,
}

/// A location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocationInfo {
    /// Location id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Owning company.
    pub company_id: String,
    /// A Private Integration token with every location scope.
    pub private_integration_token: String,
    /// How many contacts it has now.
    pub contacts: usize,
}

/// A Marketplace app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret (a sandbox value, not a real secret).
    pub client_secret: String,
    /// Registered redirect URIs.
    pub redirect_uris: Vec<String>,
}

impl Shared {
    /// The seeded ids and credentials.
    pub fn info(&self) -> SandboxInfo {
        let inner = self.lock();
        SandboxInfo {
            companies: inner
                .world
                .companies
                .iter()
                .map(|c| CompanyInfo {
                    id: c.id.clone(),
                    name: c.name.clone(),
                })
                .collect(),
            locations: inner
                .world
                .locations
                .iter()
                .map(|l| LocationInfo {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    company_id: l.company_id.clone(),
                    private_integration_token: inner
                        .pits
                        .iter()
                        .find(|(loc, _)| *loc == l.id)
                        .map(|(_, t)| t.clone())
                        .unwrap_or_default(),
                    contacts: inner.world.contacts_of(&l.id).count(),
                })
                .collect(),
            apps: inner
                .tokens
                .apps()
                .iter()
                .map(|a| AppInfo {
                    client_id: a.client_id.clone(),
                    client_secret: a.client_secret.clone(),
                    redirect_uris: a.redirect_uris.clone(),
                })
                .collect(),
        }
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) -> Result<(), String> {
        faults.validate()?;
        self.lock().faults = faults;
        Ok(())
    }

    /// The faults in force (counters show what is left).
    pub fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Log entries after `since` (a `seq`; 0 for all).
    pub fn requests(&self, since: u64) -> Vec<LoggedRequest> {
        self.lock()
            .log
            .iter()
            .filter(|r| r.seq > since)
            .cloned()
            .collect()
    }

    /// Mints a Private Integration token for a location with the given scopes.
    pub fn mint_private_integration(&self, location_id: &str, scopes: &[String]) -> Option<String> {
        let mut inner = self.lock();
        let location = inner.world.location(location_id)?.clone();
        let id = inner.world.ids.alnum(16);
        let grant = Grant {
            app_id: format!("pit-integration-{id}"),
            user_type: UserType::Location,
            company_id: location.company_id,
            location_id: Some(location.id),
            scopes: scopes.iter().cloned().collect(),
            user_id: location.users.first().cloned().unwrap_or_default(),
        };
        Some(inner.tokens.add_private_integration(grant))
    }
}

async fn info(State(state): State<Shared>) -> Json<SandboxInfo> {
    Json(state.info())
}

async fn get_faults(State(state): State<Shared>) -> Json<Faults> {
    Json(state.faults())
}

async fn put_faults(
    State(state): State<Shared>,
    Json(faults): Json<Faults>,
) -> ApiResult<Json<Faults>> {
    state.set_faults(faults).map_err(ApiError::bad_request)?;
    Ok(Json(state.faults()))
}

async fn get_consent(State(state): State<Shared>) -> Json<Consent> {
    Json(state.lock().consent.clone())
}

async fn put_consent(State(state): State<Shared>, Json(consent): Json<Consent>) -> Json<Consent> {
    state.lock().consent = consent.clone();
    Json(consent)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PitRequest {
    location_id: String,
    scopes: Option<Vec<String>>,
}

async fn mint_pit(
    State(state): State<Shared>,
    Json(req): Json<PitRequest>,
) -> ApiResult<Json<Value>> {
    let scopes = req.scopes.unwrap_or_else(|| {
        ALL_SCOPES
            .iter()
            .filter(|s| !s.starts_with("oauth."))
            .map(|s| (*s).to_owned())
            .collect()
    });
    let token = state
        .mint_private_integration(&req.location_id, &scopes)
        .ok_or_else(|| ApiError::not_found("Location"))?;
    Ok(Json(json!({ "token": token })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeRequest {
    token: Option<String>,
    location_id: Option<String>,
}

async fn revoke(State(state): State<Shared>, Json(req): Json<RevokeRequest>) -> Json<Value> {
    let revoked = state
        .lock()
        .tokens
        .revoke(req.token.as_deref(), req.location_id.as_deref());
    Json(json!({ "revoked": revoked }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExpireRequest {
    location_id: String,
}

async fn expire(State(state): State<Shared>, Json(req): Json<ExpireRequest>) -> Json<Value> {
    let expired = state
        .lock()
        .tokens
        .expire_access(&req.location_id, Utc::now());
    Json(json!({ "expired": expired }))
}

/// Which record a server-side edit or delete targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Contact,
    Note,
    Task,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EditRequest {
    kind: Kind,
    contact_id: String,
    id: Option<String>,
    #[serde(default)]
    fields: serde_json::Map<String, Value>,
}

/// Changes a record as another GHL user would (to create conflicts); contact edits move
/// `dateUpdated`.
async fn edit(State(state): State<Shared>, Json(req): Json<EditRequest>) -> ApiResult<Json<Value>> {
    let mut inner = state.lock();
    let world = &mut inner.world;
    let record = match req.kind {
        Kind::Contact => world
            .contacts
            .get_mut(&req.contact_id)
            .ok_or_else(|| ApiError::not_found("Contact"))?,
        Kind::Note | Kind::Task => {
            let (list, what) = if req.kind == Kind::Note {
                (&mut world.notes, "Note")
            } else {
                (&mut world.tasks, "Task")
            };
            let id = req
                .id
                .as_deref()
                .ok_or_else(|| ApiError::bad_request("id is required for notes and tasks"))?;
            list.get_mut(&req.contact_id)
                .and_then(|items| items.iter_mut().find(|r| str_field(r, "id") == Some(id)))
                .ok_or_else(|| ApiError::not_found(what))?
        }
    };
    for (key, value) in req.fields {
        if value.is_null() {
            record.remove(&key);
        } else {
            record.insert(key, value);
        }
    }
    if req.kind == Kind::Contact {
        refresh_contact_derived(record);
        record.insert("dateUpdated".into(), iso(Utc::now()).into());
    }
    Ok(Json(Value::Object(record.clone())))
}

/// Deletes a record as another GHL user would.
async fn delete(
    State(state): State<Shared>,
    Json(req): Json<EditRequest>,
) -> ApiResult<Json<Value>> {
    let mut inner = state.lock();
    let world = &mut inner.world;
    match req.kind {
        Kind::Contact => {
            world
                .remove_contact(&req.contact_id)
                .ok_or_else(|| ApiError::not_found("Contact"))?;
        }
        Kind::Note | Kind::Task => {
            let (list, what) = if req.kind == Kind::Note {
                (&mut world.notes, "Note")
            } else {
                (&mut world.tasks, "Task")
            };
            let id = req
                .id
                .as_deref()
                .ok_or_else(|| ApiError::bad_request("id is required for notes and tasks"))?;
            let items = list
                .get_mut(&req.contact_id)
                .ok_or_else(|| ApiError::not_found(what))?;
            let before = items.len();
            items.retain(|r| str_field(r, "id") != Some(id));
            if items.len() == before {
                return Err(ApiError::not_found(what));
            }
        }
    }
    Ok(Json(json!({ "deleted": true })))
}

async fn requests(
    State(state): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Vec<LoggedRequest>> {
    let since = q.get("since").and_then(|s| s.parse().ok()).unwrap_or(0);
    Json(state.requests(since))
}

async fn clear_requests(State(state): State<Shared>) -> Json<Value> {
    let mut inner = state.lock();
    let cleared = inner.log.len();
    inner.log.clear();
    Json(json!({ "cleared": cleared }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LocationSettings {
    allow_duplicates: bool,
}

async fn location_settings(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Json(settings): Json<LocationSettings>,
) -> ApiResult<Json<Value>> {
    let mut inner = state.lock();
    let location = inner
        .world
        .locations
        .iter_mut()
        .find(|l| l.id == id)
        .ok_or_else(|| ApiError::not_found("Location"))?;
    location.allow_duplicates = settings.allow_duplicates;
    Ok(Json(
        json!({ "id": id, "allowDuplicates": settings.allow_duplicates }),
    ))
}

/// The `/_sandbox/` routes.
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/_sandbox/info", get(info))
        .route("/_sandbox/faults", get(get_faults).put(put_faults))
        .route("/_sandbox/consent", get(get_consent).put(put_consent))
        .route("/_sandbox/pits", post(mint_pit))
        .route("/_sandbox/revoke", post(revoke))
        .route("/_sandbox/expire", post(expire))
        .route("/_sandbox/edit", post(edit))
        .route("/_sandbox/delete", post(delete))
        .route("/_sandbox/requests", get(requests).delete(clear_requests))
        .route("/_sandbox/locations/{id}", put(location_settings))
}
