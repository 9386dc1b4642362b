use anchor_lang::prelude::*;

use crate::boost_ends::BoostEnds;
use crate::errors::StakingError;
use crate::events::UnstakeRequested;
use crate::instructions::settle_position;
use crate::state::{Position, StakePool};

/// Starts the cooldown of a position's whole stake (or an operator's whole
/// bond). It stops earning now and can be withdrawn when the cooldown ends;
/// locked stake cannot start (a lock lasts until its midnight).
///
/// Remaining accounts: the pool's lock-end buckets due now, and the
/// position's own if it had a lock boost (clients add them).
#[derive(Accounts)]
pub struct RequestUnstake<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        mut,
        has_one = owner @ StakingError::NotOwner,
        has_one = pool @ StakingError::WrongPool
    )]
    pub position: Box<Account<'info, Position>>,
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

pub fn handler<'info>(ctx: Context<'info, RequestUnstake<'info>>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut boost_ends = BoostEnds::from_accounts(&accounts.pool.key(), ctx.remaining_accounts)?;
    accounts.pool.accrue(now, &mut boost_ends)?;
    settle_position(&accounts.pool, &mut accounts.position, &mut boost_ends)?;
    accounts
        .pool
        .start_unstake(&mut accounts.position, now, &mut boost_ends)?;
    boost_ends.write_back()?;
    emit!(UnstakeRequested {
        position: accounts.position.key(),
        amount: accounts.position.unbonding,
        cooldown_ends_at: accounts.position.unbonding_ends_at,
    });
    Ok(())
}
