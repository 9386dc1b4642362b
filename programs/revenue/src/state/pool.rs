use anchor_lang::prelude::*;
use depin_accrual::{AccrualError, Pool, RewardIndex};

use crate::errors::RevenueError;
use crate::state::Holding;

/// The revenue pool of one share mint: revenue deposited in the payment mint
/// is paid pro rata to the shares deposited, through a reward-per-share index
/// with dust tracking (never a loop over holders).
#[account]
#[derive(InitSpace, Debug)]
pub struct RevenuePool {
    pub share_mint: Pubkey,
    pub payment_mint: Pubkey,
    pub share_vault: Pubkey,
    pub revenue_vault: Pubkey,
    /// May credit and debit holdings (the fractional asset that mints the
    /// shares); the shares it credits must already sit in the share vault.
    pub issuer: Pubkey,
    pub bump: u8,
    pub share_vault_bump: u8,
    pub revenue_vault_bump: u8,
    pub total_deposited: u64,
    pub total_claimed: u64,
    // The accrual state (see depin-accrual), stored field by field.
    pub reward_per_weight: u128,
    pub dust: u128,
    /// Shares earning (the sum of every holding's shares).
    pub total_weight: u128,
    /// Revenue deposited while no shares earned: paid with the next deposit.
    pub undistributed: u64,
}

fn accounting(error: AccrualError) -> Error {
    match error {
        AccrualError::Overflow => error!(RevenueError::Overflow),
        AccrualError::InsufficientWeight => error!(RevenueError::InsufficientShares),
        _ => error!(RevenueError::AccountingInconsistent),
    }
}

impl RevenuePool {
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

    fn store(&mut self, pool: &Pool) {
        self.reward_per_weight = pool.index.reward_per_weight;
        self.dust = pool.index.dust;
        self.total_weight = pool.total_weight;
        self.undistributed = pool.undistributed;
    }

    /// Pays `amount` pro rata to the shares earning now (or holds it until
    /// some shares earn). Returns whether it was held back.
    pub fn deposit(&mut self, amount: u64) -> Result<bool> {
        let mut pool = self.pool();
        pool.deposit(amount).map_err(accounting)?;
        self.store(&pool);
        self.total_deposited = self
            .total_deposited
            .checked_add(amount)
            .ok_or(RevenueError::Overflow)?;
        Ok(self.total_weight == 0)
    }

    /// Shares start earning from now on (earlier revenue is not theirs).
    pub fn add_shares(&mut self, holding: &mut Holding, amount: u64) -> Result<()> {
        let mut pool = self.pool();
        let mut accrual = holding.accrual();
        pool.add_weight(&mut accrual, u128::from(amount))
            .map_err(accounting)?;
        u64::try_from(accrual.weight).map_err(|_| RevenueError::Overflow)?;
        self.store(&pool);
        holding.store_accrual(accrual);
        Ok(())
    }

    /// Shares stop earning; what they earned so far stays pending.
    pub fn remove_shares(&mut self, holding: &mut Holding, amount: u64) -> Result<()> {
        let mut pool = self.pool();
        let mut accrual = holding.accrual();
        pool.remove_weight(&mut accrual, u128::from(amount))
            .map_err(accounting)?;
        self.store(&pool);
        holding.store_accrual(accrual);
        Ok(())
    }

    pub fn claim(&mut self, holding: &mut Holding) -> Result<u64> {
        let mut accrual = holding.accrual();
        let amount = self.pool().claim(&mut accrual).map_err(accounting)?;
        holding.store_accrual(accrual);
        self.total_claimed = self
            .total_claimed
            .checked_add(amount)
            .ok_or(RevenueError::Overflow)?;
        Ok(amount)
    }

    /// What `holding` could claim now (clients run the same code).
    pub fn claimable(&self, holding: &Holding) -> Result<u64> {
        holding
            .accrual()
            .pending_at(&self.pool().index)
            .map_err(accounting)
    }

    /// Shares the issuer has placed in the vault but not yet credited.
    pub fn uncredited(&self, vault_balance: u64) -> u64 {
        vault_balance.saturating_sub(self.total_weight.min(u128::from(u64::MAX)) as u64)
    }
}
