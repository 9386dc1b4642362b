//! O(1) pro-rata reward accrual, shared by the staking program (rewards
//! streamed at a rate over a period, paid pro rata to position weights) and
//! the revenue-share program (lump sums paid pro rata to shares).
//!
//! Nothing here ever loops over holders, uses floats, allocates, panics or
//! wraps: every operation is checked and returns [`AccrualError`] instead,
//! and **on error the value it was called on is left unchanged**. The crate is
//! `no_std` and builds for SBF.
//!
//! # The scheme
//!
//! A [`RewardIndex`] holds `reward_per_weight`, the cumulative amount of
//! reward paid to one unit of weight since the index was created, as a fixed
//! point number with [`SCALE`] = 10^12 (so it counts `tokens × SCALE` per
//! unit of weight). Distributing `amount` tokens to a total weight `W` adds
//! `amount × SCALE / W` to it. A [`Position`] of weight `w` remembers the
//! index value at which it was last settled (`index_snapshot`); its reward
//! since then is `w × (reward_per_weight − index_snapshot) / SCALE`, which
//! [`Position::settle`] moves into `pending` before the weight may change, so a
//! weight change never earns (or loses) retroactively. Claiming is
//! [`Position::take_pending`]. Each step touches one index and one position.
//!
//! * [`Stream`]: "fund X tokens over D seconds" (Synthetix style). The
//!   program calls [`Stream::release`] with the clock and passes the released
//!   tokens to [`Pool::deposit`] before it changes any weight.
//! * [`Pool`]: index + total weight + an `undistributed` bucket for tokens
//!   that arrive while nothing has weight (they are distributed with the next
//!   deposit instead of being lost).
//! * [`Stream::idle`] / [`Stream::release_into`]: a stream only runs while
//!   something has weight; idle time moves the period's end by as much, so
//!   nothing released piles up for whoever arrives next (staking uses this,
//!   not `undistributed`).
//! * [`StreamedPool`]: a stream feeding a pool whose positions may hold
//!   weight that expires on a scheduled day (lock boosts), applied lazily
//!   and in time order from day buckets marked in a bitmap ring (module
//!   `expiry`, after Curve's voting-escrow slope changes), so the weight
//!   stops earning exactly on time with nobody calling anything.
//!
//! # Rounding: always against the claimant, with the remainders kept
//!
//! There are exactly two roundings, both floors:
//!
//! 1. **Distribution** ([`RewardIndex::distribute`]): with
//!    `value = amount × SCALE + dust`, the index grows by
//!    `floor(value / W)` and the remainder `value mod W` becomes the new
//!    `dust` (in `tokens × SCALE` units, always `< W` at the time of the
//!    distribution). The dust is carried into the next distribution, so it is
//!    never lost, only delayed: exactly
//!    `W × increment + dust_after = amount × SCALE + dust_before`.
//!    Hence, per distribution,
//!    `Σ_i floor(w_i × increment / SCALE) ≤ amount + floor(dust_before / SCALE)`
//!    (`≤ amount` whenever the carried dust is below one token, e.g. whenever
//!    the total weight never exceeds `SCALE`), and over the whole history
//!    `Σ_i credited_i ≤ Σ amounts`. Dust is worth less than `W / SCALE`
//!    tokens; with `W ≤ SCALE` that is less than one token.
//! 2. **Settlement** ([`Position::settle`], [`Position::pending_at`]): a
//!    position is credited `floor(w × Δindex / SCALE)` whole tokens. The
//!    fraction (less than one token) is not credited to anyone: it stays in
//!    the vault as unowned residue. This only happens when the index moved
//!    since the position's last settlement, so it costs a holder less than one
//!    token per settlement, and at most one lossy settlement per distribution
//!    (settling again before the next distribution is free). A holder that
//!    settles rarely loses less: the fractions of several distributions are
//!    added before the floor.
//!
//! # Conservation (what the property tests check)
//!
//! For a [`Pool`] whose positions only change through the pool, at any time,
//! exactly:
//!
//! ```text
//! SCALE × (deposited − undistributed − Σ_i (claimed_i + pending_at_i))
//!     = index.dust + Σ (settlement residues, each < SCALE)
//! ```
//!
//! so nothing is ever paid that was not deposited (the left side is `≥ 0`),
//! nobody is paid twice ([`Position::take_pending`] zeroes `pending`, and the
//! snapshot moves with every settlement), and the shortfall is bounded:
//! `deposited − undistributed − Σ paid ≤ (dust + L × (SCALE − 1)) / SCALE`, where `L` is the
//! number of settlements (and the `pending_at` views) that found the index
//! moved, `L ≤ H × (D + 1)` for `H` holders and `D` distributions (a holder's
//! settlement can only lose something if a distribution happened since its
//! previous one). With total weight `≤ SCALE` the dust is below one token, so
//! the shortfall is below `1 + H × (D + 1)` tokens; the dust part of it is
//! not lost but paid out with the next distribution.
//!
//! Per holder, `SCALE × (claimed_i + pending_at_i)` never exceeds that
//! holder's exact rational share `Σ_k w_ik × value_k / W_k` of what was
//! distributed (`value_k` = deposit × SCALE + carried dust). If the weights
//! never change, that is simply `paid_i × W ≤ w_i × Σ deposits`.
//!
//! Carried dust is paid, pro rata like the deposit it joins, to whoever holds
//! weight at the next distribution. It is below `W / SCALE` base units, so
//! pick the weight unit with that in mind: with a total weight far above
//! `SCALE` (say 10^19), small distributions give an increment of 0 and wait
//! in the dust until enough has accumulated (delayed, never lost).
//!
//! # Overflow bounds
//!
//! * `amount × SCALE ≤ (2^64 − 1) × 10^12 ≈ 1.8 × 10^31 < u128::MAX ≈ 3.4 × 10^38`,
//!   and adding the dust (`< W`) or a second u64 (the pool's `undistributed`)
//!   still fits for any realistic weight, so a distribution itself can only
//!   fail if `reward_per_weight` itself overflows: that takes more than
//!   `3.4 × 10^26` base units distributed per unit of weight over the index's
//!   lifetime (e.g. with a total weight of 1, 1.8 × 10^7 deposits of
//!   `u64::MAX`).
//! * In settlement, `w × Δindex` fits because `w ≤ W_k` at every distribution
//!   `k` (which [`Pool`] maintains: `total_weight` is the sum of the weights):
//!   `w × increment_k ≤ W_k × increment_k ≤ value_k`, so
//!   `w × Δindex ≤ Σ value_k ≤ SCALE × (tokens distributed between two
//!   settlements of that position) + dust`. It can only overflow if more than
//!   3.4 × 10^26 base units are distributed between two settlements of one
//!   position, and the credited result must fit the u64 `pending` anyway.
//! * [`Stream`]: `rate × elapsed ≤ rate × duration ≤ total × SCALE`, with
//!   `total ≤ u64::MAX`; the times are i64 and differences are taken in i128.
//!
//! Any violation (state written inconsistently by a caller, absurd amounts)
//! returns [`AccrualError::Overflow`] (or a more specific error) rather than
//! panicking or wrapping.
//!
//! # On SBF
//!
//! u128 multiplication and division compile to the `__multi3`, `__udivti3`
//! and `__umodti3` libcalls, which `solana-compiler-builtins` provides (the
//! programs already link it with `use solana_compiler_builtins as _;`).

