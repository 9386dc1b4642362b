use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;

use crate::errors::RevenueError;
use crate::events::SharesDeposited;
use crate::pda::HOLDING_SEED;
use crate::state::{Holding, RevenuePool};

/// The issuer (an offering, through CPI) credits shares it has just placed
/// in the share vault to `owner`'s holding: a buyer earns from the moment
/// it buys, with no extra step.
#[derive(Accounts)]
#[instruction(owner: Pubkey)]
pub struct IssuerCredit<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub issuer: Signer<'info>,
    #[account(
        mut,
        has_one = issuer @ RevenueError::NotIssuer,
        has_one = share_vault @ RevenueError::WrongPool
    )]
    pub pool: Box<Account<'info, RevenuePool>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Holding::INIT_SPACE,
        seeds = [HOLDING_SEED, pool.key().as_ref(), owner.as_ref()],
        bump
    )]
    pub holding: Box<Account<'info, Holding>>,
    pub share_vault: Box<Account<'info, TokenAccount>>,
    pub system_program: Program<'info, System>,
}

impl IssuerCredit<'_> {
    pub fn validate(&self, _owner: &Pubkey, amount: u64) -> Result<()> {
        require!(amount > 0, RevenueError::ZeroAmount);
        require!(
            self.pool.uncredited(self.share_vault.amount) >= amount,
            RevenueError::SharesNotInVault
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<IssuerCredit>, owner: Pubkey, amount: u64) -> Result<()> {
    let accounts = ctx.accounts;
    crate::state::init_holding(
        &mut accounts.holding,
        accounts.pool.key(),
        owner,
        ctx.bumps.holding,
    );
    accounts.pool.add_shares(&mut accounts.holding, amount)?;
    emit!(SharesDeposited {
        pool: accounts.pool.key(),
        owner,
        amount,
        shares: accounts.holding.shares,
        by_issuer: true,
    });
    Ok(())
}
