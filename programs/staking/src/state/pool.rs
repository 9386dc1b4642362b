use anchor_lang::prelude::*;
use depin_accrual::{
    AccrualError, ExpiryBuckets, ExpiryRing, Pool, RewardIndex, Stream, StreamedPool, RING_BYTES,
};

use crate::errors::StakingError;
use crate::state::{PoolParams, Position, PositionKind};

/// A network's stake pool: principal and reward vaults, parameters, and the
/// reward-per-weight accrual: a rate stream that only runs while something
/// is staked, feeding a pro-rata index, and the schedule of lock boosts that
/// end by themselves (see `depin_accrual::StreamedPool`).
///
/// # Lock boosts end on time, with nobody calling anything
///
/// A locked position weighs `amount` (1x) plus a boost. The boost is added to
/// the lock-end bucket (`BoostEnd`) of the day its lock ends and that day is
/// marked in `boost_end_days`. Every instruction first applies, in day
/// order, each marked day that has started (its bucket must be passed:
/// clients add them): the stream is released up to that midnight at the
/// weight that held until then, the bucket records the index, and its
/// weight leaves `total_weight`. A position whose boost ended is settled
/// against the bucket's index (boost up to the end, 1x after) the next time
/// it is touched. If a pool was idle so long that more buckets are due than
/// fit one transaction, `apply_boost_ends` applies them in chunks.
///
/// # Why 2,048 bits are enough
///
/// Every instruction applies everything due before it schedules anything,
/// so when a boost is scheduled `last_applied_day` is today, `d₀`. A lock
/// is at most `max_lockup_secs` ≤ 4 × 365 days = 1,460 days and its end is
/// rounded up to a midnight, so its day is at most `d₀ + 1,461`
/// (`now + 1,460 days` falls on day `d₀ + 1,460` and rounds up by at most
/// one). Applying only moves `last_applied_day` forward past days with no
/// pending bucket. So every marked day lies in
/// `(last_applied_day, last_applied_day + 1,461]`: 1,461 days, fewer than
/// the ring's 2,048, and no two pending days share a bit (the accrual crate
/// also refuses to schedule outside a 2,047-day window, as a second guard).
#[account]
#[derive(InitSpace, Debug)]
pub struct StakePool {
    pub network: Pubkey,
    pub mint: Pubkey,
    pub stake_vault: Pubkey,
    pub reward_vault: Pubkey,
    /// Token account receiving slashed stake.
    pub treasury: Pubkey,
    pub bump: u8,
    pub stake_vault_bump: u8,
    pub reward_vault_bump: u8,
    pub params: PoolParams,
    /// Principal in the stake vault (earning and unbonding).
    pub total_staked: u64,
    pub total_rewards_funded: u64,
    pub total_rewards_paid: u64,
    pub total_slashed: u64,
    // The accrual state (see depin-accrual), stored field by field.
    pub reward_per_weight: u128,
    pub dust: u128,
    /// Weight earning now: Σ amounts of earning positions + `boost_weight`.
    pub total_weight: u128,
    /// Σ boosts still to end (the weight of the unapplied buckets).
    pub boost_weight: u128,
    pub stream_rate_per_second: u128,
    /// Moves later by the time nothing is staked (the stream waits).
    pub stream_period_end: i64,
    pub stream_last_update: i64,
    pub stream_remaining: u64,
    pub stream_carry: u128,
    /// Bit `day mod 2,048` is set while `day` has a lock-end bucket with
    /// boost still to end.
    pub boost_end_days: [u8; RING_BYTES],
    /// Every lock-end bucket up to and including this day has been applied.
    pub last_applied_day: i64,
}

pub(crate) fn accounting(error: AccrualError) -> Error {
    match error {
        AccrualError::Overflow => error!(StakingError::Overflow),
        AccrualError::InvalidPeriod => error!(StakingError::InvalidPeriod),
        AccrualError::MissingBucket => error!(StakingError::MissingBoostEnd),
        _ => error!(StakingError::AccountingInconsistent),
    }
}

