use anchor_lang::prelude::*;

use crate::boost_ends::BoostEnds;
use crate::errors::StakingError;
use crate::events::LockupExtended;
use crate::instructions::settle_position;
use crate::state::{Position, PositionKind, StakePool};

/// Locks a position again for `lockup_secs` from now, ending (at the UTC
/// midnight at or after `now + lockup_secs`) no earlier than its current
/// lock; the weight follows the new lockup. A boost still running moves
/// from its old lock-end bucket to the new one; one that already ended was
/// settled first.
///
/// Remaining accounts: the pool's lock-end buckets due now, and the
/// position's current bucket if it has a boost (clients add them).
#[derive(Accounts)]
pub struct ExtendLockup<'info> {
    /// Pays the new lock-end bucket if it does not exist yet.
    #[account(mut)]
    pub payer: Signer<'info>,
    pub owner: Signer<'info>,
    #[account(mut)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        mut,
        has_one = owner @ StakingError::NotOwner,
        has_one = pool @ StakingError::WrongPool
    )]
    pub position: Box<Account<'info, Position>>,
    /// CHECK: the lock-end bucket of the new lock's end day,
    /// `pda::boost_end(pool, day)`; needed only if the new lock has a boost,
    /// created on first use (checked in `boost_ends`).
    #[account(mut)]
    pub boost_end: Option<UncheckedAccount<'info>>,
    pub system_program: Program<'info, System>,
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
        let new_end = self.pool.params.lock_end(now, lockup_secs)?;
        require!(
            new_end >= position.lockup_end,
            StakingError::LockupNotExtended
        );
        Ok(())
    }
}

pub fn handler<'info>(ctx: Context<'info, ExtendLockup<'info>>, lockup_secs: i64) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut boost_ends = BoostEnds::from_accounts(&accounts.pool.key(), ctx.remaining_accounts)?;
    accounts.pool.accrue(now, &mut boost_ends)?;
    settle_position(&accounts.pool, &mut accounts.position, &mut boost_ends)?;
    let position = &accounts.position;
    if accounts.pool.params.boost(position.amount, lockup_secs)? > 0 {
        let day = depin_accrual::day_of(accounts.pool.params.lock_end(now, lockup_secs)?);
        let boost_end = accounts
            .boost_end
            .as_ref()
            .ok_or(StakingError::MissingBoostEnd)?;
        boost_ends.open(boost_end, day, &accounts.payer, &accounts.system_program)?;
    }
    accounts
        .pool
        .relock(&mut accounts.position, lockup_secs, now, &mut boost_ends)?;
    boost_ends.write_back()?;
    emit!(LockupExtended {
        position: accounts.position.key(),
        lockup_end: accounts.position.lockup_end,
        weight: accounts.position.weight,
        boost: accounts.position.boost,
    });
    Ok(())
}
