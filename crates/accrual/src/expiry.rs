//! Weight that expires on a scheduled day, applied lazily and in time order
//! (Curve's voting-escrow "slope changes", in day buckets).
//!
//! A position may hold part of its weight only until a known time (a lockup
//! boost: 3x while locked, 1x after). Waiting for someone to remove that
//! weight lets it keep earning; looping over positions is impossible. So the
//! pool schedules the *decrease of its total weight* in a bucket per day
//! ([`ExpiryBucket`], one account per day on chain), marks the day in a
//! bitmap ring ([`ExpiryRing`]) and, whenever it accrues, first walks the
//! marked days that have started, in order: for each, it releases the
//! stream up to that day's start (UTC midnight), distributes it at the total
//! weight that held until then, records the index in the bucket
//! (`index_at_end`) and subtracts the bucket's weight from the total. Then it
//! releases up to now. A position whose expiring weight ended settles that
//! weight up to the bucket's `index_at_end` and its remaining weight after
//! it ([`Position::settle_expired`]), whenever it is next touched: the
//! result is exactly what it would have earned had someone removed the
//! weight at that midnight.
//!
//! # Time
//!
//! Days are `floor(unix_time / DAY)` ([`day_of`]); day `d` starts at
//! `d × DAY` ([`day_start`]). An expiry at time `t` is scheduled on
//! [`end_day`]`(t) = ceil(t / DAY)`: rounded up to the next midnight, so
//! the weight lasts at least as long as it was promised.
//!
//! # The ring's window
//!
//! The ring has [`RING_DAYS`] = 2,048 bits; day `d` is bit `d mod 2,048`.
//! [`StreamedPool::schedule_expiry`] only accepts a day `d` with
//! `last_applied_day < d < last_applied_day + RING_DAYS`, and applying only
//! ever moves `last_applied_day` forward past days whose bits are clear, so
//! every set bit always names exactly one day of the window
//! `(last_applied_day, last_applied_day + RING_DAYS)`: the ring never
//! confuses two days.

use crate::{add_u128, mul_u128, to_u64, AccrualError, Pool, Position, RewardIndex, Stream, SCALE};

/// Length of an expiry bucket: one day (buckets start at UTC midnight).
pub const DAY: i64 = 86_400;

/// Days the ring tells apart: scheduling reaches at most this far ahead of
/// the last applied day (exclusive).
pub const RING_DAYS: i64 = 2_048;

/// Bytes of the ring's bitmap.
pub const RING_BYTES: usize = 256;

const _: () = assert!(RING_BYTES as i64 * 8 == RING_DAYS);

/// The day containing unix time `t`: `floor(t / DAY)`.
pub fn day_of(t: i64) -> i64 {
    t.div_euclid(DAY)
}

/// The unix time at which `day` starts (UTC midnight), `day × DAY`.
pub fn day_start(day: i64) -> Result<i64, AccrualError> {
    day.checked_mul(DAY).ok_or(AccrualError::Overflow)
}

/// The day at whose start something ending at time `t` ends, rounded up:
/// `ceil(t / DAY)` (a `t` at midnight stays on that day).
pub fn end_day(t: i64) -> i64 {
    let day = day_of(t);
    if t.rem_euclid(DAY) == 0 {
        day
    } else {
        // day ≤ i64::MAX / DAY: adding one cannot overflow.
        day.saturating_add(1)
    }
}

/// Position of `day` in the ring: (byte, bit mask).
fn slot(day: i64) -> (usize, u8) {
    let position = day.rem_euclid(RING_DAYS);
    // 0 ≤ position < 2,048: the casts and shifts below cannot truncate.
    let byte = (position / 8) as usize;
    let bit = (position % 8) as u32;
    (byte, 1u8 << bit)
}

/// The days holding unapplied buckets, as a bitmap ring, and the day up to
/// which every bucket has been applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryRing {
    /// Bit `d mod RING_DAYS` is set while day `d` (in the window after
    /// `last_applied_day`) has a bucket with weight still to expire.
    pub pending: [u8; RING_BYTES],
    /// Every bucket of a day up to and including this one has been applied.
    pub last_applied_day: i64,
}

impl Default for ExpiryRing {
    fn default() -> Self {
        ExpiryRing {
            pending: [0; RING_BYTES],
            last_applied_day: 0,
        }
    }
}

