use anchor_lang::prelude::*;
use depin_registry::program::DepinRegistry;
use depin_registry::state::{Device, Network};

use crate::errors::FractionalError;
use crate::events::AssetAuthorityTransferred;
use crate::state::Asset;

/// The asset's authority hands the machine's management (and future
/// offerings' proceeds) to `new_authority`, as a device owner transfers a
/// device in the registry; a device operator chosen by the old authority is
/// cleared, so it keeps no control.
#[derive(Accounts)]
pub struct TransferAsset<'info> {
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

impl TransferAsset<'_> {
    pub fn validate(&self, new_authority: &Pubkey) -> Result<()> {
        require!(!self.network.paused, FractionalError::NetworkPaused);
        require!(
            *new_authority != self.asset.authority && *new_authority != Pubkey::default(),
            FractionalError::AuthorityUnchanged
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<TransferAsset>, new_authority: Pubkey) -> Result<()> {
    let accounts = ctx.accounts;
    let from = accounts.asset.authority;
    accounts.asset.authority = new_authority;
    if accounts.device.operator != Pubkey::default() {
        crate::instructions::set_asset_operator::set_operator(
            &accounts.asset,
            &accounts.network,
            &accounts.device,
            &accounts.registry_program,
            Pubkey::default(),
        )?;
    }
    emit!(AssetAuthorityTransferred {
        asset: accounts.asset.key(),
        from,
        to: new_authority,
    });
    Ok(())
}
