//! depin staking: the network token staked into positions with optional
//! lockups (longer locks weigh more), rewards streamed by the network and
//! paid pro rata through a reward-per-weight index (never a loop over
//! stakers), unstaking through a cooldown, and slashable operator bonds.

#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod pda;
pub mod state;
pub mod vault;

use instructions::*;
use state::PoolParams;

declare_id!("BTNj37xBppazQfLRByGLSCCFQR7XhBHMDJ6p2SPUfkVW");

#[program]
pub mod depin_staking {
    use super::*;

    #[access_control(ctx.accounts.validate(&params))]
    pub fn create_pool(ctx: Context<CreatePool>, params: PoolParams) -> Result<()> {
        instructions::create_pool::handler(ctx, params)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn stake(ctx: Context<Stake>, args: StakeArgs) -> Result<()> {
        instructions::stake::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(lockup_secs))]
    pub fn extend_lockup(ctx: Context<ExtendLockup>, lockup_secs: i64) -> Result<()> {
        instructions::extend_lockup::handler(ctx, lockup_secs)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn expire_lockup(ctx: Context<ExpireLockup>) -> Result<()> {
        instructions::expire_lockup::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn claim_rewards(ctx: Context<ClaimRewards>) -> Result<()> {
        instructions::claim_rewards::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn request_unstake(ctx: Context<RequestUnstake>) -> Result<()> {
        instructions::request_unstake::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn withdraw(ctx: Context<Withdraw>) -> Result<()> {
        instructions::withdraw::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(amount, duration_secs))]
    pub fn fund_rewards(ctx: Context<FundRewards>, amount: u64, duration_secs: i64) -> Result<()> {
        instructions::fund_rewards::handler(ctx, amount, duration_secs)
    }

    #[access_control(ctx.accounts.validate(amount))]
    pub fn bond(ctx: Context<Bond>, amount: u64) -> Result<()> {
        instructions::bond::handler(ctx, amount)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn slash(ctx: Context<Slash>, args: SlashArgs) -> Result<()> {
        instructions::slash::handler(ctx, args)
    }
}
