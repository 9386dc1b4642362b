use anchor_lang::prelude::*;

use crate::errors::StakingError;
use crate::events::UnstakeRequested;
use crate::state::{Position, StakePool};

/// Starts the cooldown of a position's whole stake (or an operator's whole
/// bond). It stops earning now and can be withdrawn when the cooldown ends;
/// locked stake cannot start.
#[derive(Accounts)]
pub struct RequestUnstake<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub pool: Account<'info, StakePool>,
    #[account(
        mut,
        has_one = owner @ StakingError::NotOwner,
        has_one = pool @ StakingError::WrongPool
    )]
    pub position: Account<'info, Position>,
}

impl RequestUnstake<'_> {
    pub fn validate(&self) -> Result<()> {
        let position = &self.position;
        require!(position.unbonding == 0, StakingError::AlreadyUnbonding);
        require!(position.amount > 0, StakingError::NothingStaked);
        let now = Clock::get()?.unix_timestamp;
        require!(!position.is_locked(now), StakingError::StillLocked);
        Ok(())
    }
}

pub fn handler(ctx: Context<RequestUnstake>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    accounts.pool.accrue(now)?;
    accounts.pool.start_unstake(&mut accounts.position, now)?;
    emit!(UnstakeRequested {
        position: accounts.position.key(),
        amount: accounts.position.unbonding,
        cooldown_ends_at: accounts.position.unbonding_ends_at,
    });
    Ok(())
}
