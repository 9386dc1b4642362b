//! depin staking: the network token staked into positions with optional
//! lockups (longer locks weigh more), rewards streamed by the network and
//! paid pro rata through a reward-per-weight index (never a loop over
//! stakers), unstaking through a cooldown, and slashable operator bonds.

#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

depin_sbf_heap::global_allocator!();

pub mod boost_ends;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod pda;
pub mod state;
pub mod vault;

/// The accrual math the pool runs (clients run it too, on copies).
pub use depin_accrual;

use instructions::*;
use state::PoolParams;

declare_id!("GHgZLM2B736A4UWdCAxf1bJ9xsqvnJpYxJTvCkjv1Py4");

#[program]
pub mod depin_staking {
    use super::*;

    #[access_control(ctx.accounts.validate(&params))]
    pub fn create_pool(ctx: Context<CreatePool>, params: PoolParams) -> Result<()> {
        instructions::create_pool::handler(ctx, params)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn stake<'info>(ctx: Context<'info, Stake<'info>>, args: StakeArgs) -> Result<()> {
        instructions::stake::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(lockup_secs))]
    pub fn extend_lockup<'info>(
        ctx: Context<'info, ExtendLockup<'info>>,
        lockup_secs: i64,
    ) -> Result<()> {
        instructions::extend_lockup::handler(ctx, lockup_secs)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn apply_boost_ends<'info>(ctx: Context<'info, ApplyBoostEnds<'info>>) -> Result<()> {
        instructions::apply_boost_ends::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn claim_rewards<'info>(ctx: Context<'info, ClaimRewards<'info>>) -> Result<()> {
        instructions::claim_rewards::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn request_unstake<'info>(ctx: Context<'info, RequestUnstake<'info>>) -> Result<()> {
        instructions::request_unstake::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn withdraw<'info>(ctx: Context<'info, Withdraw<'info>>) -> Result<()> {
        instructions::withdraw::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(amount, duration_secs))]
    pub fn fund_rewards<'info>(
        ctx: Context<'info, FundRewards<'info>>,
        amount: u64,
        duration_secs: i64,
    ) -> Result<()> {
        instructions::fund_rewards::handler(ctx, amount, duration_secs)
    }

    #[access_control(ctx.accounts.validate(amount))]
    pub fn bond<'info>(ctx: Context<'info, Bond<'info>>, amount: u64) -> Result<()> {
        instructions::bond::handler(ctx, amount)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn slash<'info>(ctx: Context<'info, Slash<'info>>, args: SlashArgs) -> Result<()> {
        instructions::slash::handler(ctx, args)
    }
}
