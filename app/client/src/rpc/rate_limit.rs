//! A client-side request rate: at most N requests in any window of length T
//! (a sliding window, so no burst at a window's edge doubles the rate, as a
//! token bucket of the same size would allow).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::config::RateLimit;

/// The send times of the last `limit` requests.
#[derive(Debug)]
struct SlidingWindow {
    limit: usize,
    per: Duration,
    sent: VecDeque<Instant>,
}

impl SlidingWindow {
    fn new(limit: u32, per: Duration) -> Self {
        let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
        SlidingWindow {
            limit,
            per,
            sent: VecDeque::with_capacity(limit.min(1_024)),
        }
    }

    /// How long until one more request fits at `now` (zero: it fits).
    fn wait(&mut self, now: Instant) -> Duration {
        while self
            .sent
            .front()
            .is_some_and(|first| now.saturating_duration_since(*first) >= self.per)
        {
            self.sent.pop_front();
        }
        match self.sent.front() {
            Some(first) if self.sent.len() >= self.limit => {
                (*first + self.per).saturating_duration_since(now)
            }
            _ => Duration::ZERO,
        }
    }

    fn record(&mut self, now: Instant) {
        self.sent.push_back(now);
    }
}

/// The total window and one window per JSON-RPC method.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    windows: Mutex<Windows>,
}

#[derive(Debug)]
struct Windows {
    total: SlidingWindow,
    per_method: HashMap<String, SlidingWindow>,
}

impl RateLimiter {
    /// A limiter enforcing `limit`.
    pub fn new(limit: RateLimit) -> Self {
        RateLimiter {
            limit,
            windows: Mutex::new(Windows {
                total: SlidingWindow::new(limit.requests, limit.per),
                per_method: HashMap::new(),
            }),
        }
    }

    /// Takes a slot for `method` at `now`, or says how long to wait first.
    fn try_acquire(&self, method: &str, now: Instant) -> Duration {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let Windows { total, per_method } = &mut *windows;
        let mut method_window = self.limit.per_method.map(|limit| {
            per_method
                .entry(method.to_string())
                .or_insert_with(|| SlidingWindow::new(limit, self.limit.per))
        });
        let mut wait = total.wait(now);
        if let Some(window) = method_window.as_mut() {
            wait = wait.max(window.wait(now));
        }
        if wait.is_zero() {
            total.record(now);
            if let Some(window) = method_window {
                window.record(now);
            }
        }
        wait
    }

    /// Waits until a request of `method` may go; returns how long it waited.
    pub async fn acquire(&self, method: &str) -> Duration {
        let started = Instant::now();
        loop {
            let wait = self.try_acquire(method, Instant::now());
            if wait.is_zero() {
                return started.elapsed();
            }
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(requests: u32, per_method: Option<u32>) -> RateLimiter {
        RateLimiter::new(RateLimit {
            requests,
            per_method,
            per: Duration::from_secs(10),
        })
    }

    #[test]
    fn at_most_n_requests_in_any_window() {
        let limiter = limiter(3, None);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.try_acquire("getSlot", start), Duration::ZERO);
        }
        let later = start + Duration::from_secs(4);
        assert_eq!(
            limiter.try_acquire("getSlot", later),
            Duration::from_secs(6)
        );
        let window_end = start + Duration::from_secs(10);
        assert_eq!(limiter.try_acquire("getSlot", window_end), Duration::ZERO);
        // The other two slots of the first burst free up at the same moment.
        assert_eq!(limiter.try_acquire("getSlot", window_end), Duration::ZERO);
        assert_eq!(limiter.try_acquire("getSlot", window_end), Duration::ZERO);
        assert!(limiter.try_acquire("getSlot", window_end) > Duration::ZERO);
    }

    #[test]
    fn one_method_is_held_back_while_others_go() {
        let limiter = limiter(10, Some(2));
        let now = Instant::now();
        assert!(limiter.try_acquire("getSignatureStatuses", now).is_zero());
        assert!(limiter.try_acquire("getSignatureStatuses", now).is_zero());
        assert_eq!(
            limiter.try_acquire("getSignatureStatuses", now),
            Duration::from_secs(10)
        );
        assert!(limiter.try_acquire("getAccountInfo", now).is_zero());
    }
}