#![cfg_attr(not(test), no_std)]
// Every operation outside the tests is checked; keep it that way.
#![cfg_attr(not(test), deny(clippy::arithmetic_side_effects))]

use core::fmt;

mod expiry;
#[cfg(test)]
mod tests;

pub use expiry::*;

/// Fixed-point scale of [`RewardIndex::reward_per_weight`] (10^12).
pub const SCALE: u128 = 1_000_000_000_000;

/// Why an accrual operation was refused. The value operated on is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccrualError {
    /// A checked operation would overflow (or a result does not fit a u64).
    Overflow,
    /// Distribution to a total weight of zero.
    NoWeight,
    /// A stream duration `<= 0`.
    InvalidPeriod,
    /// Removing more weight than a position (or the pool total) holds.
    InsufficientWeight,
    /// A position's `index_snapshot` is above the index it is settled
    /// against (the position belongs to another index, or state is corrupt).
    SnapshotAhead,
    /// An expiry bucket that is due (or that a position needs) was not
    /// provided ([`ExpiryBuckets`]).
    MissingBucket,
    /// Scheduling an expiry on a day that is not in the ring's window (not
    /// after the last applied day, or too far ahead), or on a bucket that was
    /// already applied.
    ExpiryOutOfRange,
    /// An expiry bucket or ring in a state the operation does not allow
    /// (applied out of day order, applied twice, cancelled after it ended).
    ExpiryInconsistent,
}

