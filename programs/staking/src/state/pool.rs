use anchor_lang::prelude::*;
use depin_accrual::{AccrualError, Pool, RewardIndex, Stream};

use crate::errors::StakingError;
use crate::state::{PoolParams, Position, PositionKind};

/// A network's stake pool: principal and reward vaults, parameters, and the
/// reward-per-weight accrual (a rate stream feeding a pro-rata index).
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
    pub total_weight: u128,
    /// Rewards released while nothing was staked: paid with the next release.
    pub undistributed: u64,
    pub stream_rate_per_second: u128,
    pub stream_period_end: i64,
    pub stream_last_update: i64,
    pub stream_remaining: u64,
    pub stream_carry: u128,
}

fn accounting(error: AccrualError) -> Error {
    match error {
        AccrualError::Overflow => error!(StakingError::Overflow),
        AccrualError::InvalidPeriod => error!(StakingError::InvalidPeriod),
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
        StakePool {
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
            undistributed: 0,
            stream_rate_per_second: 0,
            stream_period_end: now,
            stream_last_update: now,
            stream_remaining: 0,
            stream_carry: 0,
        }
    }

    fn pool(&self) -> Pool {
        Pool {
            index: RewardIndex {
                reward_per_weight: self.reward_per_weight,
                dust: self.dust,
            },
            total_weight: self.total_weight,
            undistributed: self.undistributed,
        }
    }

    fn store_pool(&mut self, pool: &Pool) {
        self.reward_per_weight = pool.index.reward_per_weight;
        self.dust = pool.index.dust;
        self.total_weight = pool.total_weight;
        self.undistributed = pool.undistributed;
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

    pub fn check_lockup(&self, lockup_secs: i64) -> Result<()> {
        self.params.multiplier_bps(lockup_secs).map(|_| ())
    }

    pub fn period_end(&self) -> i64 {
        self.stream_period_end
    }

    /// Releases the stream up to `now` into the index. Every instruction
    /// calls this before touching weights or rewards. Rewards released while
    /// nothing was staked are held and paid with the next release, shared by
    /// whoever is staked then (paying them at the first instruction after a
    /// stake would hand them all to the first staker). Pure math on account
    /// state, so clients can run it to show pending rewards.
    pub fn accrue(&mut self, now: i64) -> Result<()> {
        let mut stream = self.stream();
        let released = stream.release(now).map_err(accounting)?;
        let mut pool = self.pool();
        if released > 0 {
            pool.deposit(released).map_err(accounting)?;
        }
        self.store_stream(&stream);
        self.store_pool(&pool);
        Ok(())
    }

    fn set_weight(&mut self, position: &mut Position, weight: u128) -> Result<()> {
        let mut pool = self.pool();
        let mut accrual = position.accrual();
        pool.set_weight(&mut accrual, weight).map_err(accounting)?;
        self.store_pool(&pool);
        position.store_accrual(accrual);
        Ok(())
    }

    fn reweigh(&mut self, position: &mut Position) -> Result<()> {
        let weight = self.params.weight(position.amount, position.lockup_secs)?;
        self.set_weight(position, weight)
    }

    /// Adds principal to a position; it earns from now on.
    pub fn add_stake(&mut self, position: &mut Position, amount: u64) -> Result<()> {
        position.amount = position
            .amount
            .checked_add(amount)
            .ok_or(StakingError::Overflow)?;
        self.total_staked = self
            .total_staked
            .checked_add(amount)
            .ok_or(StakingError::Overflow)?;
        self.reweigh(position)
    }

    /// Locks a position for `lockup_secs` from `now`; the weight follows.
    pub fn relock(&mut self, position: &mut Position, lockup_secs: i64, now: i64) -> Result<()> {
        position.lockup_secs = lockup_secs;
        position.lockup_end = now.checked_add(lockup_secs).ok_or(StakingError::Overflow)?;
        self.reweigh(position)
    }

    /// A stake whose lockup has ended goes back to the 1x weight (its
    /// multiplier was for being locked). Returns whether it did.
    pub fn expire_lockup(&mut self, position: &mut Position, now: i64) -> Result<bool> {
        let due = position.kind == PositionKind::Stake
            && position.lockup_secs > 0
            && position.amount > 0
            && !position.is_locked(now);
        if due {
            self.relock(position, 0, now)?;
        }
        Ok(due)
    }

    /// Moves all earning principal into the cooldown; it stops earning.
    pub fn start_unstake(&mut self, position: &mut Position, now: i64) -> Result<()> {
        self.set_weight(position, 0)?;
        position.unbonding = position.amount;
        position.amount = 0;
        position.unbonding_ends_at = now
            .checked_add(self.params.cooldown_secs)
            .ok_or(StakingError::Overflow)?;
        Ok(())
    }

    /// Hands over the position's earned rewards (settled up to now).
    pub fn take_rewards(&mut self, position: &mut Position) -> Result<u64> {
        let pool = self.pool();
        let mut accrual = position.accrual();
        let amount = pool.claim(&mut accrual).map_err(accounting)?;
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

    /// Adds `amount` of rewards, released over `duration_secs` from `now`
    /// together with what is left of the current period.
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

    /// Takes `amount` from a bond: earning principal first, then unbonding
    /// principal (so starting an unbond cannot dodge a slash).
    pub fn slash(&mut self, bond: &mut Position, amount: u64) -> Result<()> {
        let held = bond
            .amount
            .checked_add(bond.unbonding)
            .ok_or(StakingError::Overflow)?;
        require!(amount <= held, StakingError::SlashTooLarge);
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
        self.reweigh(bond)
    }

    /// What `position` could claim at `now` (for clients: the same math the
    /// program runs, on copies of the accounts).
    pub fn pending_rewards(&self, position: &Position, now: i64) -> Result<u64> {
        let mut pool = self.clone();
        pool.accrue(now)?;
        position
            .accrual()
            .pending_at(&pool.pool().index)
            .map_err(accounting)
    }
}
