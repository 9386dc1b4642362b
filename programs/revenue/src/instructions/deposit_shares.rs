use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::RevenueError;
use crate::events::SharesDeposited;
use crate::pda::HOLDING_SEED;
use crate::state::{Holding, RevenuePool};
use crate::vault;

/// A holder puts shares from its wallet into its holding, where they earn
/// revenue from now on (shares bought in an offering land there directly).
#[derive(Accounts)]
pub struct DepositShares<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub owner: Signer<'info>,
    #[account(mut, has_one = share_vault @ RevenueError::WrongPool)]
    pub pool: Box<Account<'info, RevenuePool>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Holding::INIT_SPACE,
        seeds = [HOLDING_SEED, pool.key().as_ref(), owner.key().as_ref()],
        bump
    )]
    pub holding: Box<Account<'info, Holding>>,
    /// CHECK: the owner's share account; the token program checks it.
    #[account(mut)]
    pub source: UncheckedAccount<'info>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl DepositShares<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, RevenueError::ZeroAmount);
        Ok(())
    }
}

pub fn handler(ctx: Context<DepositShares>, amount: u64) -> Result<()> {
    let accounts = ctx.accounts;
    crate::state::init_holding(
        &mut accounts.holding,
        accounts.pool.key(),
        accounts.owner.key(),
        ctx.bumps.holding,
    );
    accounts.pool.add_shares(&mut accounts.holding, amount)?;
    vault::deposit(
        &accounts.source,
        &accounts.share_vault,
        &accounts.owner,
        &accounts.token_program,
        amount,
    )?;
    emit!(SharesDeposited {
        pool: accounts.pool.key(),
        owner: accounts.owner.key(),
        amount,
        shares: accounts.holding.shares,
        by_issuer: false,
    });
    Ok(())
}
