use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::StakingError;
use crate::events::Withdrawn;
use crate::state::{Position, StakePool};
use crate::vault;

/// After the cooldown: principal and any unclaimed rewards go to the owner's
/// token account and the position closes (rent back to the owner).
#[derive(Accounts)]
pub struct Withdraw<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(
        mut,
        has_one = stake_vault @ StakingError::WrongPool,
        has_one = reward_vault @ StakingError::WrongPool
    )]
    pub pool: Account<'info, StakePool>,
    #[account(
        mut,
        close = owner,
        has_one = owner @ StakingError::NotOwner,
        has_one = pool @ StakingError::WrongPool
    )]
    pub position: Account<'info, Position>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub reward_vault: UncheckedAccount<'info>,
    /// CHECK: any token account of the mint; the token program checks it.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Withdraw<'_> {
    pub fn validate(&self) -> Result<()> {
        let position = &self.position;
        require!(position.unbonding > 0, StakingError::NotUnbonding);
        let now = Clock::get()?.unix_timestamp;
        require!(
            now >= position.unbonding_ends_at,
            StakingError::CooldownActive
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<Withdraw>) -> Result<()> {
    let accounts = ctx.accounts;
    accounts.pool.accrue(Clock::get()?.unix_timestamp)?;
    let rewards = accounts.pool.take_rewards(&mut accounts.position)?;
    let principal = accounts.pool.finish_withdraw(&mut accounts.position)?;
    vault::pay_out(
        &accounts.pool,
        &accounts.stake_vault,
        &accounts.destination,
        &accounts.token_program,
        principal,
    )?;
    if rewards > 0 {
        vault::pay_out(
            &accounts.pool,
            &accounts.reward_vault,
            &accounts.destination,
            &accounts.token_program,
            rewards,
        )?;
    }
    emit!(Withdrawn {
        position: accounts.position.key(),
        owner: accounts.owner.key(),
        principal,
        rewards,
    });
    Ok(())
}
