use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::boost_ends::BoostEnds;
use crate::errors::StakingError;
use crate::events::RewardsClaimed;
use crate::instructions::settle_position;
use crate::state::{Position, StakePool};
use crate::vault;

/// The owner takes the rewards its position has earned so far: a lock
/// boost up to the lock's midnight, 1x after it.
///
/// Remaining accounts: the pool's lock-end buckets due now, and the
/// position's own if its lock has ended (clients add them).
#[derive(Accounts)]
pub struct ClaimRewards<'info> {
    pub owner: Signer<'info>,
    #[account(mut, has_one = reward_vault @ StakingError::WrongPool)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        mut,
        has_one = owner @ StakingError::NotOwner,
        has_one = pool @ StakingError::WrongPool
    )]
    pub position: Box<Account<'info, Position>>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub reward_vault: UncheckedAccount<'info>,
    /// CHECK: any token account of the mint; the token program checks it.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl ClaimRewards<'_> {
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }
}

pub fn handler<'info>(ctx: Context<'info, ClaimRewards<'info>>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut boost_ends = BoostEnds::from_accounts(&accounts.pool.key(), ctx.remaining_accounts)?;
    accounts.pool.accrue(now, &mut boost_ends)?;
    settle_position(&accounts.pool, &mut accounts.position, &mut boost_ends)?;
    let amount = accounts.pool.take_rewards(&mut accounts.position)?;
    require!(amount > 0, StakingError::NothingToClaim);
    boost_ends.write_back()?;
    vault::pay_out(
        &accounts.pool,
        &accounts.reward_vault,
        &accounts.destination,
        &accounts.token_program,
        amount,
    )?;
    emit!(RewardsClaimed {
        position: accounts.position.key(),
        owner: accounts.owner.key(),
        amount,
    });
    Ok(())
}
