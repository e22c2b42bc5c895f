//! The HTTP plumbing: a connection loop that can drop a connection on purpose (injected
//! resets), the request log, and the gate every API request passes (latency, `Version`
//! header, token, rate limit, faults).

use std::{
    convert::Infallible,
    time::{Duration, Instant},
};

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderMap, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Router,
};
use chrono::Utc;
use hyper_util::rt::TokioIo;
use rand::Rng;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::{
    decisions::{VERSION_CALENDARS, VERSION_CONTACTS},
    error::ApiError,
    faults::take,
    reqlog::{Caller, LoggedRequest},
    state::Shared,
    tokens::Grant,
};

/// Largest request body accepted.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Marks a response whose connection must be dropped instead of answered.
#[derive(Debug, Clone, Copy)]
pub struct DropConnection;

/// Serves `router` on `listener` until `shutdown` fires. Each connection can be dropped
/// mid-request, which `axum::serve` does not allow.
pub async fn serve(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    loop {
        let stream = tokio::select! {
            _ = shutdown.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let router = router.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let kill = CancellationToken::new();
            let on_request = kill.clone();
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let router = router.clone();
                let kill = on_request.clone();
                async move {
                    let response = router
                        .oneshot(req.map(Body::new))
                        .await
                        .unwrap_or_else(|e| match e {});
                    if response.extensions().get::<DropConnection>().is_some() {
                        // Never hand the answer to hyper: the connection is dropped instead.
                        kill.cancel();
                        std::future::pending::<()>().await;
                    }
                    Ok::<_, Infallible>(response)
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = kill.cancelled() => {}
                _ = shutdown.cancelled() => {}
                _ = connection => {}
            }
        });
    }
}

