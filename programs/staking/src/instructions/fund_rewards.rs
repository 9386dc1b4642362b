use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use depin_registry::state::{permission, Member};

use crate::boost_ends::BoostEnds;
use crate::errors::StakingError;
use crate::events::RewardsFunded;
use crate::state::StakePool;
use crate::vault;

/// A treasury member funds `amount` of rewards, released evenly over
/// `duration_secs` of staked time from now (together with what is left of
/// the current period; while nothing is staked the period waits). The crank
/// calls this every epoch.
///
/// Remaining accounts: the pool's lock-end buckets due now (clients add
/// them).
#[derive(Accounts)]
pub struct FundRewards<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ StakingError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut, has_one = reward_vault @ StakingError::WrongPool)]
    pub pool: Box<Account<'info, StakePool>>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub reward_vault: UncheckedAccount<'info>,
    /// CHECK: the authority's token account; the token program checks it.
    #[account(mut)]
    pub source: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl FundRewards<'_> {
    pub fn validate(&self, amount: u64, duration_secs: i64) -> Result<()> {
        self.member
            .require(&self.pool.network, permission::TREASURY)?;
        require!(amount > 0, StakingError::ZeroAmount);
        require!(duration_secs > 0, StakingError::InvalidPeriod);
        Ok(())
    }
}

pub fn handler<'info>(
    ctx: Context<'info, FundRewards<'info>>,
    amount: u64,
    duration_secs: i64,
) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut boost_ends = BoostEnds::from_accounts(&accounts.pool.key(), ctx.remaining_accounts)?;
    accounts.pool.accrue(now, &mut boost_ends)?;
    boost_ends.write_back()?;
    accounts.pool.fund(amount, duration_secs, now)?;
    vault::deposit(
        &accounts.source,
        &accounts.reward_vault,
        &accounts.authority,
        &accounts.token_program,
        amount,
    )?;
    emit!(RewardsFunded {
        pool: accounts.pool.key(),
        amount,
        duration_secs,
        period_end: accounts.pool.period_end(),
        by: accounts.authority.key(),
    });
    Ok(())
}