impl fmt::Display for AccrualError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Overflow => "arithmetic overflow in reward accrual",
            Self::NoWeight => "no weight to distribute rewards to",
            Self::InvalidPeriod => "reward period must be longer than zero seconds",
            Self::InsufficientWeight => "removing more weight than is held",
            Self::SnapshotAhead => "position snapshot is ahead of the reward index",
            Self::MissingBucket => "a due expiry bucket was not provided",
            Self::ExpiryOutOfRange => "expiry day outside the schedulable window",
            Self::ExpiryInconsistent => "expiry bucket or ring in an inconsistent state",
        })
    }
}

fn add_u128(a: u128, b: u128) -> Result<u128, AccrualError> {
    a.checked_add(b).ok_or(AccrualError::Overflow)
}

fn mul_u128(a: u128, b: u128) -> Result<u128, AccrualError> {
    a.checked_mul(b).ok_or(AccrualError::Overflow)
}

fn to_u64(x: u128) -> Result<u64, AccrualError> {
    u64::try_from(x).map_err(|_| AccrualError::Overflow)
}

/// Cumulative reward per unit of weight, `tokens × SCALE / weight`, plus the
/// undistributed remainder of the last distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RewardIndex {
    /// Cumulative reward per unit of weight, scaled by [`SCALE`]. Never decreases.
    pub reward_per_weight: u128,
    /// Remainder of the last distribution, in `tokens × SCALE` units (not per
    /// weight): `< total_weight` of that distribution. Added to the next one.
    pub dust: u128,
}

impl RewardIndex {
    /// Distributes `amount` tokens pro rata to `total_weight`:
    /// `value = amount × SCALE + dust`, `reward_per_weight += value / total_weight`,
    /// `dust = value % total_weight`.
    ///
    /// `total_weight == 0` is [`AccrualError::NoWeight`] (also for
    /// `amount == 0`); the caller keeps such amounts (see [`Pool`]).
    pub fn distribute(&mut self, amount: u64, total_weight: u128) -> Result<(), AccrualError> {
        self.distribute_scaled(mul_u128(u128::from(amount), SCALE)?, total_weight)
    }

    /// [`distribute`](Self::distribute) of a value already in `tokens × SCALE`.
    fn distribute_scaled(&mut self, scaled: u128, total_weight: u128) -> Result<(), AccrualError> {
        if total_weight == 0 {
            return Err(AccrualError::NoWeight);
        }
        let value = add_u128(scaled, self.dust)?;
        let increment = value
            .checked_div(total_weight)
            .ok_or(AccrualError::NoWeight)?;
        let dust = value
            .checked_rem(total_weight)
            .ok_or(AccrualError::NoWeight)?;
        self.reward_per_weight = add_u128(self.reward_per_weight, increment)?;
        self.dust = dust;
        Ok(())
    }

    /// Whole tokens currently held back as dust, `floor(dust / SCALE)`.
    pub fn dust_tokens(&self) -> u128 {
        self.dust / SCALE
    }
}

/// One holder's weight and unclaimed reward against a [`RewardIndex`].
///
/// Start from `Position::default()` (weight 0) and give it weight only
/// through [`set_weight`](Self::set_weight) or [`Pool::add_weight`]: those
/// settle first, which moves the snapshot to the current index, so a new
/// position never earns rewards distributed before it existed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    /// Weight (stake, shares, ...) the position earns with.
    pub weight: u128,
    /// `reward_per_weight` at the last settlement.
    pub index_snapshot: u128,
    /// Settled, unclaimed reward in tokens.
    pub pending: u64,
}

