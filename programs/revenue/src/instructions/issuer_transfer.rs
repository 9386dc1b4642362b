use anchor_lang::prelude::*;

use crate::errors::RevenueError;
use crate::events::SharesMoved;
use crate::pda::HOLDING_SEED;
use crate::state::{Holding, RevenuePool};

/// The issuer moves `shares` and `revenue` (unclaimed) from one holding of
/// the pool to `to_owner`'s (created if needed): a settled purchase leaves
/// its offering's holding for the buyer's with what it earned meanwhile.
/// The shares stay in the vault and keep earning; nothing is paid out.
#[derive(Accounts)]
#[instruction(to_owner: Pubkey)]
pub struct IssuerTransfer<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub issuer: Signer<'info>,
    #[account(mut, has_one = issuer @ RevenueError::NotIssuer)]
    pub pool: Box<Account<'info, RevenuePool>>,
    #[account(mut, has_one = pool @ RevenueError::WrongPool)]
    pub from: Box<Account<'info, Holding>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Holding::INIT_SPACE,
        seeds = [HOLDING_SEED, pool.key().as_ref(), to_owner.as_ref()],
        bump,
        constraint = to.key() != from.key() @ RevenueError::SameHolding
    )]
    pub to: Box<Account<'info, Holding>>,
    pub system_program: Program<'info, System>,
}

impl IssuerTransfer<'_> {
    pub fn validate(&self, _to_owner: &Pubkey, shares: u64, _revenue: u64) -> Result<()> {
        require!(shares > 0, RevenueError::ZeroAmount);
        require!(shares <= self.from.shares, RevenueError::InsufficientShares);
        Ok(())
    }
}

pub fn handler(
    ctx: Context<IssuerTransfer>,
    to_owner: Pubkey,
    shares: u64,
    revenue: u64,
) -> Result<()> {
    let accounts = ctx.accounts;
    crate::state::init_holding(
        &mut accounts.to,
        accounts.pool.key(),
        to_owner,
        ctx.bumps.to,
    );
    accounts
        .pool
        .move_between(&mut accounts.from, &mut accounts.to, shares, revenue)?;
    emit!(SharesMoved {
        pool: accounts.pool.key(),
        from_owner: accounts.from.owner,
        to_owner,
        shares,
        revenue,
    });
    Ok(())
}