/// Logs every request: digest of its body, status (0 when the gate dropped the
/// connection), duration and caller.
pub async fn log_requests(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let time_ms = Utc::now().timestamp_millis();
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return ApiError::bad_request("request body is too large or unreadable").into_response()
        }
    };
    let body_sha256 = (!bytes.is_empty()).then(|| hex(&Sha256::digest(&bytes)));
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let dropped = response.extensions().get::<DropConnection>().is_some();
    let caller = response.extensions().get::<Caller>().cloned();
    state.lock().record(LoggedRequest {
        seq: 0,
        method,
        path,
        query,
        status: if dropped {
            0
        } else {
            response.status().as_u16()
        },
        dropped,
        time_ms,
        duration_ms: started.elapsed().as_millis() as u64,
        body_sha256,
        app_id: caller.as_ref().map(|c| c.app_id.clone()),
        resource: caller.map(|c| c.resource),
    });
    response
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Version` a path's endpoint family requires.
pub fn required_version(path: &str) -> &'static str {
    if path.starts_with("/calendars") {
        VERSION_CALENDARS
    } else {
        VERSION_CONTACTS
    }
}

fn check_version(path: &str, headers: &HeaderMap) -> Result<(), ApiError> {
    let wanted = required_version(path);
    match headers.get("version").and_then(|v| v.to_str().ok()) {
        Some(v) if v == wanted => Ok(()),
        Some(v) => Err(ApiError::bad_request(format!(
            "Unsupported Version header '{v}' for this endpoint: use '{wanted}'"
        ))),
        None => Err(ApiError::bad_request(format!(
            "Version header is required: use '{wanted}'"
        ))),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Whether a request changes data (searches are POSTs that only read).
fn is_write(method: &Method, path: &str) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::DELETE | Method::PATCH
    ) && !path.ends_with("/search")
}

enum Admission {
    Refuse(Response),
    Proceed {
        grant: Grant,
        headers: crate::ratelimit::RateHeaders,
        drop_after: bool,
    },
}

/// The gate of every GHL API endpoint (all but the OAuth token endpoint and the consent
/// page): latency, `Version`, token, rate limit, then injected faults. The caller's
/// grant reaches handlers as a request extension.
pub async fn gate(State(state): State<Shared>, mut req: Request, next: Next) -> Response {
    let latency = state.lock().faults.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let path = req.uri().path().to_owned();
    if let Err(err) = check_version(&path, req.headers()) {
        return err.into_response();
    }
    let write = is_write(req.method(), &path);
    let admission = {
        let mut inner = state.lock();
        let inner = &mut *inner;
        match bearer(req.headers())
            .and_then(|t| inner.tokens.authorize(t, Utc::now()))
            .cloned()
        {
            None => Admission::Refuse(ApiError::invalid_token().into_response()),
            Some(grant) => {
                let caller = Caller {
                    app_id: grant.app_id.clone(),
                    resource: grant.resource().to_owned(),
                };
                let refuse = |err: ApiError, headers: crate::ratelimit::RateHeaders| {
                    let mut response = err.into_response();
                    headers.apply(response.headers_mut());
                    response.extensions_mut().insert(caller.clone());
                    Admission::Refuse(response)
                };
                if take(&mut inner.faults.burst_429) {
                    refuse(
                        ApiError::too_many_requests(),
                        inner.limiter.peek(&caller.app_id, &caller.resource),
                    )
                } else {
                    let verdict = inner.limiter.check(
                        &caller.app_id,
                        &caller.resource,
                        Instant::now(),
                        Utc::now().date_naive(),
                    );
                    if !verdict.allowed {
                        refuse(ApiError::too_many_requests(), verdict.headers)
                    } else if inner.faults.error_rate > 0.0
                        && inner.rng.random_bool(inner.faults.error_rate)
                    {
                        let status = [
                            StatusCode::INTERNAL_SERVER_ERROR,
                            StatusCode::BAD_GATEWAY,
                            StatusCode::SERVICE_UNAVAILABLE,
                        ][inner.rng.random_range(0..3)];
                        refuse(ApiError::server(status), verdict.headers)
                    } else if write && take(&mut inner.faults.reset_before_commit) {
                        let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                        response.extensions_mut().insert(DropConnection);
                        response.extensions_mut().insert(caller.clone());
                        Admission::Refuse(response)
                    } else {
                        let drop_after = write && take(&mut inner.faults.reset_after_commit);
                        Admission::Proceed {
                            grant,
                            headers: verdict.headers,
                            drop_after,
                        }
                    }
                }
            }
        }
    };
    match admission {
        Admission::Refuse(response) => response,
        Admission::Proceed {
            grant,
            headers,
            drop_after,
        } => {
            let caller = Caller {
                app_id: grant.app_id.clone(),
                resource: grant.resource().to_owned(),
            };
            req.extensions_mut().insert(grant);
            let mut response = next.run(req).await;
            headers.apply(response.headers_mut());
            response.extensions_mut().insert(caller);
            if drop_after {
                response.extensions_mut().insert(DropConnection);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_families() {
        assert_eq!(required_version("/calendars/events"), VERSION_CALENDARS);
        assert_eq!(required_version("/contacts/abc"), VERSION_CONTACTS);
        assert_eq!(
            required_version("/locations/x/tasks/search"),
            VERSION_CONTACTS
        );
        let mut headers = HeaderMap::new();
        assert!(check_version("/contacts/", &headers).is_err());
        headers.insert("version", "2021-04-15".parse().unwrap());
        assert!(check_version("/contacts/", &headers).is_err());
        assert!(check_version("/calendars/", &headers).is_ok());
    }

    #[test]
    fn searches_are_not_writes() {
        assert!(is_write(&Method::POST, "/contacts/"));
        assert!(is_write(&Method::DELETE, "/contacts/x/tags"));
        assert!(!is_write(&Method::POST, "/contacts/search"));
        assert!(!is_write(&Method::POST, "/locations/l/tasks/search"));
        assert!(!is_write(&Method::GET, "/contacts/x"));
    }
}
