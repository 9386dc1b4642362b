use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::RevenueError;
use crate::events::SharesWithdrawn;
use crate::state::{Holding, RevenuePool};
use crate::vault;

/// The issuer (a failed offering's refund, through CPI) takes credited
/// shares back out of `owner`'s holding into `destination` (to burn them).
/// Revenue those shares already earned stays claimable by the owner.
#[derive(Accounts)]
pub struct IssuerDebit<'info> {
    pub issuer: Signer<'info>,
    #[account(
        mut,
        has_one = issuer @ RevenueError::NotIssuer,
        has_one = share_vault @ RevenueError::WrongPool
    )]
    pub pool: Account<'info, RevenuePool>,
    #[account(mut, has_one = pool @ RevenueError::WrongPool)]
    pub holding: Account<'info, Holding>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    /// CHECK: the issuer's share account; the token program checks it.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl IssuerDebit<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, RevenueError::ZeroAmount);
        require!(
            amount <= self.holding.shares,
            RevenueError::InsufficientShares
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<IssuerDebit>, amount: u64) -> Result<()> {
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
        owner: accounts.holding.owner,
        amount,
        shares: accounts.holding.shares,
        by_issuer: true,
    });
    Ok(())
}
