//! Keeps one location's requests under GHL's rate limit, so that a well-behaved caller
//! never sees a 429. It learns the limit from the `X-RateLimit-*` headers and spaces
//! requests so that no window of the advertised length holds more than the advertised
//! maximum (a sliding log, which also satisfies any fixed-window counter on GHL's side).

use std::{collections::VecDeque, sync::Mutex, time::Duration};

use tokio::time::Instant;

use reqwest::header::HeaderMap;

/// GHL's documented burst limit, used until the headers say otherwise.
pub const DEFAULT_MAX: u32 = 100;
/// GHL's documented burst window.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

/// What the pacer currently believes about the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Requests per window.
    pub max: u32,
    /// Window length.
    pub interval: Duration,
    /// Requests left today, as GHL last reported.
    pub daily_remaining: Option<u32>,
    /// The daily limit, as GHL last reported.
    pub daily_limit: Option<u32>,
    /// Requests this pacer has let through since it was made (progress and ETA).
    pub sent_total: u64,
}

#[derive(Debug)]
struct State {
    max: u32,
    interval: Duration,
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    daily_remaining: Option<u32>,
    daily_limit: Option<u32>,
    sent_total: u64,
}

/// The pacer of one location, shared by every request to it.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
    margin: Duration,
}

impl Default for Pacer {
    fn default() -> Self {
        Self::new(Duration::from_millis(150))
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

impl Pacer {
    /// A pacer that keeps `margin` between windows, absorbing latency jitter between
    /// when a request leaves and when GHL counts it.
    pub fn new(margin: Duration) -> Self {
        Self {
            state: Mutex::new(State {
                max: DEFAULT_MAX,
                interval: DEFAULT_INTERVAL,
                sent: VecDeque::new(),
                blocked_until: None,
                daily_remaining: None,
                daily_limit: None,
                sent_total: 0,
            }),
            margin,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits until one more request may start, and counts it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut s = self.lock();
                let now = Instant::now();
                let window = s.interval + self.margin;
                while s
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= window)
                {
                    s.sent.pop_front();
                }
                match s.blocked_until {
                    Some(until) if until > now => until - now,
                    _ if (s.sent.len() as u32) < s.max.max(1) => {
                        s.blocked_until = None;
                        s.sent.push_back(now);
                        s.sent_total += 1;
                        return;
                    }
                    _ => s.sent.front().map_or(Duration::ZERO, |first| {
                        (*first + window).saturating_duration_since(now)
                    }),
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// Learns from a response's `X-RateLimit-*` headers. When GHL reports fewer requests
    /// left than this pacer accounts for (another client of the same app and location),
    /// the difference is booked now so that both stay under the limit.
    pub fn observe(&self, headers: &HeaderMap) {
        let mut s = self.lock();
        if let Some(max) = header_u64(headers, "x-ratelimit-max") {
            s.max = max.clamp(1, 10_000) as u32;
        }
        if let Some(ms) = header_u64(headers, "x-ratelimit-interval-milliseconds") {
            s.interval = Duration::from_millis(ms.clamp(1, 3_600_000));
        }
        if let Some(daily) = header_u64(headers, "x-ratelimit-daily-remaining") {
            s.daily_remaining = Some(daily.min(u64::from(u32::MAX)) as u32);
        }
        if let Some(limit) = header_u64(headers, "x-ratelimit-limit-daily") {
            s.daily_limit = Some(limit.min(u64::from(u32::MAX)) as u32);
        }
        if let Some(remaining) = header_u64(headers, "x-ratelimit-remaining") {
            let used_by_server = u64::from(s.max).saturating_sub(remaining) as usize;
            let now = Instant::now();
            while s.sent.len() < used_by_server {
                s.sent.push_back(now);
            }
        }
    }

    /// After a 429: no request starts for `retry_after`, or a whole window when GHL did
    /// not say.
    pub fn backoff(&self, retry_after: Option<Duration>) {
        let mut s = self.lock();
        let until = Instant::now() + retry_after.unwrap_or(s.interval + self.margin);
        s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
    }

    /// What the pacer knows of the limits.
    pub fn budget(&self) -> Budget {
        let s = self.lock();
        Budget {
            max: s.max,
            interval: s.interval,
            daily_remaining: s.daily_remaining,
            daily_limit: s.daily_limit,
            sent_total: s.sent_total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[tokio::test(start_paused = true)]
    async fn never_starts_more_than_max_per_window() {
        let pacer = Pacer::new(Duration::from_millis(10));
        pacer.observe(&headers(&[
            ("x-ratelimit-max", "5"),
            ("x-ratelimit-interval-milliseconds", "1000"),
        ]));
        let start = tokio::time::Instant::now();
        let mut starts = Vec::new();
        for _ in 0..12 {
            pacer.acquire().await;
            starts.push(start.elapsed());
        }
        for (i, t) in starts.iter().enumerate().skip(5) {
            assert!(
                *t >= starts[i - 5] + Duration::from_millis(1000),
                "request {i} started too early: {t:?}"
            );
        }
        assert!(starts[11] < Duration::from_millis(2100), "{:?}", starts[11]);
    }

    #[tokio::test(start_paused = true)]
    async fn books_what_other_clients_used_and_backs_off_after_429() {
        let pacer = Pacer::new(Duration::ZERO);
        pacer.observe(&headers(&[
            ("x-ratelimit-max", "10"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-interval-milliseconds", "1000"),
        ]));
        let start = tokio::time::Instant::now();
        pacer.acquire().await;
        assert!(start.elapsed() >= Duration::from_millis(1000));
        pacer.backoff(Some(Duration::from_secs(3)));
        pacer.acquire().await;
        assert!(start.elapsed() >= Duration::from_millis(4000));
    }

    #[test]
    fn exposes_the_daily_budget() {
        let pacer = Pacer::default();
        assert_eq!(pacer.budget().daily_remaining, None);
        pacer.observe(&headers(&[
            ("x-ratelimit-daily-remaining", "1234"),
            ("x-ratelimit-limit-daily", "200000"),
        ]));
        let budget = pacer.budget();
        assert_eq!(budget.daily_remaining, Some(1234));
        assert_eq!(budget.daily_limit, Some(200_000));
    }
}
