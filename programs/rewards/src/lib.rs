//! depin rewards: compressed claims. The oracles approve one Merkle root of
//! every recipient's cumulative rewards per epoch; recipients (or the crank,
//! on their behalf) claim with a proof. Claimed amounts live in paged ledger
//! accounts, 8 bytes per recipient, paid for by the network.
//!
//! No single oracle key is trusted with the vault: a root needs m distinct
//! oracle approvals, then waits out a challenge period in which an admin can
//! veto it, and a circuit breaker bounds what claims take per time window
//! (all three per distributor, see `state::Guards`).

#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

depin_sbf_heap::global_allocator!();

pub mod claims;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod payout;
pub mod pda;
pub mod roots;
pub mod state;

use claims::ClaimArgs;
use instructions::*;
use state::Guards;

declare_id!("Hf7TBbwoK42EG3ndCEz33c67zXaST9B6DBJMLWq1kYx4");

#[program]
pub mod depin_rewards {
    use super::*;

    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_distributor(
        ctx: Context<CreateDistributor>,
        args: CreateDistributorArgs,
    ) -> Result<()> {
        instructions::create_distributor::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(amount))]
    pub fn fund(ctx: Context<Fund>, amount: u64) -> Result<()> {
        instructions::fund::handler(ctx, amount)
    }

    #[access_control(ctx.accounts.validate(page))]
    pub fn create_ledger_page(ctx: Context<CreateLedgerPage>, page: u32) -> Result<()> {
        instructions::create_ledger_page::handler(ctx, page)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn post_root(ctx: Context<PostRoot>, args: PostRootArgs) -> Result<()> {
        instructions::post_root::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn activate_root(ctx: Context<ActivateRoot>) -> Result<()> {
        instructions::activate_root::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn veto_root(ctx: Context<VetoRoot>) -> Result<()> {
        instructions::veto_root::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(&guards))]
    pub fn set_guards(ctx: Context<SetGuards>, guards: Guards) -> Result<()> {
        instructions::set_guards::handler(ctx, guards)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn claim(ctx: Context<Claim>, args: ClaimArgs) -> Result<()> {
        instructions::claim::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn push_claim(ctx: Context<PushClaim>, args: PushClaimArgs) -> Result<()> {
        instructions::push_claim::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(paused))]
    pub fn set_paused(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
        instructions::set_paused::handler(ctx, paused)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn clawback(ctx: Context<Clawback>) -> Result<()> {
        instructions::clawback::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn close_ledger_page(ctx: Context<CloseLedgerPage>) -> Result<()> {
        instructions::close_ledger_page::handler(ctx)
    }
}