impl Position {
    /// Credits the reward since the last settlement:
    /// `pending += floor(weight × (index.reward_per_weight − index_snapshot) / SCALE)`,
    /// `index_snapshot = index.reward_per_weight`. The floor rounds against
    /// the holder; the fraction stays unowned in the vault.
    pub fn settle(&mut self, index: &RewardIndex) -> Result<(), AccrualError> {
        self.pending = self.pending_at(index)?;
        self.index_snapshot = index.reward_per_weight;
        Ok(())
    }

    /// Settles at the old weight, then sets `weight = new_weight`, so the new
    /// weight only earns from now on. Keeping the total weight consistent is
    /// the caller's job ([`Pool::set_weight`] does it).
    pub fn set_weight(
        &mut self,
        new_weight: u128,
        index: &RewardIndex,
    ) -> Result<(), AccrualError> {
        self.settle(index)?;
        self.weight = new_weight;
        Ok(())
    }

    /// Returns the settled reward and zeroes it (a claim). Settle first to
    /// include everything up to now ([`Pool::claim`] does both).
    #[must_use = "the returned amount is no longer recorded in the position"]
    pub fn take_pending(&mut self) -> u64 {
        core::mem::take(&mut self.pending)
    }

    /// What [`settle`](Self::settle) would leave in `pending`, without
    /// changing anything (what a client shows as claimable).
    pub fn pending_at(&self, index: &RewardIndex) -> Result<u64, AccrualError> {
        let delta = index
            .reward_per_weight
            .checked_sub(self.index_snapshot)
            .ok_or(AccrualError::SnapshotAhead)?;
        let earned = to_u64(mul_u128(self.weight, delta)? / SCALE)?;
        self.pending
            .checked_add(earned)
            .ok_or(AccrualError::Overflow)
    }
}

/// Tokens released linearly over a period ("fund X tokens over D seconds").
///
/// Releases are `floor` of the cumulative schedule: by time `t` of a period
/// that started at `s` with `total` tokens over `duration` seconds, exactly
/// `floor(rate_per_second × (t − s) / SCALE)` tokens have been released,
/// where `rate_per_second = floor(total × SCALE / duration)`; that is never
/// more than `total × (t − s) / duration` (never ahead of schedule), and at
/// `period_end` whatever is left of `remaining` is released, so the releases
/// of a period add up to exactly `total`. The sub-token part of the
/// schedule is kept in `carry` between calls, so calling [`release`](Self::release)
/// often loses nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stream {
    /// Release rate in `tokens × SCALE` per second.
    pub rate_per_second: u128,
    /// Unix time at which the current period ends (everything is released then).
    pub period_end: i64,
    /// Time up to which tokens have been released; never decreases.
    pub last_update: i64,
    /// Tokens funded and not yet released (current period including leftovers).
    pub remaining: u64,
    /// Released-but-not-yet-whole part of the schedule, `tokens × SCALE`, `< SCALE`.
    pub carry: u128,
}

impl Stream {
    /// Releases the tokens due between `last_update` and `min(now, period_end)`
    /// and returns them; sets `last_update = max(last_update, now)`. A `now`
    /// before `last_update` counts as no time passed (returns 0). At or after
    /// `period_end` everything still `remaining` is released.
    pub fn release(&mut self, now: i64) -> Result<u64, AccrualError> {
        let (released, carry, now) = self.compute_release(now)?;
        self.remaining = self
            .remaining
            .checked_sub(released)
            .ok_or(AccrualError::Overflow)?;
        self.carry = carry;
        self.last_update = now;
        Ok(released)
    }

    /// What [`release`](Self::release) would return at `now`, without changing anything.
    pub fn releasable_at(&self, now: i64) -> Result<u64, AccrualError> {
        self.compute_release(now).map(|(released, _, _)| released)
    }

