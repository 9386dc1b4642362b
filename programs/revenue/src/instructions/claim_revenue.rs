use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::RevenueError;
use crate::events::RevenueClaimed;
use crate::state::{Holding, RevenuePool};
use crate::vault;

/// The owner takes the revenue its shares have earned (O(1)).
#[derive(Accounts)]
pub struct ClaimRevenue<'info> {
    pub owner: Signer<'info>,
    #[account(mut, has_one = revenue_vault @ RevenueError::WrongPool)]
    pub pool: Account<'info, RevenuePool>,
    #[account(
        mut,
        has_one = owner @ RevenueError::NotOwner,
        has_one = pool @ RevenueError::WrongPool
    )]
    pub holding: Account<'info, Holding>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub revenue_vault: UncheckedAccount<'info>,
    /// CHECK: any account of the payment mint; the token program checks it.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

pub fn handler(ctx: Context<ClaimRevenue>) -> Result<()> {
    let accounts = ctx.accounts;
    let amount = accounts.pool.claim(&mut accounts.holding)?;
    require!(amount > 0, RevenueError::NothingToClaim);
    vault::pay_out(
        &accounts.pool,
        &accounts.revenue_vault,
        &accounts.destination,
        &accounts.token_program,
        amount,
    )?;
    emit!(RevenueClaimed {
        pool: accounts.pool.key(),
        owner: accounts.owner.key(),
        amount,
    });
    Ok(())
}
