use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::RevenueError;
use crate::events::SharesWithdrawn;
use crate::state::{Holding, RevenuePool};
use crate::vault;

/// A holder takes shares back to its wallet (to sell or transfer them);
/// they stop earning, and what they earned stays claimable.
#[derive(Accounts)]
pub struct WithdrawShares<'info> {
    pub owner: Signer<'info>,
    #[account(mut, has_one = share_vault @ RevenueError::WrongPool)]
    pub pool: Account<'info, RevenuePool>,
    #[account(
        mut,
        has_one = owner @ RevenueError::NotOwner,
        has_one = pool @ RevenueError::WrongPool
    )]
    pub holding: Account<'info, Holding>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    /// CHECK: any share account; the token program checks the mint.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl WithdrawShares<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, RevenueError::ZeroAmount);
        require!(
            amount <= self.holding.shares,
            RevenueError::InsufficientShares
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<WithdrawShares>, amount: u64) -> Result<()> {
    let accounts = ctx.accounts;
    accounts.pool.remove_shares(&mut accounts.holding, amount)?;
    vault::pay_out(
        &accounts.pool,
        &accounts.share_vault,
        &accounts.destination,
        &accounts.token_program,
        amount,
    )?;
    emit!(SharesWithdrawn {
        pool: accounts.pool.key(),
        owner: accounts.owner.key(),
        amount,
        shares: accounts.holding.shares,
        by_issuer: false,
    });
    Ok(())
}
