//! When to retry: jittered exponential backoff, and the server's
//! `Retry-After` (seconds or an HTTP date) when it sends one.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Exponential backoff with "equal jitter": the n-th retry waits between
/// half and all of `min(initial * 2^n, max)`, so clients that failed together
/// spread out, yet none retries at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first retry's ceiling.
    pub initial: Duration,
    /// No wait is longer.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(8),
        }
    }
}

impl Backoff {
    /// The ceiling of retry `attempt` (0 for the first retry).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.initial
            .checked_mul(factor)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// The wait before retry `attempt`, `unit` in `[0, 1)` being the random draw.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let ceiling = self.ceiling(attempt);
        let half = ceiling / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }

    /// The wait before retry `attempt`: the server's `Retry-After` (cut to
    /// `max_retry_after`, a few jittered milliseconds added) when given,
    /// else the backoff's own delay.
    pub fn delay_after(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        max_retry_after: Duration,
        unit: f64,
    ) -> Duration {
        match retry_after {
            Some(wait) => {
                wait.min(max_retry_after) + RETRY_AFTER_JITTER.mul_f64(unit.clamp(0.0, 1.0))
            }
            None => self.delay(attempt, unit),
        }
    }
}

/// Spread of retries that all honour the same `Retry-After`.
const RETRY_AFTER_JITTER: Duration = Duration::from_millis(100);

/// A `Retry-After` header: delay-seconds or an HTTP date (IMF-fixdate,
/// `Sun, 06 Nov 1994 08:49:37 GMT`), relative to `now`. A date in the past
/// means no wait.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// IMF-fixdate, the one HTTP date format servers send today.
fn parse_http_date(value: &str) -> Option<SystemTime> {
    let mut parts = value.split_whitespace();
    let _weekday = parts.next()?;
    let day: u32 = parts.next()?.parse().ok()?;
    let month = month_number(parts.next()?)?;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    let hour: u64 = clock.next()?.parse().ok()?;
    let minute: u64 = clock.next()?.parse().ok()?;
    let second: u64 = clock.next()?.parse().ok()?;
    if parts.next()? != "GMT" || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60
    {
        return None;
    }
    let days = u64::try_from(days_from_civil(year, month, day)).ok()?;
    let seconds = days
        .checked_mul(86_400)?
        .checked_add(hour * 3_600 + minute * 60 + second)?;
    UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = MONTHS.iter().position(|m| *m == name)?;
    u32::try_from(index).ok().map(|i| i + 1)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm); `month` in 1..=12.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A uniform draw in `[0, 1)` for jitter: std's randomly keyed hasher over a
/// counter, since jitter needs spread, not cryptographic quality.
pub fn jitter_unit() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn ceilings_double_up_to_the_maximum() {
        let backoff = Backoff {
            initial: ms(250),
            max: Duration::from_secs(8),
        };
        let ceilings: Vec<_> = (0..8).map(|n| backoff.ceiling(n)).collect();
        assert_eq!(
            ceilings,
            [250, 500, 1000, 2000, 4000, 8000, 8000, 8000].map(ms)
        );
        assert_eq!(backoff.ceiling(u32::MAX), Duration::from_secs(8));
    }

    #[test]
    fn jitter_stays_between_half_and_all_of_the_ceiling() {
        let backoff = Backoff::default();
        assert_eq!(backoff.delay(2, 0.0), ms(500));
        assert_eq!(backoff.delay(2, 1.0), ms(1000));
        assert_eq!(backoff.delay(2, 0.5), ms(750));
        for _ in 0..1_000 {
            let unit = jitter_unit();
            assert!((0.0..1.0).contains(&unit));
            let delay = backoff.delay(3, unit);
            assert!(delay >= ms(1000) && delay <= ms(2000));
        }
    }

    #[test]
    fn retry_after_wins_and_is_capped() {
        let backoff = Backoff::default();
        let cap = Duration::from_secs(30);
        assert_eq!(
            backoff.delay_after(0, Some(Duration::from_secs(2)), cap, 0.0),
            Duration::from_secs(2)
        );
        assert_eq!(
            backoff.delay_after(0, Some(Duration::from_secs(600)), cap, 0.0),
            cap
        );
        assert_eq!(backoff.delay_after(1, None, cap, 0.0), ms(250));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_770); // Sun, 06 Nov 1994 08:49:30 GMT
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(UNIX_EPOCH)
        );
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2028 12:00:00 GMT"),
            Some(UNIX_EPOCH + Duration::from_secs(1_835_438_400))
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 UTC", now),
            None
        );
    }
}