    /// Returns `(released, new carry, new last_update)`, `released <= remaining`.
    fn compute_release(&self, now: i64) -> Result<(u64, u128, i64), AccrualError> {
        let now = now.max(self.last_update);
        if self.remaining == 0 {
            return Ok((0, 0, now));
        }
        if now >= self.period_end {
            return Ok((self.remaining, 0, now));
        }
        // last_update <= now < period_end; the i128 difference cannot overflow.
        let elapsed = i128::from(now)
            .checked_sub(i128::from(self.last_update))
            .and_then(|elapsed| u128::try_from(elapsed).ok())
            .ok_or(AccrualError::Overflow)?;
        let scaled = add_u128(mul_u128(self.rate_per_second, elapsed)?, self.carry)?;
        let released = to_u64((scaled / SCALE).min(u128::from(self.remaining)))?;
        Ok((released, scaled % SCALE, now))
    }

    /// Starts a new period at `max(now, last_update)` lasting `duration`
    /// seconds that releases `amount` plus everything still `remaining`
    /// (the leftover of the current period): `rate_per_second =
    /// floor(total × SCALE / duration)`, `period_end = start + duration`.
    ///
    /// Call [`release`](Self::release)`(now)` first and distribute what it
    /// returns: tokens that were due but not yet released are otherwise
    /// part of the leftover and spread over the new period (not lost, but
    /// paid later). `duration <= 0` is [`AccrualError::InvalidPeriod`].
    pub fn fund(&mut self, amount: u64, duration: i64, now: i64) -> Result<(), AccrualError> {
        if duration <= 0 {
            return Err(AccrualError::InvalidPeriod);
        }
        let start = now.max(self.last_update);
        let total = self
            .remaining
            .checked_add(amount)
            .ok_or(AccrualError::Overflow)?;
        let period_end = start.checked_add(duration).ok_or(AccrualError::Overflow)?;
        let duration = u128::try_from(duration).map_err(|_| AccrualError::InvalidPeriod)?;
        let rate_per_second = mul_u128(u128::from(total), SCALE)?
            .checked_div(duration)
            .ok_or(AccrualError::InvalidPeriod)?;
        *self = Self {
            rate_per_second,
            period_end,
            last_update: start,
            remaining: total,
            carry: 0,
        };
        Ok(())
    }
    /// Lets time pass up to `now` without releasing anything, because
    /// nothing could be paid (no weight): the period is extended by the idle
    /// time `now − last_update`, so the funded tokens are still released
    /// over the same amount of *earning* time, at the same rate, and nothing
    /// released accumulates for whoever arrives next. Sets `last_update =
    /// max(last_update, now)`; a `now` before `last_update` changes nothing.
    ///
    /// A stream with nothing `remaining` only moves `last_update`. The new
    /// `period_end` saturates at `i64::MAX` (a period that far out never
    /// ends anyway), so idling never fails.
    pub fn idle(&mut self, now: i64) {
        if now <= self.last_update {
            return;
        }
        if self.remaining > 0 {
            // last_update < now, so the difference is positive; in i128 it
            // cannot overflow, and it fits an i64 again (≤ now − i64::MIN
            // only for absurd inputs, hence the saturation).
            let idle = i128::from(now)
                .checked_sub(i128::from(self.last_update))
                .unwrap_or(0);
            let idle = i64::try_from(idle).unwrap_or(i64::MAX);
            self.period_end = self.period_end.saturating_add(idle);
        }
        self.last_update = now;
    }

    /// Releases up to `until` into `index` if `total_weight > 0`, or
    /// [`idle`](Self::idle)s up to `until` if nothing has weight (so rewards
    /// only stream while someone earns them). Returns what was released.
    /// On error neither `self` nor `index` changes.
    pub fn release_into(
        &mut self,
        index: &mut RewardIndex,
        total_weight: u128,
        until: i64,
    ) -> Result<u64, AccrualError> {
        if total_weight == 0 {
            self.idle(until);
            return Ok(0);
        }
        let mut stream = *self;
        let released = stream.release(until)?;
        if released > 0 {
            index.distribute(released, total_weight)?;
        }
        *self = stream;
        Ok(released)
    }
}

