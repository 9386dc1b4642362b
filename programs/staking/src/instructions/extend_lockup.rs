use anchor_lang::prelude::*;

use crate::errors::StakingError;
use crate::events::LockupExtended;
use crate::state::{Position, PositionKind, StakePool};

/// Locks a position again for `lockup_secs` from now, ending no earlier
/// than its current lockup; the weight follows the new lockup.
#[derive(Accounts)]
pub struct ExtendLockup<'info> {
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

impl ExtendLockup<'_> {
    pub fn validate(&self, lockup_secs: i64) -> Result<()> {
        let position = &self.position;
        require!(
            position.kind == PositionKind::Stake,
            StakingError::BondHasNoLockup
        );
        require!(position.amount > 0, StakingError::NothingStaked);
        self.pool.check_lockup(lockup_secs)?;
        let now = Clock::get()?.unix_timestamp;
        let new_end = now.checked_add(lockup_secs).ok_or(StakingError::Overflow)?;
        require!(
            new_end >= position.lockup_end,
            StakingError::LockupNotExtended
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<ExtendLockup>, lockup_secs: i64) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    accounts.pool.accrue(now)?;
    accounts
        .pool
        .relock(&mut accounts.position, lockup_secs, now)?;
    emit!(LockupExtended {
        position: accounts.position.key(),
        lockup_end: accounts.position.lockup_end,
        weight: accounts.position.weight,
    });
    Ok(())
}
