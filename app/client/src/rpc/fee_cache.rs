//! Recent prioritization fees change slowly (the node reports the last 150
//! slots), so one answer serves the sends over the same writable accounts
//! for a few seconds: a deploy's hundreds of buffer writes ask once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;

/// More distinct account sets than this and the oldest answers go.
const MAX_ENTRIES: usize = 256;

/// Unit prices by writable-account set, each kept for `ttl`.
#[derive(Debug)]
pub struct FeeCache {
    ttl: Duration,
    entries: Mutex<HashMap<Vec<Pubkey>, (u64, Instant)>>,
}

impl FeeCache {
    /// A cache keeping answers for `ttl` (zero: no caching).
    pub fn new(ttl: Duration) -> Self {
        FeeCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn key(accounts: &[Pubkey]) -> Vec<Pubkey> {
        let mut key = accounts.to_vec();
        key.sort_unstable();
        key
    }

    /// The price found for `accounts` less than `ttl` before `now`.
    pub fn get(&self, accounts: &[Pubkey], now: Instant) -> Option<u64> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (price, at) = entries.get(&Self::key(accounts))?;
        (now.saturating_duration_since(*at) < self.ttl).then_some(*price)
    }

    /// Remembers `price` for `accounts` as of `now`.
    pub fn put(&self, accounts: &[Pubkey], price: u64, now: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, (_, at)| now.saturating_duration_since(*at) < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(Self::key(accounts), (price, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_serve_the_same_accounts_in_any_order_until_they_age() {
        let cache = FeeCache::new(Duration::from_secs(10));
        let (a, b) = (Pubkey::new_unique(), Pubkey::new_unique());
        let now = Instant::now();
        assert_eq!(cache.get(&[a, b], now), None);
        cache.put(&[a, b], 7_000, now);
        assert_eq!(
            cache.get(&[b, a], now + Duration::from_secs(9)),
            Some(7_000)
        );
        assert_eq!(cache.get(&[a], now), None);
        assert_eq!(cache.get(&[a, b], now + Duration::from_secs(10)), None);
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = FeeCache::new(Duration::ZERO);
        let a = Pubkey::new_unique();
        let now = Instant::now();
        cache.put(&[a], 1, now);
        assert_eq!(cache.get(&[a], now), None);
    }
}
