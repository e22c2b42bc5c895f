//! OAuth 2.0 as GHL runs it: the consent page on the marketplace host, the token
//! endpoint (authorization code and rotating refresh tokens), and the agency endpoints
//! that mint location tokens and list installed locations.

use std::collections::HashMap;

use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    Extension, Json,
};
use chrono::Utc;
use serde_json::{json, Value};

use super::require;
use crate::{
    error::{ApiError, ApiResult},
    state::{Inner, Shared},
    tokens::{ExchangeError, Grant, Issued, UserType, ALL_SCOPES},
};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn form(bytes: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (k, v) in params {
                    query.append_pair(k, v);
                }
            }
            Redirect::to(url.as_str()).into_response()
        }
        Err(_) => error_page("The redirect URI is not a valid URL."),
    }
}

fn error_page(message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorization error</title></head>\
         <body style=\"font-family:system-ui;margin:3rem\"><h1>Authorization error</h1><p>{}</p></body></html>",
        escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// A consent request after validation.
struct ConsentRequest {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
}

fn validate_request(
    inner: &Inner,
    q: &HashMap<String, String>,
) -> Result<ConsentRequest, Box<Response>> {
    let client_id = q.get("client_id").cloned().unwrap_or_default();
    let Some(app) = inner.tokens.app(&client_id) else {
        return Err(Box::new(error_page(
            "This app is not registered (unknown client_id).",
        )));
    };
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    if !app.accepts_redirect(&redirect_uri) {
        return Err(Box::new(error_page(
            "The redirect URI is not registered for this app.",
        )));
    }
    let state = q.get("state").cloned();
    let with_state = |error: &str| {
        let mut params = vec![("error", error)];
        if let Some(s) = &state {
            params.push(("state", s));
        }
        redirect_with(&redirect_uri, &params)
    };
    if q.get("response_type").map(String::as_str) != Some("code") {
        return Err(Box::new(with_state("unsupported_response_type")));
    }
    let scopes: Vec<String> = q
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    if scopes.is_empty() || scopes.iter().any(|s| !ALL_SCOPES.contains(&s.as_str())) {
        return Err(Box::new(with_state("invalid_scope")));
    }
    Ok(ConsentRequest {
        client_id,
        redirect_uri,
        scopes,
        state,
    })
}

fn grant_for(inner: &Inner, request: &ConsentRequest, target: &str) -> Option<Grant> {
    // GHL grants what was asked for, within what the app was configured with.
    let scopes = request
        .scopes
        .iter()
        .filter(|s| {
            inner
                .consent
                .app_scopes
                .as_ref()
                .is_none_or(|allowed| allowed.contains(s))
        })
        .cloned()
        .collect();
    if let Some(company) = inner.world.companies.iter().find(|c| c.id == target) {
        let user_id = inner
            .world
            .locations
            .iter()
            .find(|l| l.company_id == company.id)
            .and_then(|l| l.users.first())
            .cloned()
            .unwrap_or_default();
        return Some(Grant {
            app_id: request.client_id.clone(),
            user_type: UserType::Company,
            company_id: company.id.clone(),
            location_id: None,
            scopes,
            user_id,
        });
    }
    let location = inner.world.location(target)?;
    Some(Grant {
        app_id: request.client_id.clone(),
        user_type: UserType::Location,
        company_id: location.company_id.clone(),
        location_id: Some(location.id.clone()),
        scopes,
        user_id: location.users.first().cloned().unwrap_or_default(),
    })
}

fn approve(inner: &mut Inner, request: &ConsentRequest, target: &str) -> Response {
    let Some(grant) = grant_for(inner, request, target) else {
        return error_page("Choose a location to install the app to.");
    };
    let code = inner
        .tokens
        .issue_code(grant, &request.redirect_uri, Utc::now());
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = &request.state {
        params.push(("state", s));
    }
    redirect_with(&request.redirect_uri, &params)
}

/// `GET /oauth/chooselocation` and `/v2/oauth/chooselocation`: the consent page, or an
/// immediate redirect when auto-approval is on.
pub async fn choose_location(
    State(state): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = state.lock();
    let request = match validate_request(&inner, &q) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    if inner.consent.auto_approve {
        let target = if inner.consent.company {
            inner.world.companies.first().map(|c| c.id.clone())
        } else {
            inner
                .consent
                .location_id
                .clone()
                .or_else(|| inner.world.locations.first().map(|l| l.id.clone()))
        };
        return approve(&mut inner, &request, &target.unwrap_or_default());
    }
    let hidden: String = [
        ("client_id", &request.client_id),
        ("redirect_uri", &request.redirect_uri),
        ("scope", &request.scopes.join(" ")),
        ("response_type", &"code".to_owned()),
    ]
    .iter()
    .chain(request.state.as_ref().map(|s| ("state", s)).as_slice())
    .map(|(k, v)| {
        format!(
            "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
            escape(v)
        )
    })
    .collect();
    let mut options = String::new();
    for location in &inner.world.locations {
        options += &format!(
            "<option value=\"{}\">{}</option>",
            escape(&location.id),
            escape(&location.name)
        );
    }
    for company in &inner.world.companies {
        options += &format!(
            "<option value=\"{}\">{} (whole agency)</option>",
            escape(&company.id),
            escape(&company.name)
        );
    }
    let scopes: String = request
        .scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    let page = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Connect to HighLevel (sandbox)</title>
<style>body{{font-family:system-ui,sans-serif;background:#f5f7fa;margin:0;display:grid;place-items:center;min-height:100vh}}
main{{background:#fff;border:1px solid #e2e6ec;border-radius:12px;padding:2rem;max-width:28rem}}
button{{font:inherit;padding:.5rem 1.2rem;border-radius:8px;border:1px solid #1f6feb;margin-right:.5rem;cursor:pointer}}
.allow{{background:#1f6feb;color:#fff}}.deny{{background:#fff;color:#1f6feb}}select{{font:inherit;width:100%;padding:.4rem;margin:.5rem 0 1rem}}</style></head>
<body><main><h1>Allow access?</h1><p>An app wants access to your HighLevel account (GHL sandbox).</p>
<form method="post" action="/oauth/chooselocation/decision">{hidden}
<label for="location">Install to</label><select id="location" name="location">{options}</select>
<p>It asks for:</p><ul>{scopes}</ul>
<button class="allow" name="decision" value="allow">Allow</button><button class="deny" name="decision" value="deny">Deny</button>
</form></main></body></html>"#
    );
    Html(page).into_response()
}

/// `POST /oauth/chooselocation/decision`: the consent form's answer.
pub async fn decide(State(state): State<Shared>, body: Bytes) -> Response {
    let fields = form(&body);
    let mut inner = state.lock();
    let request = match validate_request(&inner, &fields) {
        Ok(r) => r,
        Err(response) => return *response,
    };
    if fields.get("decision").map(String::as_str) != Some("allow") {
        let mut params = vec![("error", "access_denied")];
        if let Some(s) = &request.state {
            params.push(("state", s.as_str()));
        }
        return redirect_with(&request.redirect_uri, &params);
    }
    let target = fields.get("location").cloned().unwrap_or_default();
    approve(&mut inner, &request, &target)
}

fn token_response(issued: &Issued, inner: &Inner) -> Value {
    let grant = &issued.grant;
    let mut scopes: Vec<&str> = grant.scopes.iter().map(String::as_str).collect();
    scopes.sort_unstable();
    let mut body = json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
        "scope": scopes.join(" "),
        "userType": grant.user_type.as_str(),
        "companyId": grant.company_id,
        "userId": grant.user_id,
        "isBulkInstallation": false,
    });
    match &grant.location_id {
        Some(location) => body["locationId"] = json!(location),
        None => {
            let approved: Vec<&str> = inner
                .world
                .locations
                .iter()
                .filter(|l| l.company_id == grant.company_id)
                .map(|l| l.id.as_str())
                .collect();
            body["approvedLocations"] = json!(approved);
            body["installToFutureLocations"] = json!(false);
            body["approveAllLocations"] = json!(true);
        }
    }
    body
}

/// `POST /oauth/token` (form-encoded): `authorization_code` and `refresh_token` grants.
pub async fn token(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let form_encoded = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_encoded {
        return Err(ApiError::oauth(
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    let fields = form(&body);
    let get = |k: &str| fields.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let (Some(client_id), Some(secret)) = (get("client_id"), get("client_secret")) else {
        return Err(ApiError::oauth(
            "invalid_request",
            "client_id and client_secret are required",
        ));
    };
    let now = Utc::now();
    let mut inner = state.lock();
    let result = match get("grant_type") {
        Some("authorization_code") => {
            let code = get("code")
                .ok_or_else(|| ApiError::oauth("invalid_request", "code is required"))?;
            inner
                .tokens
                .exchange_code(client_id, secret, code, get("redirect_uri"), now)
        }
        Some("refresh_token") => {
            let refresh = get("refresh_token")
                .ok_or_else(|| ApiError::oauth("invalid_request", "refresh_token is required"))?;
            inner
                .tokens
                .exchange_refresh(client_id, secret, refresh, now)
        }
        Some(other) => {
            return Err(ApiError::oauth(
                "unsupported_grant_type",
                format!("grant_type {other} is not supported"),
            ))
        }
        None => return Err(ApiError::oauth("invalid_request", "grant_type is required")),
    };
    match result {
        Ok(issued) => Ok(Json(token_response(&issued, &inner))),
        Err(ExchangeError::InvalidClient(why)) => Err(ApiError::oauth("invalid_client", why)),
        Err(ExchangeError::InvalidGrant(why)) => Err(ApiError::oauth("invalid_grant", why)),
    }
}

fn company_grant(grant: &Grant) -> ApiResult<()> {
    if grant.user_type == UserType::Company {
        Ok(())
    } else {
        Err(ApiError::wrong_location())
    }
}

/// `POST /oauth/locationToken` (form or JSON): an agency token mints a location token.
pub async fn location_token(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    company_grant(&grant)?;
    require(&grant, "oauth.write")?;
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let fields: HashMap<String, String> = if json_body {
        serde_json::from_slice::<HashMap<String, Value>>(&body)
            .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON: {e}")))?
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
            .collect()
    } else {
        form(&body)
    };
    let (Some(company_id), Some(location_id)) = (fields.get("companyId"), fields.get("locationId"))
    else {
        return Err(ApiError::unprocessable(vec![
            "companyId and locationId are required".into(),
        ]));
    };
    if *company_id != grant.company_id {
        return Err(ApiError::wrong_location());
    }
    let mut inner = state.lock();
    let location = inner
        .world
        .location(location_id)
        .filter(|l| l.company_id == *company_id)
        .cloned()
        .ok_or_else(|| ApiError::bad_request("Location is not active"))?;
    let scopes = grant
        .scopes
        .iter()
        .filter(|s| !s.starts_with("oauth."))
        .cloned()
        .collect();
    let location_grant = Grant {
        app_id: grant.app_id.clone(),
        user_type: UserType::Location,
        company_id: company_id.clone(),
        location_id: Some(location.id.clone()),
        scopes,
        user_id: grant.user_id.clone(),
    };
    let issued = inner.tokens.mint(location_grant, Utc::now());
    let mut body = token_response(&issued, &inner);
    body["appId"] = json!(grant.app_id);
    Ok(Json(body))
}

/// `GET /oauth/installedLocations?companyId&appId&skip&limit&query&isInstalled`
pub async fn installed_locations(
    State(state): State<Shared>,
    Extension(grant): Extension<Grant>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    company_grant(&grant)?;
    require(&grant, "oauth.readonly")?;
    let (Some(company_id), Some(app_id)) = (q.get("companyId"), q.get("appId")) else {
        return Err(ApiError::unprocessable(vec![
            "companyId and appId are required".into(),
        ]));
    };
    // GHL's client ids are `{appId}-{suffix}`: the app id is the part before the dash
    // (the whole client id is accepted too).
    let own_app = grant.app_id.split('-').next().unwrap_or(&grant.app_id);
    if *company_id != grant.company_id || (*app_id != grant.app_id && app_id != own_app) {
        return Err(ApiError::wrong_location());
    }
    let skip: usize = q.get("skip").and_then(|v| v.parse().ok()).unwrap_or(0);
    let limit: usize = q.get("limit").and_then(|v| v.parse().ok()).unwrap_or(20);
    let query = q.get("query").map(|s| s.to_lowercase()).unwrap_or_default();
    let inner = state.lock();
    let matching: Vec<_> = inner
        .world
        .locations
        .iter()
        .filter(|l| l.company_id == *company_id && l.name.to_lowercase().contains(&query))
        .collect();
    let locations: Vec<Value> = matching
        .iter()
        .skip(skip)
        .take(limit)
        .map(|l| json!({ "_id": l.id, "name": l.name, "address": l.address, "isInstalled": true }))
        .collect();
    Ok(Json(
        json!({ "locations": locations, "count": matching.len(), "installToFutureLocations": false }),
    ))
}
