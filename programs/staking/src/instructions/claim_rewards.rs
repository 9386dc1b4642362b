use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::StakingError;
use crate::events::RewardsClaimed;
use crate::state::{Position, StakePool};
use crate::vault;

/// The owner takes the rewards its position has earned so far.
#[derive(Accounts)]
pub struct ClaimRewards<'info> {
    pub owner: Signer<'info>,
    #[account(mut, has_one = reward_vault @ StakingError::WrongPool)]
    pub pool: Account<'info, StakePool>,
    #[account(
        mut,
        has_one = owner @ StakingError::NotOwner,
        has_one = pool @ StakingError::WrongPool
    )]
    pub position: Account<'info, Position>,
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

pub fn handler(ctx: Context<ClaimRewards>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    accounts.pool.accrue(now)?;
    let amount = accounts.pool.take_rewards(&mut accounts.position)?;
    // A finished lockup stops weighing more from here on.
    accounts.pool.expire_lockup(&mut accounts.position, now)?;
    require!(amount > 0, StakingError::NothingToClaim);
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
