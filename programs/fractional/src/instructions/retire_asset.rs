use anchor_lang::prelude::*;
use depin_registry::program::DepinRegistry;
use depin_registry::state::{Device, Network};

use crate::errors::FractionalError;
use crate::events::AssetRetired;
use crate::signer::{as_slices, asset_seeds};
use crate::state::Asset;

/// The asset's authority takes the machine out of service for good: the
/// device is retired in the registry (signed by the asset, which holds the
/// record) and the asset issues nothing more. An open offering can then be
/// closed at once by anyone, and fails: every buyer is refunded in full.
/// Holders keep their shares and go on claiming revenue. The device record
/// is never closed while its asset exists, so its key cannot be registered
/// again to escape or hijack the asset.
#[derive(Accounts)]
pub struct RetireAsset<'info> {
    pub authority: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    #[account(mut)]
    pub device: Box<Account<'info, Device>>,
    #[account(
        mut,
        has_one = authority @ FractionalError::NotAssetAuthority,
        has_one = network @ FractionalError::WrongAccount,
        has_one = device @ FractionalError::WrongAccount
    )]
    pub asset: Box<Account<'info, Asset>>,
    pub registry_program: Program<'info, DepinRegistry>,
}

impl RetireAsset<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(!self.asset.retired, FractionalError::AssetRetired);
        Ok(())
    }
}

pub fn handler(ctx: Context<RetireAsset>) -> Result<()> {
    let accounts = ctx.accounts;
    let open_offering = accounts.asset.open_offering.then(|| {
        let id = accounts.asset.offering_count - 1;
        crate::pda::offering(&accounts.asset.key(), id).0
    });
    accounts.asset.retire()?;
    let seeds = asset_seeds(&accounts.asset);
    let signer = as_slices(&seeds);
    let retire = depin_registry::cpi::accounts::RetireDevice {
        owner: accounts.asset.to_account_info(),
        network: accounts.network.to_account_info(),
        device: accounts.device.to_account_info(),
    };
    depin_registry::cpi::retire_device(CpiContext::new_with_signer(
        accounts.registry_program.key(),
        retire,
        &[&signer[..]],
    ))?;
    emit!(AssetRetired {
        asset: accounts.asset.key(),
        device: accounts.device.key(),
        failed_offering: open_offering,
    });
    Ok(())
}
