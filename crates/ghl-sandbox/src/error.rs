//! GHL's error bodies, as the real API shapes them (see `decisions` for the choices).

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::{json, Value};

/// An error answer of the emulated API.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    /// 400 with GHL's NestJS-style body.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::nest(StatusCode::BAD_REQUEST, message.into(), "Bad Request")
    }

    /// 400 with extra top-level fields (`meta` of the duplicate-contact error).
    pub fn bad_request_with(message: impl Into<String>, extra: Value) -> Self {
        let mut err = Self::bad_request(message);
        if let (Some(body), Value::Object(extra)) = (err.body.as_object_mut(), extra) {
            body.extend(extra);
        }
        err
    }

    /// 401 for a missing, unknown, expired or revoked token.
    pub fn invalid_token() -> Self {
        Self::nest(
            StatusCode::UNAUTHORIZED,
            "Invalid token: access token is invalid".into(),
            "Unauthorized",
        )
    }

    /// 401 for a token that lacks the endpoint's scope.
    pub fn missing_scope() -> Self {
        Self::nest(
            StatusCode::UNAUTHORIZED,
            "The token is not authorized for this scope.".into(),
            "Unauthorized",
        )
    }

    /// 403 for a token of another location or company.
    pub fn wrong_location() -> Self {
        Self::nest(
            StatusCode::FORBIDDEN,
            "The token does not have access to this location.".into(),
            "Forbidden",
        )
    }

    /// 404 for an unknown record, e.g. `not_found("Contact")`.
    pub fn not_found(what: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            body: json!({ "statusCode": 404, "message": format!("{what} not found") }),
        }
    }

    /// 422 with `message` as an array of strings, as GHL's validation answers.
    pub fn unprocessable(messages: Vec<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            body: json!({ "statusCode": 422, "message": messages, "error": "Unprocessable Entity" }),
        }
    }

    /// 429 beyond the rate limit.
    pub fn too_many_requests() -> Self {
        Self {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: json!({
                "statusCode": 429,
                "message": "Too many requests. Please try again later."
            }),
        }
    }

    /// An injected server error (500, 502 or 503).
    pub fn server(status: StatusCode) -> Self {
        let reason = status.canonical_reason().unwrap_or("Server Error");
        Self::nest(status, reason.to_owned(), reason)
    }

    /// An `/oauth/token` failure: 400 with RFC 6749 fields plus GHL's `statusCode`.
    pub fn oauth(error: &str, description: impl Into<String>) -> Self {
        let description = description.into();
        Self {
            status: StatusCode::BAD_REQUEST,
            body: json!({
                "statusCode": 400,
                "error": error,
                "error_description": description,
                "message": description,
            }),
        }
    }

    fn nest(status: StatusCode, message: String, error: &str) -> Self {
        Self {
            status,
            body: json!({ "statusCode": status.as_u16(), "message": message, "error": error }),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// What every handler returns.
pub type ApiResult<T> = Result<T, ApiError>;
