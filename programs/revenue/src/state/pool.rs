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
    /// Unclaimed revenue of dissolved holdings (a failed offering's) paid
    /// back to the pool's holders.
    pub total_redistributed: u64,
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
            // Never used: revenue is only accepted while shares earn.
            undistributed: 0,
        }
    }

    fn store(&mut self, pool: &Pool) {
        self.reward_per_weight = pool.index.reward_per_weight;
        self.dust = pool.index.dust;
        self.total_weight = pool.total_weight;
    }

    /// Whether any shares earn now: revenue is only accepted then, so
    /// nobody can buy into a backlog that arrived while nobody held shares.
    pub fn require_earning(&self) -> Result<()> {
        require!(self.total_weight > 0, RevenueError::NoSharesEarning);
        Ok(())
    }

    /// Pays `amount` pro rata to the shares earning now.
    pub fn deposit(&mut self, amount: u64) -> Result<()> {
        self.distribute(amount)?;
        self.total_deposited = self
            .total_deposited
            .checked_add(amount)
            .ok_or(RevenueError::Overflow)?;
        Ok(())
    }

    fn distribute(&mut self, amount: u64) -> Result<()> {
        self.require_earning()?;
        let mut pool = self.pool();
        pool.deposit(amount).map_err(accounting)?;
        self.store(&pool);
        Ok(())
    }

    /// Pays revenue already in the vault (a dissolved holding's) pro rata
    /// to the shares earning now.
    pub fn redistribute(&mut self, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        self.distribute(amount)?;
        self.total_redistributed = self
            .total_redistributed
            .checked_add(amount)
            .ok_or(RevenueError::Overflow)?;
        Ok(())
    }

    /// Moves `shares` and `revenue` (settled, unclaimed) from one holding to
    /// another: the total weight and what the vault owes do not change.
    pub fn move_between(
        &mut self,
        from: &mut Holding,
        to: &mut Holding,
        shares: u64,
        revenue: u64,
    ) -> Result<()> {
        self.remove_shares(from, shares)?;
        self.add_shares(to, shares)?;
        from.pending = from
            .pending
            .checked_sub(revenue)
            .ok_or(RevenueError::InsufficientRevenue)?;
        to.pending = to
            .pending
            .checked_add(revenue)
            .ok_or(RevenueError::Overflow)?;
        Ok(())
    }

    /// Empties a holding: its shares stop earning and leave it. With
    /// `return_revenue`, its unclaimed revenue goes back to the pool's
    /// remaining holders or, when no shares earn any more, to `fallback`;
    /// without, it stays in the vault unowned (rounding residue). Returns
    /// (shares, revenue, whether the revenue went to the fallback).
    pub fn dissolve(
        &mut self,
        holding: &mut Holding,
        fallback: &mut Holding,
        return_revenue: bool,
    ) -> Result<(u64, u64, bool)> {
        let shares = holding.shares;
        self.remove_shares(holding, shares)?;
        let revenue = core::mem::take(&mut holding.pending);
        if !return_revenue {
            return Ok((shares, revenue, false));
        }
        if self.total_weight > 0 {
            self.redistribute(revenue)?;
            return Ok((shares, revenue, false));
        }
        fallback.pending = fallback
            .pending
            .checked_add(revenue)
            .ok_or(RevenueError::Overflow)?;
        Ok((shares, revenue, true))
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
