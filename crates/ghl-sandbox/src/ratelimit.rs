//! GHL's rate limits: a burst window and a daily budget per app and resource, reported
//! on every response through the `X-RateLimit-*` headers.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};
use chrono::NaiveDate;

use crate::decisions::{BURST_INTERVAL_MS, BURST_MAX, DAILY_LIMIT};

/// The limits in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests per burst window.
    pub max: u32,
    /// Burst window length in milliseconds.
    pub interval_ms: u64,
    /// Requests per UTC day.
    pub daily: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max: BURST_MAX,
            interval_ms: BURST_INTERVAL_MS,
            daily: DAILY_LIMIT,
        }
    }
}

/// The headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateHeaders {
    limits: Limits,
    remaining: u32,
    daily_remaining: u32,
}

impl RateHeaders {
    /// Adds the `X-RateLimit-*` headers.
    pub fn apply(&self, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        };
        set("x-ratelimit-limit-daily", self.limits.daily.to_string());
        set(
            "x-ratelimit-daily-remaining",
            self.daily_remaining.to_string(),
        );
        set(
            "x-ratelimit-interval-milliseconds",
            self.limits.interval_ms.to_string(),
        );
        set("x-ratelimit-max", self.limits.max.to_string());
        set("x-ratelimit-remaining", self.remaining.to_string());
    }

    /// Requests left in the current burst window.
    pub fn remaining(&self) -> u32 {
        self.remaining
    }
}

#[derive(Debug)]
struct Bucket {
    window_start: Instant,
    used: u32,
    day: NaiveDate,
    daily_used: u32,
}

/// The outcome of counting one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the request may proceed; `false` means 429.
    pub allowed: bool,
    /// What to report.
    pub headers: RateHeaders,
}

/// Burst and daily counters per (app, resource).
#[derive(Debug, Default)]
pub struct RateLimiter {
    limits: Limits,
    buckets: HashMap<(String, String), Bucket>,
}

impl RateLimiter {
    /// A limiter enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            buckets: HashMap::new(),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Counts a request of `app` on `resource`, unless it is over a limit.
    pub fn check(&mut self, app: &str, resource: &str, now: Instant, today: NaiveDate) -> Verdict {
        let limits = self.limits;
        let bucket = self
            .buckets
            .entry((app.to_owned(), resource.to_owned()))
            .or_insert(Bucket {
                window_start: now,
                used: 0,
                day: today,
                daily_used: 0,
            });
        if now.duration_since(bucket.window_start) >= Duration::from_millis(limits.interval_ms) {
            bucket.window_start = now;
            bucket.used = 0;
        }
        if bucket.day != today {
            bucket.day = today;
            bucket.daily_used = 0;
        }
        let allowed = bucket.used < limits.max && bucket.daily_used < limits.daily;
        if allowed {
            bucket.used += 1;
            bucket.daily_used += 1;
        }
        Verdict {
            allowed,
            headers: RateHeaders {
                limits,
                remaining: limits.max.saturating_sub(bucket.used),
                daily_remaining: limits.daily.saturating_sub(bucket.daily_used),
            },
        }
    }

    /// The headers a request would get now, without counting it (for injected 429s).
    pub fn peek(&self, app: &str, resource: &str) -> RateHeaders {
        let (used, daily_used) = self
            .buckets
            .get(&(app.to_owned(), resource.to_owned()))
            .map_or((0, 0), |b| (b.used, b.daily_used));
        RateHeaders {
            limits: self.limits,
            remaining: self.limits.max.saturating_sub(used),
            daily_remaining: self.limits.daily.saturating_sub(daily_used),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
    }

    #[test]
    fn the_request_after_max_in_a_window_is_refused_until_the_window_ends() {
        let mut limiter = RateLimiter::new(Limits {
            max: 3,
            interval_ms: 1000,
            daily: 100,
        });
        let t0 = Instant::now();
        for left in [2, 1, 0] {
            let v = limiter.check("app", "loc", t0, day(1));
            assert!(v.allowed);
            assert_eq!(v.headers.remaining(), left);
        }
        assert!(
            !limiter
                .check("app", "loc", t0 + Duration::from_millis(999), day(1))
                .allowed
        );
        assert!(
            limiter.check("other-app", "loc", t0, day(1)).allowed,
            "buckets are per app"
        );
        assert!(
            limiter.check("app", "other-loc", t0, day(1)).allowed,
            "and per resource"
        );
        assert!(
            limiter
                .check("app", "loc", t0 + Duration::from_millis(1000), day(1))
                .allowed
        );
    }

    #[test]
    fn the_daily_budget_runs_out_and_resets_the_next_day() {
        let mut limiter = RateLimiter::new(Limits {
            max: 100,
            interval_ms: 10,
            daily: 2,
        });
        let t0 = Instant::now();
        assert!(limiter.check("a", "l", t0, day(1)).allowed);
        let v = limiter.check("a", "l", t0 + Duration::from_millis(20), day(1));
        assert!(v.allowed);
        assert_eq!(v.headers.daily_remaining, 0);
        assert!(
            !limiter
                .check("a", "l", t0 + Duration::from_millis(40), day(1))
                .allowed
        );
        assert!(
            limiter
                .check("a", "l", t0 + Duration::from_millis(60), day(2))
                .allowed
        );
    }

    #[test]
    fn headers_carry_every_figure() {
        let mut limiter = RateLimiter::new(Limits::default());
        let v = limiter.check("a", "l", Instant::now(), day(1));
        let mut headers = HeaderMap::new();
        v.headers.apply(&mut headers);
        assert_eq!(headers["x-ratelimit-max"], "100");
        assert_eq!(headers["x-ratelimit-remaining"], "99");
        assert_eq!(headers["x-ratelimit-interval-milliseconds"], "10000");
        assert_eq!(headers["x-ratelimit-limit-daily"], "200000");
        assert_eq!(headers["x-ratelimit-daily-remaining"], "199999");
    }
}