impl ExpiryRing {
    /// An empty ring whose past ends with the day of `now`.
    pub fn new(now: i64) -> Self {
        ExpiryRing {
            pending: [0; RING_BYTES],
            last_applied_day: day_of(now),
        }
    }

    /// Whether `day` can be scheduled: after the last applied day and less
    /// than [`RING_DAYS`] ahead of it.
    pub fn in_window(&self, day: i64) -> bool {
        day > self.last_applied_day
            && i128::from(day)
                .checked_sub(i128::from(self.last_applied_day))
                .is_some_and(|ahead| ahead < i128::from(RING_DAYS))
    }

    /// Whether `day` (in the window) has a bucket still to apply.
    pub fn is_pending(&self, day: i64) -> bool {
        let (byte, mask) = slot(day);
        self.in_window(day) && self.pending[byte] & mask != 0
    }

    fn set(&mut self, day: i64) {
        let (byte, mask) = slot(day);
        self.pending[byte] |= mask;
    }

    fn clear(&mut self, day: i64) {
        let (byte, mask) = slot(day);
        self.pending[byte] &= !mask;
    }

    /// The first pending day in `(last_applied_day, through_day]`, if any.
    /// Skips empty bytes eight days at a time (a pool idle for four years
    /// reads at most 256 bytes).
    pub fn next_pending(&self, through_day: i64) -> Option<i64> {
        Self::first_pending(&self.pending, self.last_applied_day, through_day)
    }

    /// [`next_pending`](Self::next_pending) of a ring stored elsewhere
    /// (read in place, not copied).
    pub fn first_pending(
        pending: &[u8; RING_BYTES],
        last_applied_day: i64,
        through_day: i64,
    ) -> Option<i64> {
        let last = through_day.min(last_applied_day.saturating_add(RING_DAYS.saturating_sub(1)));
        let mut day = last_applied_day.checked_add(1)?;
        while day <= last {
            let position = day.rem_euclid(RING_DAYS);
            let (byte, offset) = ((position / 8) as usize, (position % 8) as u32);
            let bits = pending[byte] >> offset;
            if bits != 0 {
                let found = day.checked_add(i64::from(bits.trailing_zeros()))?;
                return (found <= last).then_some(found);
            }
            // The rest of this byte is empty: on to the next byte's first day.
            day = day.checked_add(i64::from(8u32.checked_sub(offset)?))?;
        }
        None
    }

    /// Every pending day in order (for clients: which buckets exist to apply).
    pub fn pending_days(&self) -> impl Iterator<Item = i64> + '_ {
        let mut from = *self;
        core::iter::from_fn(move || {
            let day = from.next_pending(i64::MAX)?;
            // Cleared as it goes, so no bit is met again further round the ring.
            from.clear(day);
            from.last_applied_day = day;
            Some(day)
        })
    }
}

/// What one day's bucket holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpiryBucket {
    /// Weight that leaves the pool's total at the start of the day.
    pub weight_decrease: u128,
    /// The index (`reward_per_weight`) at the start of the day, written when
    /// the bucket is applied: the expiring weight earned up to here.
    pub index_at_end: u128,
    /// Whether the bucket has been applied (then it never changes again).
    pub applied: bool,
}

/// Where a pool finds the bucket of a day: on chain, the bucket accounts
/// passed to the instruction; in tests and clients, a list.
pub trait ExpiryBuckets {
    /// The bucket of `day`, or `None` if it was not provided.
    fn bucket_mut(&mut self, day: i64) -> Option<&mut ExpiryBucket>;
}

impl ExpiryBuckets for [(i64, ExpiryBucket)] {
    fn bucket_mut(&mut self, day: i64) -> Option<&mut ExpiryBucket> {
        self.iter_mut()
            .find(|(d, _)| *d == day)
            .map(|(_, bucket)| bucket)
    }
}

impl<const N: usize> ExpiryBuckets for [(i64, ExpiryBucket); N] {
    fn bucket_mut(&mut self, day: i64) -> Option<&mut ExpiryBucket> {
        self.as_mut_slice().bucket_mut(day)
    }
}

