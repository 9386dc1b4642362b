use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use depin_registry::state::{permission, Member, Network};

use crate::errors::StakingError;
use crate::events::PoolCreated;
use crate::pda::{POOL_SEED, REWARD_VAULT_SEED, STAKE_VAULT_SEED};
use crate::state::{PoolParams, StakePool};

/// A network admin opens the network's stake pool in the network's token,
/// with a vault for principal and one for rewards.
#[derive(Accounts)]
pub struct CreatePool<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(has_one = authority @ StakingError::MissingPermission)]
    pub member: Box<Account<'info, Member>>,
    pub network: Box<Account<'info, Network>>,
    #[account(address = network.reward_mint @ StakingError::WrongMint)]
    pub mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        space = 8 + StakePool::INIT_SPACE,
        seeds = [POOL_SEED, network.key().as_ref()],
        bump
    )]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        init,
        payer = payer,
        seeds = [STAKE_VAULT_SEED, pool.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = pool,
        token::token_program = token_program
    )]
    pub stake_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        seeds = [REWARD_VAULT_SEED, pool.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = pool,
        token::token_program = token_program
    )]
    pub reward_vault: Box<Account<'info, TokenAccount>>,
    /// Receives slashed stake.
    #[account(constraint = treasury.mint == mint.key() @ StakingError::InvalidTreasury)]
    pub treasury: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreatePool<'_> {
    pub fn validate(&self, params: &PoolParams) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::ADMIN)?;
        params.validate()
    }
}

pub fn handler(ctx: Context<CreatePool>, params: PoolParams) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    accounts.pool.set_inner(StakePool::new(
        accounts.network.key(),
        accounts.mint.key(),
        accounts.stake_vault.key(),
        accounts.reward_vault.key(),
        accounts.treasury.key(),
        [
            ctx.bumps.pool,
            ctx.bumps.stake_vault,
            ctx.bumps.reward_vault,
        ],
        &params,
        now,
    ));
    emit!(PoolCreated {
        pool: accounts.pool.key(),
        network: accounts.network.key(),
        mint: accounts.mint.key(),
        max_lockup_secs: params.max_lockup_secs,
        max_multiplier_bps: params.max_multiplier_bps,
        cooldown_secs: params.cooldown_secs,
    });
    Ok(())
}
