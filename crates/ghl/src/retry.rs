//! How retries are spaced: exponential backoff with "equal jitter". The n-th retry waits
//! between half and all of `min(cap, base × 2ⁿ)`, which spreads the retries of many
//! callers apart without ever retrying at once. One formula serves both places that
//! wait: a request retried inside the client ([`RetryPolicy::default`]), and a queued
//! change put back after a failure ([`RetryPolicy::QUEUED`]), whose attempts are counted
//! across syncs.

use std::time::Duration;

use rand::Rng;

/// How retries are spaced and bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (a request's; queued changes retry until GHL
    /// answers or refuses).
    pub max_retries: u32,
    /// Upper bound of the first retry's wait.
    pub base: Duration,
    /// Upper bound of any wait.
    pub cap: Duration,
}

impl Default for RetryPolicy {
    /// A request's retries: up to 4, the first after at most 250 ms, none after more
    /// than 8 s.
    fn default() -> Self {
        Self {
            max_retries: 4,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// A queued change put back after a server error or a rate limit: the first retry
    /// after 5–10 s, doubling up to half an hour.
    pub const QUEUED: Self = Self {
        max_retries: u32::MAX,
        base: Duration::from_secs(10),
        cap: Duration::from_secs(30 * 60),
    };

    /// The wait before retry number `retry` (0-based).
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(2u32.saturating_pow(retry.min(20)))
            .min(self.cap);
        let ms = ceiling.as_millis() as u64;
        Duration::from_millis(if ms < 2 {
            ms
        } else {
            rand::rng().random_range(ms / 2..=ms)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_between_half_and_all_of_the_growing_ceiling() {
        let policy = RetryPolicy {
            max_retries: 10,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
        };
        for _ in 0..200 {
            let first = policy.delay(0);
            assert!((Duration::from_millis(50)..=Duration::from_millis(100)).contains(&first));
            assert!(policy.delay(2) <= Duration::from_millis(400));
            assert!(policy.delay(9) >= Duration::from_millis(500));
            assert!(policy.delay(9) <= Duration::from_millis(1000));
        }
        let spread: std::collections::HashSet<_> = (0..50).map(|_| policy.delay(3)).collect();
        assert!(spread.len() > 5, "jitter should spread retries");
    }

    #[test]
    fn queued_changes_wait_longer_and_longer_up_to_half_an_hour() {
        let q = RetryPolicy::QUEUED;
        assert!(q.delay(0) >= Duration::from_secs(5));
        assert!(q.delay(0) <= Duration::from_secs(10));
        assert!(q.delay(30) >= Duration::from_secs(15 * 60));
        assert!(q.delay(30) <= Duration::from_secs(30 * 60));
    }
}
