use anchor_lang::prelude::*;
use depin_registry::program::DepinRegistry;
use depin_registry::state::{Device, Network};

use crate::errors::FractionalError;
use crate::events::AssetOperatorSet;
use crate::signer::{as_slices, asset_seeds};
use crate::state::Asset;

/// The asset's authority sets (or clears, with `Pubkey::default()`) the
/// device's operator in the registry, which the asset holds: the operator
/// runs the machine (location updates, work reports) and can never act for
/// the asset.
#[derive(Accounts)]
pub struct SetAssetOperator<'info> {
    pub authority: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    #[account(mut)]
    pub device: Box<Account<'info, Device>>,
    #[account(
        has_one = authority @ FractionalError::NotAssetAuthority,
        has_one = network @ FractionalError::WrongAccount,
        has_one = device @ FractionalError::WrongAccount
    )]
    pub asset: Box<Account<'info, Asset>>,
    pub registry_program: Program<'info, DepinRegistry>,
}

impl SetAssetOperator<'_> {
    pub fn validate(&self, _operator: &Pubkey) -> Result<()> {
        require!(!self.asset.retired, FractionalError::AssetRetired);
        Ok(())
    }
}

/// The registry's `set_device_operator`, signed by the asset (the device's
/// registered owner); the registry checks the rest.
pub fn set_operator<'info>(
    asset: &Account<'info, Asset>,
    network: &Account<'info, Network>,
    device: &Account<'info, Device>,
    registry_program: &Program<'info, DepinRegistry>,
    operator: Pubkey,
) -> Result<()> {
    let seeds = asset_seeds(asset);
    let signer = as_slices(&seeds);
    let set = depin_registry::cpi::accounts::SetDeviceOperator {
        owner: asset.to_account_info(),
        network: network.to_account_info(),
        device: device.to_account_info(),
    };
    depin_registry::cpi::set_device_operator(
        CpiContext::new_with_signer(registry_program.key(), set, &[&signer[..]]),
        operator,
    )
}

pub fn handler(ctx: Context<SetAssetOperator>, operator: Pubkey) -> Result<()> {
    let accounts = ctx.accounts;
    set_operator(
        &accounts.asset,
        &accounts.network,
        &accounts.device,
        &accounts.registry_program,
        operator,
    )?;
    emit!(AssetOperatorSet {
        asset: accounts.asset.key(),
        device: accounts.device.key(),
        operator,
    });
    Ok(())
}