impl Position {
    /// [`StreamedPool::settle_expiring`] given only what it reads: the
    /// pool's index and last applied day (cheaper than copying a pool).
    pub fn settle_expiring(
        &mut self,
        expiring: u128,
        day: i64,
        last_applied_day: i64,
        index: &RewardIndex,
        buckets: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<bool, AccrualError> {
        if expiring == 0 || day > last_applied_day {
            self.settle(index)?;
            return Ok(false);
        }
        let bucket = buckets.bucket_mut(day).ok_or(AccrualError::MissingBucket)?;
        if !bucket.applied {
            return Err(AccrualError::ExpiryInconsistent);
        }
        self.settle_expired(expiring, bucket.index_at_end, index)?;
        Ok(true)
    }

    /// Settles a position part of whose weight, `expired`, stopped earning
    /// when the index stood at `index_at_end` (≤ now): the whole weight earns
    /// up to `index_at_end`, the rest (`weight − expired`) from there to
    /// `index`, floored once:
    ///
    /// ```text
    /// pending += floor((weight × (index_at_end − snapshot)
    ///                  + (weight − expired) × (index − index_at_end)) / SCALE)
    /// ```
    ///
    /// then `weight −= expired` and the snapshot moves to `index`. The
    /// position must not have been settled after `index_at_end` with the
    /// expired weight still in it (the snapshot is at most `index_at_end`).
    /// The pool's total was already reduced when the bucket was applied; this
    /// only changes the position. On error nothing changes.
    pub fn settle_expired(
        &mut self,
        expired: u128,
        index_at_end: u128,
        index: &RewardIndex,
    ) -> Result<(), AccrualError> {
        let remaining = self
            .weight
            .checked_sub(expired)
            .ok_or(AccrualError::InsufficientWeight)?;
        let before_end = index_at_end
            .checked_sub(self.index_snapshot)
            .ok_or(AccrualError::SnapshotAhead)?;
        let after_end = index
            .reward_per_weight
            .checked_sub(index_at_end)
            .ok_or(AccrualError::SnapshotAhead)?;
        let scaled = add_u128(
            mul_u128(self.weight, before_end)?,
            mul_u128(remaining, after_end)?,
        )?;
        let pending = self
            .pending
            .checked_add(to_u64(scaled / SCALE)?)
            .ok_or(AccrualError::Overflow)?;
        self.pending = pending;
        self.weight = remaining;
        self.index_snapshot = index.reward_per_weight;
        Ok(())
    }
}

/// A [`Pool`] fed by a [`Stream`] that only runs while the pool has weight,
/// whose positions may hold weight that expires on a scheduled day.
///
/// Use it in this order in every operation: [`advance`](Self::advance) to
/// now (applies the due buckets, then releases); then
/// [`settle_expiring`](Self::settle_expiring) for the position touched;
/// then weight changes through `pool` and
/// [`schedule_expiry`](Self::schedule_expiry) /
/// [`cancel_expiry`](Self::cancel_expiry). `pool.undistributed` stays 0:
/// nothing is ever released while the total weight is 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamedPool {
    pub stream: Stream,
    pub pool: Pool,
    pub ring: ExpiryRing,
    /// Σ `weight_decrease` of the pending buckets: weight of `pool` that is
    /// scheduled to expire (never more than the total weight).
    pub expiring_weight: u128,
}

impl StreamedPool {
    /// An empty pool at `now`: no weight, nothing funded, no day pending.
    pub fn new(now: i64) -> Self {
        StreamedPool {
            stream: Stream {
                period_end: now,
                last_update: now,
                ..Stream::default()
            },
            pool: Pool::default(),
            ring: ExpiryRing::new(now),
            expiring_weight: 0,
        }
    }

    /// Releases the stream up to `until` at the current total weight, or
    /// idles it while the total weight is 0 ([`Stream::release_into`]).
    pub fn release_until(&mut self, until: i64) -> Result<u64, AccrualError> {
        self.stream
            .release_into(&mut self.pool.index, self.pool.total_weight, until)
    }

    /// The first day whose bucket is due at `now` (started, not applied).
    pub fn next_due(&self, now: i64) -> Option<i64> {
        self.ring.next_pending(day_of(now))
    }

    /// Applies the bucket of `day`, which must be the first pending day:
    /// releases the stream up to the day's start at the weight that held
    /// until then, records the index in the bucket, takes the bucket's weight
    /// out of the total and marks the day done. On error nothing changes.
    pub fn apply_expiry(
        &mut self,
        day: i64,
        bucket: &mut ExpiryBucket,
    ) -> Result<(), AccrualError> {
        if bucket.applied || self.ring.next_pending(day) != Some(day) {
            return Err(AccrualError::ExpiryInconsistent);
        }
        let mut next = *self;
        next.release_until(day_start(day)?)?;
        next.pool.total_weight = next
            .pool
            .total_weight
            .checked_sub(bucket.weight_decrease)
            .ok_or(AccrualError::InsufficientWeight)?;
        next.expiring_weight = next
            .expiring_weight
            .checked_sub(bucket.weight_decrease)
            .ok_or(AccrualError::InsufficientWeight)?;
        next.ring.clear(day);
        next.ring.last_applied_day = day;
        *self = next;
        bucket.index_at_end = self.pool.index.reward_per_weight;
        bucket.applied = true;
        Ok(())
    }