/// A [`RewardIndex`] with its total weight and a bucket for tokens that arrive
/// while nothing has weight. Keep every position of the pool in step by
/// changing weights only through [`add_weight`](Self::add_weight),
/// [`remove_weight`](Self::remove_weight) and [`set_weight`](Self::set_weight);
/// then `total_weight` is the sum of the positions' weights.
///
/// Tokens in `undistributed` go to whoever has weight at the next
/// [`deposit`](Self::deposit) (call `deposit(0)` to flush them), so a program
/// that wants to avoid a first staker taking a large backlog should decide
/// its own policy for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pool {
    /// The reward index positions settle against.
    pub index: RewardIndex,
    /// Sum of all positions' weights.
    pub total_weight: u128,
    /// Tokens deposited while `total_weight` was 0, not yet distributed.
    pub undistributed: u64,
}

impl Pool {
    /// Adds `amount` tokens: kept in `undistributed` while `total_weight == 0`,
    /// otherwise distributed together with everything undistributed.
    pub fn deposit(&mut self, amount: u64) -> Result<(), AccrualError> {
        if self.total_weight == 0 {
            self.undistributed = self
                .undistributed
                .checked_add(amount)
                .ok_or(AccrualError::Overflow)?;
            return Ok(());
        }
        // Two u64 summed in u128 times SCALE: < 3.7e31, cannot overflow.
        let total = add_u128(u128::from(amount), u128::from(self.undistributed))?;
        self.index
            .distribute_scaled(mul_u128(total, SCALE)?, self.total_weight)?;
        self.undistributed = 0;
        Ok(())
    }

    /// Settles `position`, then sets its weight to `new_weight` and adjusts
    /// `total_weight` by the difference.
    pub fn set_weight(
        &mut self,
        position: &mut Position,
        new_weight: u128,
    ) -> Result<(), AccrualError> {
        let total_weight = self
            .total_weight
            .checked_sub(position.weight)
            .ok_or(AccrualError::InsufficientWeight)?;
        let total_weight = add_u128(total_weight, new_weight)?;
        position.set_weight(new_weight, &self.index)?;
        self.total_weight = total_weight;
        Ok(())
    }

    /// [`set_weight`](Self::set_weight) for a position that may already be
    /// settled against the current index (the usual case right after
    /// settling it): then the settlement, a u128 multiplication and division
    /// that would add nothing, is skipped (cheaper on chain). Same result as
    /// `set_weight` in every case.
    pub fn set_weight_once_settled(
        &mut self,
        position: &mut Position,
        new_weight: u128,
    ) -> Result<(), AccrualError> {
        if position.index_snapshot != self.index.reward_per_weight {
            return self.set_weight(position, new_weight);
        }
        let total_weight = self
            .total_weight
            .checked_sub(position.weight)
            .ok_or(AccrualError::InsufficientWeight)?;
        self.total_weight = add_u128(total_weight, new_weight)?;
        position.weight = new_weight;
        Ok(())
    }

    /// Settles `position`, then adds `delta` to its weight and to `total_weight`.
    pub fn add_weight(&mut self, position: &mut Position, delta: u128) -> Result<(), AccrualError> {
        self.set_weight(position, add_u128(position.weight, delta)?)
    }

    /// Settles `position`, then removes `delta` from its weight and from
    /// `total_weight`; more than the position holds is
    /// [`AccrualError::InsufficientWeight`].
    pub fn remove_weight(
        &mut self,
        position: &mut Position,
        delta: u128,
    ) -> Result<(), AccrualError> {
        let new_weight = position
            .weight
            .checked_sub(delta)
            .ok_or(AccrualError::InsufficientWeight)?;
        self.set_weight(position, new_weight)
    }

    /// Settles `position` and takes its pending reward (the amount to pay out).
    pub fn claim(&self, position: &mut Position) -> Result<u64, AccrualError> {
        position.settle(&self.index)?;
        Ok(position.take_pending())
    }
}
