//! Whether GHL is answering right now: how long requests have been in flight without
//! any answer. A GHL that accepts connections but never answers takes a request's whole
//! timeout to fail; this lets the app say "not answering" within seconds instead.

use std::{
    sync::{
        atomic::{AtomicU32, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

/// Requests in flight and when the last one started on an idle client or answered.
#[derive(Debug, Default)]
pub(crate) struct Liveness {
    in_flight: AtomicU32,
    since: Mutex<Option<Instant>>,
}

impl Liveness {
    fn mark(&self) {
        *self.since.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// A request leaves.
    pub(crate) fn started(&self) {
        if self.in_flight.fetch_add(1, Ordering::SeqCst) == 0 {
            self.mark();
        }
    }

    /// A request got an answer or failed.
    pub(crate) fn ended(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.mark();
    }

    /// How long requests have waited without any answer (`None`: none in flight).
    pub(crate) fn waiting_for(&self) -> Option<Duration> {
        if self.in_flight.load(Ordering::SeqCst) == 0 {
            return None;
        }
        let since = *self.since.lock().unwrap_or_else(|p| p.into_inner());
        since.map(|at| at.elapsed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_only_while_requests_are_in_flight() {
        let live = Liveness::default();
        assert_eq!(live.waiting_for(), None);
        live.started();
        live.started();
        std::thread::sleep(Duration::from_millis(20));
        assert!(live.waiting_for().unwrap() >= Duration::from_millis(20));
        live.ended();
        assert!(
            live.waiting_for().unwrap() < Duration::from_millis(20),
            "an answer is progress"
        );
        live.ended();
        assert_eq!(live.waiting_for(), None);
    }
}