impl StakePool {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        network: Pubkey,
        mint: Pubkey,
        stake_vault: Pubkey,
        reward_vault: Pubkey,
        treasury: Pubkey,
        [bump, stake_vault_bump, reward_vault_bump]: [u8; 3],
        params: &PoolParams,
        now: i64,
    ) -> StakePool {
        let mut pool = StakePool {
            network,
            mint,
            stake_vault,
            reward_vault,
            treasury,
            bump,
            stake_vault_bump,
            reward_vault_bump,
            params: params.clone(),
            total_staked: 0,
            total_rewards_funded: 0,
            total_rewards_paid: 0,
            total_slashed: 0,
            reward_per_weight: 0,
            dust: 0,
            total_weight: 0,
            boost_weight: 0,
            stream_rate_per_second: 0,
            stream_period_end: 0,
            stream_last_update: 0,
            stream_remaining: 0,
            stream_carry: 0,
            boost_end_days: [0; RING_BYTES],
            last_applied_day: 0,
        };
        pool.store(&StreamedPool::new(now));
        pool
    }

    /// The accrual state as one value (copied out of the account fields).
    pub fn streamed(&self) -> StreamedPool {
        StreamedPool {
            stream: self.stream(),
            // `undistributed` stays 0: nothing is released while nothing is
            // staked.
            pool: self.pool(),
            ring: ExpiryRing {
                pending: self.boost_end_days,
                last_applied_day: self.last_applied_day,
            },
            expiring_weight: self.boost_weight,
        }
    }

    fn store(&mut self, s: &StreamedPool) {
        self.store_stream(&s.stream);
        self.store_pool(&s.pool);
        self.boost_end_days = s.ring.pending;
        self.last_applied_day = s.ring.last_applied_day;
        self.boost_weight = s.expiring_weight;
    }

    fn stream(&self) -> Stream {
        Stream {
            rate_per_second: self.stream_rate_per_second,
            period_end: self.stream_period_end,
            last_update: self.stream_last_update,
            remaining: self.stream_remaining,
            carry: self.stream_carry,
        }
    }

    fn store_stream(&mut self, stream: &Stream) {
        self.stream_rate_per_second = stream.rate_per_second;
        self.stream_period_end = stream.period_end;
        self.stream_last_update = stream.last_update;
        self.stream_remaining = stream.remaining;
        self.stream_carry = stream.carry;
    }

    /// The index and total weight (what settling and weight changes need).
    fn pool(&self) -> Pool {
        Pool {
            index: RewardIndex {
                reward_per_weight: self.reward_per_weight,
                dust: self.dust,
            },
            total_weight: self.total_weight,
            undistributed: 0,
        }
    }

    fn store_pool(&mut self, pool: &Pool) {
        self.reward_per_weight = pool.index.reward_per_weight;
        self.dust = pool.index.dust;
        self.total_weight = pool.total_weight;
    }

    pub fn check_lockup(&self, lockup_secs: i64) -> Result<()> {
        self.params.multiplier_bps(lockup_secs).map(|_| ())
    }

    pub fn period_end(&self) -> i64 {
        self.stream_period_end
    }

    /// Brings the pool to `now`: applies every lock-end bucket due, in day
    /// order (each must be in `boost_ends`, else `MissingBoostEnd`), then
    /// releases the stream up to `now`; while nothing is staked the stream
    /// waits instead (its period moves later), so rewards are only ever
    /// released to someone staked at the time. Every instruction calls this
    /// first. Pure math on account state, so clients run it too.
    pub fn accrue(
        &mut self,
        now: i64,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<()> {
        let today = depin_accrual::day_of(now);
        if ExpiryRing::first_pending(&self.boost_end_days, self.last_applied_day, today).is_none() {
            // Nothing due (the usual case): what `StreamedPool::advance`
            // does then, on the fields in place.
            let (mut stream, mut pool) = (self.stream(), self.pool());
            stream
                .release_into(&mut pool.index, pool.total_weight, now)
                .map_err(accounting)?;
            self.store_stream(&stream);
            self.store_pool(&pool);
            self.last_applied_day = self.last_applied_day.max(today);
            return Ok(());
        }
        let mut s = self.streamed();
        s.advance(now, boost_ends).map_err(accounting)?;
        self.store(&s);
        Ok(())
    }

    /// Applies the lock-end buckets due at `now`, in day order, as far as
    /// `boost_ends` has them; if that was all of them, also releases up to
    /// `now`. Returns how many were applied (for `apply_boost_ends`, the
    /// catch-up of a pool idle for longer than one transaction can apply).
    pub fn apply_boost_ends(
        &mut self,
        now: i64,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<u32> {
        let mut s = self.streamed();
        let applied = s.apply_due(now, boost_ends).map_err(accounting)?;
        let caught_up = s.next_due(now).is_none();
        if caught_up {
            s.advance(now, boost_ends).map_err(accounting)?;
        }
        require!(applied > 0 || caught_up, StakingError::MissingBoostEnd);
        require!(applied > 0, StakingError::NoBoostEndDue);
        self.store(&s);
        Ok(applied)
    }

    /// Settles `position` up to now (call after [`accrue`](Self::accrue)):
    /// if its lock's bucket has been applied, the boost earned up to that
    /// midnight and leaves the position's weight (the pool's total already
    /// lost it); returns `true` then. Every instruction on a position calls
    /// this before anything else touches it.
    pub fn settle(
        &self,
        position: &mut Position,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<bool> {
        let mut accrual = position.accrual();
        let ended = accrual
            .settle_expiring(
                position.boost,
                position.boost_end_day(),
                self.last_applied_day,
                &self.pool().index,
                boost_ends,
            )
            .map_err(accounting)?;
        position.store_accrual(accrual);
        if ended {
            position.boost = 0;
        }
        Ok(ended)
    }

    /// A position changed by the operations below must have been settled:
    /// no ended boost may still sit in its weight.
    fn require_settled(&self, position: &Position) -> Result<()> {
        require!(
            position.boost == 0 || position.boost_end_day() > self.last_applied_day,
            StakingError::AccountingInconsistent
        );
        Ok(())
    }

    /// Takes a running boost back out of its lock-end bucket (the lock or
    /// amount is about to change); the weight is set again by `reweigh`.
    fn unschedule_boost(
        &mut self,
        position: &mut Position,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<()> {
        self.require_settled(position)?;
        if position.boost == 0 {
            return Ok(());
        }
        let day = position.boost_end_day();
        let bucket = boost_ends
            .bucket_mut(day)
            .ok_or(StakingError::MissingBoostEnd)?;
        let mut s = self.streamed();
        s.cancel_expiry(day, bucket, position.boost)
            .map_err(accounting)?;
        self.store(&s);
        position.boost = 0;
        Ok(())
    }

    /// Sets the weight of a settled position without a scheduled boost to
    /// what its amount and lock give at `now`: 1x the amount, plus the
    /// lock's boost while it runs, scheduled in the bucket of the lock's end
    /// day (which must be in `boost_ends`).
    fn reweigh(
        &mut self,
        position: &mut Position,
        now: i64,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<()> {
        require!(position.boost == 0, StakingError::AccountingInconsistent);
        let boost = if position.kind == PositionKind::Stake && position.is_locked(now) {
            self.params.boost(position.amount, position.lockup_secs)?
        } else {
            0
        };
        let weight = u128::from(position.amount)
            .checked_add(boost)
            .ok_or(StakingError::Overflow)?;
        if boost > 0 {
            let day = position.boost_end_day();
            let bucket = boost_ends
                .bucket_mut(day)
                .ok_or(StakingError::MissingBoostEnd)?;
            let mut s = self.streamed();
            s.schedule_expiry(day, bucket, boost).map_err(accounting)?;
            self.store(&s);
        }
        let mut pool = self.pool();
        let mut accrual = position.accrual();
        pool.set_weight_once_settled(&mut accrual, weight)
            .map_err(accounting)?;
        self.store_pool(&pool);
        position.store_accrual(accrual);
        position.boost = boost;
        Ok(())
    }

    /// Adds principal to a settled position; it earns from now on, with the
    /// position's lock boost (if still locked) until the lock's end.
    pub fn add_stake(
        &mut self,
        position: &mut Position,
        amount: u64,
        now: i64,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<()> {
        self.unschedule_boost(position, boost_ends)?;
        position.amount = position
            .amount
            .checked_add(amount)
            .ok_or(StakingError::Overflow)?;
        self.total_staked = self
            .total_staked
            .checked_add(amount)
            .ok_or(StakingError::Overflow)?;
        self.reweigh(position, now, boost_ends)
    }

    /// Locks a settled position for `lockup_secs` from `now` (ending at the
    /// following midnight); a running boost moves from its old bucket to
    /// the new one, and the weight follows.
    pub fn relock(
        &mut self,
        position: &mut Position,
        lockup_secs: i64,
        now: i64,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<()> {
        let lockup_end = self.params.lock_end(now, lockup_secs)?;
        self.unschedule_boost(position, boost_ends)?;
        position.lockup_secs = lockup_secs;
        position.lockup_end = lockup_end;
        self.reweigh(position, now, boost_ends)
    }

    /// Moves all earning principal of a settled, unlocked position into the
    /// cooldown; it stops earning.
    pub fn start_unstake(
        &mut self,
        position: &mut Position,
        now: i64,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<()> {
        self.unschedule_boost(position, boost_ends)?;
        position.unbonding = position.amount;
        position.amount = 0;
        position.unbonding_ends_at = now
            .checked_add(self.params.cooldown_secs)
            .ok_or(StakingError::Overflow)?;
        self.reweigh(position, now, boost_ends)
    }

    /// Hands over a settled position's earned rewards.
    pub fn take_rewards(&mut self, position: &mut Position) -> Result<u64> {
        self.require_settled(position)?;
        let mut accrual = position.accrual();
        // Settled just before (by `settle`): nothing more to add, so no
        // second settlement (a u128 multiplication and division on chain).
        if accrual.index_snapshot != self.reward_per_weight {
            accrual.settle(&self.pool().index).map_err(accounting)?;
        }
        let amount = accrual.take_pending();
        position.store_accrual(accrual);
        self.total_rewards_paid = self
            .total_rewards_paid
            .checked_add(amount)
            .ok_or(StakingError::Overflow)?;
        Ok(amount)
    }

    /// Ends a cooldown: returns the principal to pay out.
    pub fn finish_withdraw(&mut self, position: &mut Position) -> Result<u64> {
        let principal = position.unbonding;
        position.unbonding = 0;
        self.total_staked = self
            .total_staked
            .checked_sub(principal)
            .ok_or(StakingError::AccountingInconsistent)?;
        Ok(principal)
    }

    /// Adds `amount` of rewards, released over `duration_secs` of staked
    /// time from `now` together with what is left of the current period
    /// (call [`accrue`](Self::accrue) first). Funding while nothing is
    /// staked works: the stream waits for the first staker.
    pub fn fund(&mut self, amount: u64, duration_secs: i64, now: i64) -> Result<()> {
        let mut stream = self.stream();
        stream
            .fund(amount, duration_secs, now)
            .map_err(accounting)?;
        self.store_stream(&stream);
        self.total_rewards_funded = self
            .total_rewards_funded
            .checked_add(amount)
            .ok_or(StakingError::Overflow)?;
        Ok(())
    }

    /// Takes `amount` from a settled bond: earning principal first, then
    /// unbonding principal (so starting an unbond cannot dodge a slash).
    pub fn slash(
        &mut self,
        bond: &mut Position,
        amount: u64,
        now: i64,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<()> {
        let held = bond
            .amount
            .checked_add(bond.unbonding)
            .ok_or(StakingError::Overflow)?;
        require!(amount <= held, StakingError::SlashTooLarge);
        self.unschedule_boost(bond, boost_ends)?;
        let from_active = amount.min(bond.amount);
        bond.amount -= from_active;
        bond.unbonding -= amount - from_active;
        self.total_staked = self
            .total_staked
            .checked_sub(amount)
            .ok_or(StakingError::AccountingInconsistent)?;
        self.total_slashed = self
            .total_slashed
            .checked_add(amount)
            .ok_or(StakingError::Overflow)?;
        self.reweigh(bond, now, boost_ends)
    }

    /// What `position` could claim at `now` (for clients: the same math the
    /// program runs, on copies of the accounts). `boost_ends` must hold the
    /// buckets due by `now` and the position's own if its lock ended.
    pub fn pending_rewards(
        &self,
        position: &Position,
        now: i64,
        boost_ends: &mut (impl ExpiryBuckets + ?Sized),
    ) -> Result<u64> {
        let mut pool = self.clone();
        pool.accrue(now, boost_ends)?;
        let mut position = position.clone();
        pool.settle(&mut position, boost_ends)?;
        Ok(position.pending)
    }

    /// The weight `position` earns with at `now`, its boost left out once
    /// the lock's midnight has passed (the stored weight keeps it until the
    /// position is next touched).
    pub fn effective_weight(&self, position: &Position, now: i64) -> u128 {
        let ended = position.boost > 0
            && (position.boost_end_day() <= self.last_applied_day || !position.is_locked(now));
        position.weight - if ended { position.boost } else { 0 }
    }

    /// The days whose lock-end buckets are due at `now`, in order: what an
    /// instruction sent at `now` must pass (clients add them).
    pub fn boost_end_days_due(&self, now: i64) -> Vec<i64> {
        let through = depin_accrual::day_of(now);
        self.streamed()
            .ring
            .pending_days()
            .take_while(|day| *day <= through)
            .collect()
    }
}
