//! The request loop every endpoint goes through: pacing, bearer token, `Version`
//! header, retries for idempotent requests, one refresh on an invalid token, and the
//! mapping of GHL's answers to [`GhlError`] kinds.

use std::{sync::Arc, time::Duration};

use reqwest::{header::RETRY_AFTER, Method, StatusCode};
use serde_json::Value;

use crate::{
    error::{GhlError, GhlResult},
    models::ErrorBody,
    pacer::{Budget, Pacer},
    retry::RetryPolicy,
    tokens::TokenSource,
};

/// GHL's production API host.
pub const DEFAULT_API_BASE: &str = "https://services.leadconnectorhq.com/";
/// GHL's production marketplace host (OAuth consent).
pub const DEFAULT_MARKETPLACE_BASE: &str = "https://marketplace.gohighlevel.com/";
/// `Version` of the contacts, locations and OAuth families.
pub const VERSION_CONTACTS: &str = "2021-07-28";
/// `Version` of the calendars family.
pub const VERSION_CALENDARS: &str = "2021-04-15";

/// How consecutive 429s one call tolerates (each waits a window) before giving up.
const MAX_RATE_LIMIT_WAITS: u32 = 6;

/// How long a reachability probe waits for any answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The largest answer read into memory. A search page of 500 full contacts is a few
/// megabytes; anything beyond this is refused rather than buffered.
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Reads a response body, refusing one larger than [`MAX_BODY_BYTES`] before it is all
/// in memory.
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|len| len > MAX_BODY_BYTES as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Network)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Why a response body could not be read.
enum BodyError {
    TooLarge,
    Network(reqwest::Error),
}

/// Where and how to reach GHL.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API base URL (default: GHL's production host).
    pub api_base: url::Url,
    /// Marketplace base URL for OAuth consent (default: GHL's production host).
    pub marketplace_base: url::Url,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// `User-Agent`, naming the app and its version.
    pub user_agent: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            api_base: url::Url::parse(DEFAULT_API_BASE).expect("constant URL"),
            marketplace_base: url::Url::parse(DEFAULT_MARKETPLACE_BASE).expect("constant URL"),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: format!("GHL-Desk/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

impl ClientConfig {
    /// The default configuration pointed at another API and marketplace base (the
    /// sandbox, a staging host). A missing trailing slash is added.
    pub fn with_bases(api_base: &str, marketplace_base: &str) -> GhlResult<Self> {
        let parse = |s: &str| {
            let s = if s.ends_with('/') {
                s.to_owned()
            } else {
                format!("{s}/")
            };
            url::Url::parse(&s).map_err(|e| GhlError::Config(format!("{s}: {e}")))
        };
        Ok(Self {
            api_base: parse(api_base)?,
            marketplace_base: parse(marketplace_base)?,
            ..Self::default()
        })
    }

    /// An HTTP client with this configuration's timeout and user agent. It follows no
    /// redirect: GHL's API and token endpoints answer directly, and a redirect could
    /// carry a bearer token or a client secret elsewhere.
    pub fn http_client(&self) -> GhlResult<reqwest::Client> {
        reqwest::Client::builder()
            .user_agent(&self.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| GhlError::Config(e.to_string()))
    }
}

/// One request to make.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub method: Method,
    pub path: String,
    pub version: &'static str,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub form: Option<Vec<(String, String)>>,
    /// Safe to send twice: reads, updates, deletes, tag changes. Creates are not.
    pub idempotent: bool,
}

impl Call {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Self {
        let idempotent = method != Method::POST;
        Self {
            method,
            path: path.into(),
            version: VERSION_CONTACTS,
            query: Vec::new(),
            body: None,
            form: None,
            idempotent,
        }
    }

    pub(crate) fn version(mut self, version: &'static str) -> Self {
        self.version = version;
        self
    }

    pub(crate) fn query(mut self, key: &str, value: impl ToString) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    pub(crate) fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub(crate) fn form(mut self, fields: &[(&str, &str)]) -> Self {
        self.form = Some(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        self
    }

    /// Marks a POST that only reads (a search) or that is safe to repeat (tags).
    pub(crate) fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }
}

