use anchor_lang::prelude::*;

use crate::boost_ends::BoostEnds;
use crate::state::StakePool;

/// Anyone applies the pool's due lock-end buckets, passed in day order as
/// remaining accounts, as many as fit: needed only when a pool was idle so
/// long that more buckets are due than one transaction can carry (every
/// other instruction applies the due buckets itself and refuses to run
/// while one is missing). Once all due buckets are applied the pool is also
/// brought to now.
#[derive(Accounts)]
pub struct ApplyBoostEnds<'info> {
    #[account(mut)]
    pub pool: Box<Account<'info, StakePool>>,
}

impl ApplyBoostEnds<'_> {
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }
}

pub fn handler<'info>(ctx: Context<'info, ApplyBoostEnds<'info>>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut boost_ends = BoostEnds::from_accounts(&accounts.pool.key(), ctx.remaining_accounts)?;
    accounts.pool.apply_boost_ends(now, &mut boost_ends)?;
    // Each applied bucket announces itself (BoostEndApplied).
    boost_ends.write_back()
}
