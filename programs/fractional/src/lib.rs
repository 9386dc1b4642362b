//! depin fractional: a registered machine (say a 13.5 kWh home battery)
//! turned into share tokens, sold through offerings with escrow, soft cap,
//! deadline, per-investor cap and an allowlist. Tokenizing hands the device
//! record to the asset; bought shares earn in the revenue pool
//! (programs/revenue) from the moment of purchase, through the offering's
//! own holding until the offering's outcome.

#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

depin_sbf_heap::global_allocator!();

pub mod errors;
pub mod events;
pub mod instructions;
pub mod issue;
pub mod lifecycle;
pub mod pda;
pub mod signer;
pub mod state;

use instructions::*;

declare_id!("Hb14VLeKw9XiRDUESUxpQtDcoiv3wGCnFSb8yjEJNG6V");

#[program]
pub mod depin_fractional {
    use super::*;

    #[access_control(ctx.accounts.validate(fee_bps, &fee_recipient))]
    pub fn configure_market(
        ctx: Context<ConfigureMarket>,
        fee_bps: u16,
        fee_recipient: Pubkey,
    ) -> Result<()> {
        instructions::configure_market::handler(ctx, fee_bps, fee_recipient)
    }

    #[access_control(ctx.accounts.validate(&investor, allowed))]
    pub fn set_allowlist(
        ctx: Context<SetAllowlist>,
        investor: Pubkey,
        allowed: bool,
    ) -> Result<()> {
        instructions::set_allowlist::handler(ctx, investor, allowed)
    }

    #[access_control(ctx.accounts.validate(total_shares))]
    pub fn create_asset(ctx: Context<CreateAsset>, total_shares: u64) -> Result<()> {
        instructions::create_asset::handler(ctx, total_shares)
    }

    #[access_control(ctx.accounts.validate(shares))]
    pub fn retain_shares(ctx: Context<RetainShares>, shares: u64) -> Result<()> {
        instructions::retain_shares::handler(ctx, shares)
    }

    #[access_control(ctx.accounts.validate(&terms))]
    pub fn create_offering(ctx: Context<CreateOffering>, terms: OfferingTerms) -> Result<()> {
        instructions::create_offering::handler(ctx, terms)
    }

    #[access_control(ctx.accounts.validate(shares))]
    pub fn buy(ctx: Context<Buy>, shares: u64) -> Result<()> {
        instructions::buy::handler(ctx, shares)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn close_offering<'info>(ctx: Context<'info, CloseOffering<'info>>) -> Result<()> {
        instructions::close_offering::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn deliver_purchase<'info>(ctx: Context<'info, DeliverPurchase<'info>>) -> Result<()> {
        instructions::deliver_purchase::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn refund(ctx: Context<Refund>) -> Result<()> {
        instructions::refund::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn cancel_offering(ctx: Context<CancelOffering>) -> Result<()> {
        instructions::cancel_offering::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn retire_asset(ctx: Context<RetireAsset>) -> Result<()> {
        instructions::retire_asset::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(&new_authority))]
    pub fn transfer_asset(ctx: Context<TransferAsset>, new_authority: Pubkey) -> Result<()> {
        instructions::transfer_asset::handler(ctx, new_authority)
    }

    #[access_control(ctx.accounts.validate(&operator))]
    pub fn set_asset_operator(ctx: Context<SetAssetOperator>, operator: Pubkey) -> Result<()> {
        instructions::set_asset_operator::handler(ctx, operator)
    }
}