/// A client for one location (or, with an agency token, one company).
#[derive(Clone)]
pub struct GhlClient {
    http: reqwest::Client,
    config: ClientConfig,
    tokens: Arc<dyn TokenSource>,
    pacer: Arc<Pacer>,
    liveness: Arc<crate::liveness::Liveness>,
    location_id: String,
}

impl std::fmt::Debug for GhlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GhlClient")
            .field("api_base", &self.config.api_base.as_str())
            .field("location_id", &self.location_id)
            .finish_non_exhaustive()
    }
}

impl GhlClient {
    /// A client for `location_id`. Clients that share a location should share `pacer`
    /// (see [`GhlClient::with_pacer`]); this one gets its own.
    pub fn new(
        config: ClientConfig,
        tokens: Arc<dyn TokenSource>,
        location_id: impl Into<String>,
    ) -> GhlResult<Self> {
        Self::with_pacer(config, tokens, location_id, Arc::new(Pacer::default()))
    }

    /// A client sharing `pacer` with the other clients of the same location.
    pub fn with_pacer(
        config: ClientConfig,
        tokens: Arc<dyn TokenSource>,
        location_id: impl Into<String>,
        pacer: Arc<Pacer>,
    ) -> GhlResult<Self> {
        let http = config.http_client()?;
        Ok(Self {
            http,
            config,
            tokens,
            pacer,
            liveness: Arc::default(),
            location_id: location_id.into(),
        })
    }

