//! The sandbox's mutable state behind one lock: handlers never hold it across an await.

use std::sync::{Arc, Mutex, MutexGuard};

use rand_chacha::ChaCha8Rng;

use crate::{
    faults::Faults, ratelimit::RateLimiter, reqlog::LoggedRequest, tokens::Tokens, world::World,
};

/// How the consent page behaves.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Consent {
    /// Approve without showing the page (tests and the demo).
    pub auto_approve: bool,
    /// The location an auto-approval installs to; the first location when absent.
    pub location_id: Option<String>,
    /// Install agency-wide (a Company token) instead of to one location.
    pub company: bool,
    /// The scopes the app was configured with in the Marketplace: a grant holds only
    /// those of the requested scopes (every requested scope when absent).
    pub app_scopes: Option<Vec<String>>,
}

/// Everything that changes while the sandbox runs.
#[derive(Debug)]
pub struct Inner {
    /// The data.
    pub world: World,
    /// Apps and credentials.
    pub tokens: Tokens,
    /// Rate-limit counters.
    pub limiter: RateLimiter,
    /// Faults in force.
    pub faults: Faults,
    /// Consent-page behaviour.
    pub consent: Consent,
    /// Every request answered.
    pub log: Vec<crate::reqlog::LoggedRequest>,
    /// Decides probabilistic faults, seeded so that runs repeat.
    pub rng: ChaCha8Rng,
    /// The Private Integration token seeded for each location, by location id.
    pub pits: Vec<(String, String)>,
}

impl Inner {
    /// Appends to the request log, numbering the entry.
    pub fn record(&mut self, mut entry: LoggedRequest) {
        entry.seq = self.log.len() as u64 + 1;
        self.log.push(entry);
    }
}

/// The state shared by every handler.
#[derive(Debug, Clone)]
pub struct Shared(Arc<Mutex<Inner>>);

impl Shared {
    /// Wraps the initial state.
    pub fn new(inner: Inner) -> Self {
        Self(Arc::new(Mutex::new(inner)))
    }

    /// Locks the state. A handler that panicked while holding the lock leaves data that
    /// is still consistent at the record level, so the poison is ignored.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
