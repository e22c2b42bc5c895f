//! A faithful local emulator of the HighLevel (GHL) API v2 for tests and the app's demo
//! mode: OAuth (consent page, codes, rotating refresh tokens, agency tokens, Private
//! Integration tokens), the contacts, notes, tasks, tags, appointments, tasks-search and
//! calendars endpoints with GHL's paths, wrappers and error bodies, per-app-and-location
//! rate limits, deterministic seed data, fault injection and a request log.
//!
//! Where GHL's documentation is silent, [`decisions`] says what the sandbox does.

pub mod control;
pub mod decisions;
pub mod error;
pub mod faults;
pub mod ratelimit;
pub mod reqlog;
mod routes;
pub mod seed;
mod server;
pub mod shapes;
pub mod state;
pub mod tokens;
pub mod world;

use std::net::SocketAddr;

use axum::{
    extract::Request,
    http::StatusCode,
    middleware::from_fn_with_state,
    response::IntoResponse,
    routing::{get, post, put},
    Json, Router,
};
use rand::SeedableRng;
use serde_json::json;
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;

pub use control::SandboxInfo;
pub use faults::Faults;
pub use ratelimit::Limits;
pub use reqlog::LoggedRequest;
pub use state::Consent;
pub use tokens::App;

use routes::{children, contacts, location_wide, oauth, search};
use state::{Inner, Shared};

/// Client id of the demo Marketplace app every sandbox registers.
pub const DEMO_CLIENT_ID: &str = "6650f2a1b3c4d5e6f7a8b9c0-ghldesk1";
/// Client secret of the demo app: a published sandbox value, not a real secret.
pub const DEMO_CLIENT_SECRET: &str = "sandbox-demo-client-secret";

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Seed of the generated data and of probabilistic faults.
    pub seed: u64,
    /// Contacts of the first location (the others get a tenth each).
    pub contacts: usize,
    /// Access-token lifetime in seconds.
    pub access_token_lifetime_secs: u64,
    /// Authorization-code lifetime in seconds.
    pub code_lifetime_secs: u64,
    /// Rate limits.
    pub limits: Limits,
    /// Faults in force from the start.
    pub faults: Faults,
    /// Consent-page behaviour.
    pub consent: Consent,
    /// Registered Marketplace apps (the demo app is always added).
    pub apps: Vec<App>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            contacts: 500,
            access_token_lifetime_secs: decisions::ACCESS_TOKEN_LIFETIME_SECS,
            code_lifetime_secs: decisions::AUTH_CODE_LIFETIME_SECS,
            limits: Limits::default(),
            faults: Faults::default(),
            consent: Consent::default(),
            apps: Vec::new(),
        }
    }
}

/// The demo app: loopback redirect URIs on any port (RFC 8252).
pub fn demo_app() -> App {
    App {
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: DEMO_CLIENT_SECRET.into(),
        redirect_uris: vec![
            "http://127.0.0.1/callback".into(),
            "http://localhost/callback".into(),
        ],
    }
}

