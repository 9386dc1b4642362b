//! depin payments: customers pay machines for metered service. A device's
//! controller sets a tariff; a customer opens a session with a capped
//! deposit in escrow; the device signs cumulative meter readings (checked
//! through the Ed25519 precompile), which anyone submits; each settlement
//! splits the charge at once between the network's fee, the operator's cut
//! and the machine (its revenue pool when tokenized, so holders earn at
//! once). The rest goes back when the session ends or times out.

#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

depin_sbf_heap::global_allocator!();

pub mod errors;
pub mod events;
pub mod instructions;
pub mod machine;
pub mod payout;
pub mod pda;
pub mod signature;
pub mod state;

use instructions::*;
use state::TariffTerms;

declare_id!("FTAQBpvVUQWy2KLs6qaidKWshbpkCkx6jcDLxFYopwBn");

#[program]
pub mod depin_payments {
    use super::*;

    #[access_control(ctx.accounts.validate(&terms))]
    pub fn set_tariff(ctx: Context<SetTariff>, terms: TariffTerms) -> Result<()> {
        instructions::set_tariff::handler(ctx, terms)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn set_tariff_paused(ctx: Context<SetTariffPaused>, paused: bool) -> Result<()> {
        instructions::set_tariff_paused::handler(ctx, paused)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn open_session(ctx: Context<OpenSession>, args: OpenSessionArgs) -> Result<()> {
        instructions::open_session::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn settle(ctx: Context<Settle>, args: SettleArgs) -> Result<()> {
        instructions::settle::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn reclaim(ctx: Context<Reclaim>) -> Result<()> {
        instructions::reclaim::handler(ctx)
    }
}