    /// Applies, in day order, every bucket due at `now` that `buckets`
    /// holds, stopping before the first one it lacks; returns how many it
    /// applied. Each application is atomic; the pool then stands at the last
    /// applied day's start, a consistent state from which to go on later.
    pub fn apply_due(
        &mut self,
        now: i64,
        buckets: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<u32, AccrualError> {
        let mut applied = 0u32;
        while let Some(day) = self.next_due(now) {
            let Some(bucket) = buckets.bucket_mut(day) else {
                break;
            };
            self.apply_expiry(day, bucket)?;
            applied = applied.saturating_add(1);
        }
        Ok(applied)
    }

    /// Brings the pool to `now`: applies every due bucket in order, then
    /// releases the stream up to `now`. A due bucket missing from `buckets`
    /// is [`AccrualError::MissingBucket`] (the buckets before it stay
    /// applied: see [`apply_due`](Self::apply_due)).
    pub fn advance(
        &mut self,
        now: i64,
        buckets: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<(), AccrualError> {
        self.apply_due(now, buckets)?;
        if self.next_due(now).is_some() {
            return Err(AccrualError::MissingBucket);
        }
        self.release_until(now)?;
        // Nothing pending up to today: every day up to today is done.
        self.ring.last_applied_day = self.ring.last_applied_day.max(day_of(now));
        Ok(())
    }

    /// Schedules `weight` of the pool's total (part of some position's
    /// weight, which the caller adds through `pool`) to expire at the start
    /// of `day`. The day must be in the ring's window and its bucket not yet
    /// applied ([`AccrualError::ExpiryOutOfRange`]). A zero weight schedules
    /// nothing. On error nothing changes.
    pub fn schedule_expiry(
        &mut self,
        day: i64,
        bucket: &mut ExpiryBucket,
        weight: u128,
    ) -> Result<(), AccrualError> {
        if weight == 0 {
            return Ok(());
        }
        if bucket.applied || !self.ring.in_window(day) {
            return Err(AccrualError::ExpiryOutOfRange);
        }
        let decrease = add_u128(bucket.weight_decrease, weight)?;
        self.expiring_weight = add_u128(self.expiring_weight, weight)?;
        bucket.weight_decrease = decrease;
        self.ring.set(day);
        Ok(())
    }

    /// Takes `weight` back out of `day`'s pending bucket (the position it
    /// belonged to changes its lock before the day came); the day is
    /// unmarked when its bucket becomes empty. On error nothing changes.
    pub fn cancel_expiry(
        &mut self,
        day: i64,
        bucket: &mut ExpiryBucket,
        weight: u128,
    ) -> Result<(), AccrualError> {
        if weight == 0 {
            return Ok(());
        }
        if bucket.applied || !self.ring.is_pending(day) {
            return Err(AccrualError::ExpiryInconsistent);
        }
        let decrease = bucket
            .weight_decrease
            .checked_sub(weight)
            .ok_or(AccrualError::InsufficientWeight)?;
        self.expiring_weight = self
            .expiring_weight
            .checked_sub(weight)
            .ok_or(AccrualError::InsufficientWeight)?;
        bucket.weight_decrease = decrease;
        if decrease == 0 {
            self.ring.clear(day);
        }
        Ok(())
    }

    /// Settles `position`, which holds `expiring` weight scheduled on `day`.
    /// If that day's bucket has been applied, the expiring weight earned up
    /// to the bucket's `index_at_end` and leaves the position
    /// ([`Position::settle_expired`]; the bucket must be in `buckets`, else
    /// [`AccrualError::MissingBucket`]); returns `true` then. Otherwise a
    /// plain settlement, `false`. Call after [`advance`](Self::advance).
    pub fn settle_expiring(
        &self,
        position: &mut Position,
        expiring: u128,
        day: i64,
        buckets: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<bool, AccrualError> {
        position.settle_expiring(
            expiring,
            day,
            self.ring.last_applied_day,
            &self.pool.index,
            buckets,
        )
    }
}