/// A running sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct Sandbox {
    base_url: String,
    state: Shared,
    shutdown: CancellationToken,
    task: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Seeds the data and serves it on `addr` (port 0 picks a free port).
    pub async fn start(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<Self> {
        config.faults.validate().map_err(std::io::Error::other)?;
        let state = Shared::new(initial_state(config));
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let host = if local.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            local.ip().to_string()
        };
        let base_url = format!("http://{host}:{}", local.port());
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(server::serve(
            listener,
            router(state.clone()),
            shutdown.clone(),
        ));
        Ok(Self {
            base_url,
            state,
            shutdown,
            task: Some(task),
        })
    }

    /// Starts on 127.0.0.1 with a free port, as tests do.
    pub async fn start_local(config: SandboxConfig) -> std::io::Result<Self> {
        Self::start(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// `http://127.0.0.1:PORT`: both the API base and the marketplace (OAuth) base.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The seeded ids and credentials.
    pub fn info(&self) -> SandboxInfo {
        self.state.info()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) -> Result<(), String> {
        self.state.set_faults(faults)
    }

    /// Sets the consent page's behaviour.
    pub fn set_consent(&self, consent: Consent) {
        self.state.lock().consent = consent;
    }

    /// The request log after `since` (0 for everything).
    pub fn requests(&self, since: u64) -> Vec<LoggedRequest> {
        self.state.requests(since)
    }

    /// The ids of a location's contacts, sorted (tests compare them with what a client
    /// read).
    pub fn contact_ids(&self, location_id: &str) -> Vec<String> {
        let inner = self.state.lock();
        let mut ids: Vec<String> = inner
            .world
            .contacts_of(location_id)
            .filter_map(|c| world::str_field(c, "id").map(str::to_owned))
            .collect();
        ids.sort();
        ids
    }

    /// A contact as the sandbox stores it (every field, no answer shape applied).
    pub fn contact(&self, id: &str) -> Option<world::Record> {
        self.state.lock().world.contacts.get(id).cloned()
    }

    /// How many notes a contact has.
    pub fn note_count(&self, contact_id: &str) -> usize {
        self.state
            .lock()
            .world
            .notes
            .get(contact_id)
            .map_or(0, Vec::len)
    }

    /// Mints a Private Integration token with exactly `scopes` for a location.
    pub fn mint_private_integration(&self, location_id: &str, scopes: &[&str]) -> Option<String> {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        self.state.mint_private_integration(location_id, &scopes)
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn initial_state(config: SandboxConfig) -> Inner {
    let world = seed::seed(seed::SeedConfig {
        seed: config.seed,
        contacts: config.contacts,
    });
    let mut apps = vec![demo_app()];
    apps.extend(
        config
            .apps
            .into_iter()
            .filter(|a| a.client_id != DEMO_CLIENT_ID),
    );
    let mut tokens = tokens::Tokens::new(
        apps,
        config.seed,
        config.access_token_lifetime_secs,
        config.code_lifetime_secs,
    );
    let location_scopes: std::collections::HashSet<String> = tokens::ALL_SCOPES
        .iter()
        .filter(|s| !s.starts_with("oauth."))
        .map(|s| (*s).to_owned())
        .collect();
    let pits = world
        .locations
        .iter()
        .map(|l| {
            let grant = tokens::Grant {
                app_id: format!("pit-integration-{}", l.id),
                user_type: tokens::UserType::Location,
                company_id: l.company_id.clone(),
                location_id: Some(l.id.clone()),
                scopes: location_scopes.clone(),
                user_id: l.users.first().cloned().unwrap_or_default(),
            };
            (l.id.clone(), tokens.add_private_integration(grant))
        })
        .collect();
    Inner {
        world,
        tokens,
        limiter: ratelimit::RateLimiter::new(config.limits),
        faults: config.faults,
        consent: config.consent,
        log: Vec::new(),
        rng: rand_chacha::ChaCha8Rng::seed_from_u64(config.seed ^ 0xfa_17),
        pits,
    }
}

async fn not_found(req: Request) -> impl IntoResponse {
    let message = format!("Cannot {} {}", req.method(), req.uri().path());
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "statusCode": 404, "message": message, "error": "Not Found" })),
    )
}

fn router(state: Shared) -> Router {
    let api = Router::new()
        .route("/contacts/", post(contacts::create).get(contacts::list))
        .route("/contacts", post(contacts::create).get(contacts::list))
        .route("/contacts/search", post(search::search))
        .route("/contacts/search/duplicate", get(contacts::duplicate))
        .route("/contacts/upsert", post(contacts::upsert))
        .route(
            "/contacts/business/{business_id}",
            get(contacts::by_business),
        )
        .route(
            "/contacts/{contact_id}",
            get(contacts::get)
                .put(contacts::update)
                .delete(contacts::delete),
        )
        .route(
            "/contacts/{contact_id}/tags",
            post(children::add_tags).delete(children::remove_tags),
        )
        .route(
            "/contacts/{contact_id}/notes",
            get(children::list_notes).post(children::create_note),
        )
        .route(
            "/contacts/{contact_id}/notes/{id}",
            get(children::get_note)
                .put(children::update_note)
                .delete(children::delete_note),
        )
        .route(
            "/contacts/{contact_id}/tasks",
            get(children::list_tasks).post(children::create_task),
        )
        .route(
            "/contacts/{contact_id}/tasks/{task_id}",
            get(children::get_task)
                .put(children::update_task)
                .delete(children::delete_task),
        )
        .route(
            "/contacts/{contact_id}/tasks/{task_id}/completed",
            put(children::complete_task),
        )
        .route(
            "/contacts/{contact_id}/appointments",
            get(children::appointments),
        )
        .route(
            "/locations/{location_id}/tasks/search",
            post(location_wide::search_tasks),
        )
        .route("/locations/{location_id}", get(location_wide::location))
        .route(
            "/locations/{location_id}/customFields",
            get(location_wide::custom_fields),
        )
        .route("/calendars/", get(location_wide::calendars))
        .route("/calendars", get(location_wide::calendars))
        .route("/calendars/events", get(location_wide::events))
        .route("/oauth/locationToken", post(oauth::location_token))
        .route("/oauth/installedLocations", get(oauth::installed_locations))
        .route_layer(from_fn_with_state(state.clone(), server::gate));
    let open = Router::new()
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/chooselocation", get(oauth::choose_location))
        .route("/v2/oauth/chooselocation", get(oauth::choose_location))
        .route("/oauth/chooselocation/decision", post(oauth::decide));
    api.merge(open)
        .fallback(not_found)
        .layer(from_fn_with_state(state.clone(), server::log_requests))
        .merge(control::router())
        .with_state(state)
}
