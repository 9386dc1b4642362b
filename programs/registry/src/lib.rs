//! depin registry: networks, role-based access, approved makers, devices and
//! device attestations. Many networks share one deployment.

#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

depin_sbf_heap::global_allocator!();

pub mod attestation;
pub mod capacity;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod meter;
pub mod pda;
pub mod report;
pub mod state;

use instructions::*;

declare_id!("Hg6wxgA3a1CSamD91iMxE3EjUDFR6BQymz9fXSmmZucN");

#[program]
pub mod depin_registry {
    use super::*;

    /// Creates the singleton that hands out network ids. Permissionless, once.
    pub fn initialize_platform(ctx: Context<InitializePlatform>) -> Result<()> {
        instructions::initialize_platform::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_network(ctx: Context<CreateNetwork>, args: CreateNetworkArgs) -> Result<()> {
        instructions::create_network::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_network(ctx: Context<UpdateNetwork>, args: UpdateNetworkArgs) -> Result<()> {
        instructions::update_network::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(paused))]
    pub fn set_network_paused(ctx: Context<SetNetworkPaused>, paused: bool) -> Result<()> {
        instructions::set_network_paused::handler(ctx, paused)
    }

    #[access_control(ctx.accounts.validate(amount))]
    pub fn set_onboarding_fee(ctx: Context<SetOnboardingFee>, amount: u64) -> Result<()> {
        instructions::set_onboarding_fee::handler(ctx, amount)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn grant_role(ctx: Context<GrantRole>, args: GrantRoleArgs) -> Result<()> {
        instructions::grant_role::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(permissions))]
    pub fn revoke_role(ctx: Context<RevokeRole>, permissions: u16) -> Result<()> {
        instructions::revoke_role::handler(ctx, permissions)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn approve_maker(ctx: Context<ApproveMaker>, args: ApproveMakerArgs) -> Result<()> {
        instructions::approve_maker::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(quota))]
    pub fn set_maker_quota(ctx: Context<SetMakerQuota>, quota: u32) -> Result<()> {
        instructions::set_maker_quota::handler(ctx, quota)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn revoke_maker(ctx: Context<RevokeMaker>) -> Result<()> {
        instructions::revoke_maker::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn register_device(ctx: Context<RegisterDevice>, args: RegisterDeviceArgs) -> Result<()> {
        instructions::register_device::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_device(ctx: Context<UpdateDevice>, args: UpdateDeviceArgs) -> Result<()> {
        instructions::update_device::handler(ctx, args)
    }

    #[access_control(ctx.accounts.validate(&new_owner))]
    pub fn transfer_device(ctx: Context<TransferDevice>, new_owner: Pubkey) -> Result<()> {
        instructions::transfer_device::handler(ctx, new_owner)
    }

    #[access_control(ctx.accounts.validate(&operator))]
    pub fn set_device_operator(ctx: Context<SetDeviceOperator>, operator: Pubkey) -> Result<()> {
        instructions::set_device_operator::handler(ctx, operator)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn suspend_device(ctx: Context<SuspendDevice>, reason: u16) -> Result<()> {
        instructions::suspend_device::handler(ctx, reason)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn resume_device(ctx: Context<ResumeDevice>) -> Result<()> {
        instructions::resume_device::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn retire_device(ctx: Context<RetireDevice>) -> Result<()> {
        instructions::retire_device::handler(ctx)
    }

    #[access_control(ctx.accounts.validate())]
    pub fn close_device(ctx: Context<CloseDevice>) -> Result<()> {
        instructions::close_device::handler(ctx)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn attest_device(ctx: Context<AttestDevice>, args: AttestDeviceArgs) -> Result<()> {
        instructions::attest_device::handler(ctx, args)
    }
}
