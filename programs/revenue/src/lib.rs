//! depin revenue share: revenue in a payment mint (USDC-like) paid pro rata
//! to the holders of a share mint through a reward-per-share index with
//! dust tracking. Claims are O(1); nothing loops over holders.

#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

depin_sbf_heap::global_allocator!();

pub mod errors;
pub mod events;
pub mod instructions;
pub mod pda;
pub mod state;
pub mod vault;

use instructions::*;

declare_id!("HqtHHtCC37uDk6UFukpBVwqme96gGp8GVxQwem8q6NCg");

#[program]
pub mod depin_revenue {
    use super::*;

    pub fn create_pool(ctx: Context<CreatePool>) -> Result<()> {
        instructions::create_pool::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(amount))]
    pub fn deposit_revenue(ctx: Context<DepositRevenue>, amount: u64) -> Result<()> {
        instructions::deposit_revenue::handler(ctx, amount)
    }

    #[access_control(ctx.accounts.validate(amount))]
    pub fn deposit_shares(ctx: Context<DepositShares>, amount: u64) -> Result<()> {
        instructions::deposit_shares::handler(ctx, amount)
    }

    #[access_control(ctx.accounts.validate(amount))]
    pub fn withdraw_shares(ctx: Context<WithdrawShares>, amount: u64) -> Result<()> {
        instructions::withdraw_shares::handler(ctx, amount)
    }

    pub fn claim_revenue(ctx: Context<ClaimRevenue>) -> Result<()> {
        instructions::claim_revenue::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(&owner, amount))]
    pub fn issuer_credit(ctx: Context<IssuerCredit>, owner: Pubkey, amount: u64) -> Result<()> {
        instructions::issuer_credit::handler(ctx, owner, amount)
    }

    pub fn open_holding(ctx: Context<OpenHolding>, owner: Pubkey) -> Result<()> {
        instructions::open_holding::handler(ctx, owner)
    }

    #[access_control(ctx.accounts.validate(&to_owner, shares, revenue))]
    pub fn issuer_transfer(
        ctx: Context<IssuerTransfer>,
        to_owner: Pubkey,
        shares: u64,
        revenue: u64,
    ) -> Result<()> {
        instructions::issuer_transfer::handler(ctx, to_owner, shares, revenue)
    }

    pub fn issuer_dissolve(
        ctx: Context<IssuerDissolve>,
        fallback_owner: Pubkey,
        return_revenue: bool,
    ) -> Result<()> {
        instructions::issuer_dissolve::handler(ctx, fallback_owner, return_revenue)
    }
}
