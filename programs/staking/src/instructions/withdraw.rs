use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::boost_ends::BoostEnds;
use crate::errors::StakingError;
use crate::events::Withdrawn;
use crate::instructions::settle_position;
use crate::state::{Position, StakePool};
use crate::vault;

/// After the cooldown: principal and any unclaimed rewards go to the owner's
/// token account and the position closes (rent back to the owner).
///
/// Remaining accounts: the pool's lock-end buckets due now (clients add
/// them).
#[derive(Accounts)]
pub struct Withdraw<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(
        mut,
        has_one = stake_vault @ StakingError::WrongPool,
        has_one = reward_vault @ StakingError::WrongPool
    )]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        mut,
        close = owner,
        has_one = owner @ StakingError::NotOwner,
        has_one = pool @ StakingError::WrongPool
    )]
    pub position: Box<Account<'info, Position>>,
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

pub fn handler<'info>(ctx: Context<'info, Withdraw<'info>>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut boost_ends = BoostEnds::from_accounts(&accounts.pool.key(), ctx.remaining_accounts)?;
    accounts.pool.accrue(now, &mut boost_ends)?;
    settle_position(&accounts.pool, &mut accounts.position, &mut boost_ends)?;
    boost_ends.write_back()?;
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