    /// The location this client acts on.
    pub fn location_id(&self) -> &str {
        &self.location_id
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The rate limits and daily budget as GHL last reported them.
    pub fn budget(&self) -> Budget {
        self.pacer.budget()
    }

    /// How long this client's requests have waited without any answer from GHL, while
    /// some are in flight (`None` when none is).
    pub fn waiting_for(&self) -> Option<Duration> {
        self.liveness.waiting_for()
    }

    /// The pacer, to share with another client of the same location.
    pub fn pacer(&self) -> Arc<Pacer> {
        self.pacer.clone()
    }

    /// Whether GHL's API host answers at all: one unauthenticated request to the API
    /// base that costs nothing against the location's rate limit. Any HTTP answer, even
    /// an error status, means the network path to GHL works.
    pub async fn reachable(&self) -> bool {
        self.http
            .head(self.config.api_base.clone())
            .timeout(PROBE_TIMEOUT)
            .send()
            .await
            .is_ok()
    }

    /// Sends `call` and returns GHL's JSON answer (`null` for an empty body).
    pub(crate) async fn send(&self, call: Call) -> GhlResult<Value> {
        let url = self
            .config
            .api_base
            .join(call.path.trim_start_matches('/'))
            .map_err(|e| GhlError::Config(e.to_string()))?;
        let mut retries = 0u32;
        let mut rate_waits = 0u32;
        let mut refreshed = false;
        loop {
            self.pacer.acquire().await;
            let token = self.tokens.access_token().await?;
            let mut request = self
                .http
                .request(call.method.clone(), url.clone())
                .bearer_auth(&token)
                .header("Version", call.version)
                .header("Accept", "application/json")
                .query(&call.query);
            if let Some(body) = &call.body {
                request = request.json(body);
            } else if let Some(form) = &call.form {
                request = request.form(form);
            }
            self.liveness.started();
            let sent = request.send().await;
            self.liveness.ended();
            let response = match sent {
                Ok(response) => response,
                Err(err) => {
                    // A connection that never opened carried nothing: always safe to retry.
                    let safe = call.idempotent || err.is_connect();
                    if safe && retries < self.config.retry.max_retries {
                        tokio::time::sleep(self.config.retry.delay(retries)).await;
                        retries += 1;
                        continue;
                    }
                    return Err(network_error(&err, safe));
                }
            };
            self.pacer.observe(response.headers());
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let bytes = match read_body(response).await {
                Ok(bytes) => bytes,
                Err(BodyError::TooLarge) if status.is_success() && !call.idempotent => {
                    return Err(GhlError::OutcomeUnknown(format!(
                        "HighLevel's answer to {} {} was larger than the {} MB this app reads",
                        call.method,
                        call.path,
                        MAX_BODY_BYTES >> 20
                    )));
                }
                Err(BodyError::TooLarge) => {
                    return Err(GhlError::TooLarge {
                        limit_mb: MAX_BODY_BYTES >> 20,
                    })
                }
                Err(BodyError::Network(err)) => {
                    if call.idempotent && retries < self.config.retry.max_retries {
                        tokio::time::sleep(self.config.retry.delay(retries)).await;
                        retries += 1;
                        continue;
                    }
                    return Err(network_error(&err, call.idempotent));
                }
            };
            if status.is_success() {
                let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
                return serde_json::from_slice(body).map_err(|e| {
                    let what = format!("{} {}: {e}", call.method, call.path);
                    if call.idempotent {
                        GhlError::Decode(what)
                    } else {
                        GhlError::OutcomeUnknown(format!(
                            "HighLevel accepted {what}, but its answer could not be read"
                        ))
                    }
                });
            }
            let error: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            let message = error.message.join("; ");
            match status {
                StatusCode::TOO_MANY_REQUESTS => {
                    if self.pacer.budget().daily_remaining == Some(0) {
                        return Err(GhlError::DailyBudgetExhausted);
                    }
                    rate_waits += 1;
                    if rate_waits > MAX_RATE_LIMIT_WAITS {
                        return Err(GhlError::RateLimited);
                    }
                    tracing::debug!(path = %call.path, "429 from HighLevel; waiting for the window");
                    self.pacer.backoff(retry_after);
                }
                StatusCode::UNAUTHORIZED => {
                    if message.contains("not authorized for this scope") {
                        return Err(GhlError::ScopeMissing);
                    }
                    if refreshed {
                        return Err(GhlError::Unauthorized(message));
                    }
                    refreshed = true;
                    self.tokens.refresh(token).await?;
                }
                StatusCode::FORBIDDEN => return Err(GhlError::Forbidden),
                StatusCode::NOT_FOUND => return Err(GhlError::NotFound(message)),
                StatusCode::BAD_REQUEST if message.to_lowercase().contains("not found") => {
                    return Err(GhlError::NotFound(message));
                }
                s if s.is_server_error() => {
                    if call.idempotent && retries < self.config.retry.max_retries {
                        tokio::time::sleep(self.config.retry.delay(retries)).await;
                        retries += 1;
                        continue;
                    }
                    if call.idempotent {
                        return Err(GhlError::Server { status: s.as_u16() });
                    }
                    return Err(GhlError::OutcomeUnknown(format!(
                        "HighLevel answered {s} to {} {}",
                        call.method, call.path
                    )));
                }
                s => {
                    let mut messages = error.message;
                    if messages.is_empty() {
                        messages.push(
                            error
                                .error_description
                                .or(error.error)
                                .unwrap_or_else(|| s.to_string()),
                        );
                    }
                    return Err(GhlError::Rejected {
                        status: s.as_u16(),
                        messages,
                    });
                }
            }
        }
    }
}

/// Takes `key` out of an answer object (`{"contact": {…}}` → the contact).
pub(crate) fn take(mut answer: Value, key: &str) -> Value {
    answer
        .as_object_mut()
        .and_then(|map| map.remove(key))
        .unwrap_or(Value::Null)
}

/// A list under `key` of an answer (missing or `null`: empty).
pub(crate) fn take_list(answer: Value, key: &str) -> Vec<Value> {
    match take(answer, key) {
        Value::Array(items) => items,
        _ => Vec::new(),
    }
}

fn network_error(err: &reqwest::Error, safe: bool) -> GhlError {
    let text = {
        let mut text = err.to_string();
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            text = format!("{text}: {s}");
            source = s.source();
        }
        text.replace(err.url().map(url::Url::as_str).unwrap_or("\u{0}"), "")
    };
    if !safe {
        return GhlError::OutcomeUnknown(text);
    }
    if err.is_timeout() {
        GhlError::Timeout
    } else {
        GhlError::Offline(text)
    }
}
