use anchor_lang::prelude::*;

use crate::errors::StakingError;
use crate::events::LockupExpired;
use crate::state::{Position, PositionKind, StakePool};

/// Anyone (the crank) returns a stake whose lockup has ended to the 1x
/// weight, so a finished lock stops earning its multiplier. Rewards up to
/// now are settled at the old weight first.
#[derive(Accounts)]
pub struct ExpireLockup<'info> {
    #[account(mut)]
    pub pool: Account<'info, StakePool>,
    #[account(mut, has_one = pool @ StakingError::WrongPool)]
    pub position: Account<'info, Position>,
}

impl ExpireLockup<'_> {
    pub fn validate(&self) -> Result<()> {
        let position = &self.position;
        require!(
            position.kind == PositionKind::Stake,
            StakingError::BondHasNoLockup
        );
        require!(position.amount > 0, StakingError::NothingStaked);
        require!(position.lockup_secs > 0, StakingError::NoLockup);
        require!(
            !position.is_locked(Clock::get()?.unix_timestamp),
            StakingError::StillLocked
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<ExpireLockup>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    accounts.pool.accrue(now)?;
    accounts.pool.expire_lockup(&mut accounts.position, now)?;
    emit!(LockupExpired {
        position: accounts.position.key(),
        weight: accounts.position.weight,
    });
    Ok(())
}
