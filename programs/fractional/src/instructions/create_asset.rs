use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use depin_registry::program::DepinRegistry;
use depin_registry::state::{Device, DeviceStatus, Network};
use depin_revenue::program::DepinRevenue;

use crate::errors::FractionalError;
use crate::events::AssetCreated;
use crate::pda::{ASSET_SEED, ASSET_SHARES_SEED, SHARE_MINT_SEED};
use crate::signer::{as_slices, asset_seeds};
use crate::state::Asset;

/// The owner of an active registered device turns it into `total_shares`
/// shares (mint authority: the asset PDA), opens the shares' revenue pool in
/// `payment_mint` with the asset as its issuer, and hands the device record
/// to the asset (registry `transfer_device`): from now on the record changes
/// only through the asset's rules, and the owner manages the asset.
#[derive(Accounts)]
pub struct CreateAsset<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub owner: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    #[account(mut)]
    pub device: Box<Account<'info, Device>>,
    #[account(
        init,
        payer = payer,
        space = 8 + Asset::INIT_SPACE,
        seeds = [ASSET_SEED, device.key().as_ref()],
        bump
    )]
    pub asset: Box<Account<'info, Asset>>,
    #[account(
        init,
        payer = payer,
        seeds = [SHARE_MINT_SEED, asset.key().as_ref()],
        bump,
        mint::decimals = 0,
        mint::authority = asset,
        mint::token_program = token_program
    )]
    pub share_mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        seeds = [ASSET_SHARES_SEED, asset.key().as_ref()],
        bump,
        token::mint = share_mint,
        token::authority = asset,
        token::token_program = token_program
    )]
    pub asset_shares: Box<Account<'info, TokenAccount>>,
    pub payment_mint: Box<Account<'info, Mint>>,
    /// CHECK: created by the revenue program (its seeds are checked there).
    #[account(mut)]
    pub revenue_pool: UncheckedAccount<'info>,
    /// CHECK: created by the revenue program.
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    /// CHECK: created by the revenue program.
    #[account(mut)]
    pub revenue_vault: UncheckedAccount<'info>,
    pub registry_program: Program<'info, DepinRegistry>,
    pub revenue_program: Program<'info, DepinRevenue>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreateAsset<'_> {
    pub fn validate(&self, total_shares: u64) -> Result<()> {
        let device = &self.device;
        device.require_in(self.network.network_id)?;
        require!(!self.network.paused, FractionalError::NetworkPaused);
        require!(
            device.status == DeviceStatus::Active,
            FractionalError::DeviceNotActive
        );
        require_keys_eq!(
            device.owner,
            self.owner.key(),
            FractionalError::NotDeviceOwner
        );
        require!(total_shares > 0, FractionalError::ZeroAmount);
        Ok(())
    }
}

pub fn handler(ctx: Context<CreateAsset>, total_shares: u64) -> Result<()> {
    let accounts = ctx.accounts;
    accounts.asset.set_inner(Asset {
        network: accounts.network.key(),
        device: accounts.device.key(),
        authority: accounts.owner.key(),
        share_mint: accounts.share_mint.key(),
        revenue_pool: accounts.revenue_pool.key(),
        payment_mint: accounts.payment_mint.key(),
        total_shares,
        issued: 0,
        reserved: 0,
        offering_count: 0,
        open_offering: false,
        retired: false,
        bump: ctx.bumps.asset,
        share_mint_bump: ctx.bumps.share_mint,
    });
    let seeds = asset_seeds(&accounts.asset);
    let signer = as_slices(&seeds);
    let cpi = depin_revenue::cpi::accounts::CreatePool {
        payer: accounts.payer.to_account_info(),
        issuer: accounts.asset.to_account_info(),
        share_mint: accounts.share_mint.to_account_info(),
        payment_mint: accounts.payment_mint.to_account_info(),
        pool: accounts.revenue_pool.to_account_info(),
        share_vault: accounts.share_vault.to_account_info(),
        revenue_vault: accounts.revenue_vault.to_account_info(),
        token_program: accounts.token_program.to_account_info(),
        system_program: accounts.system_program.to_account_info(),
    };
    depin_revenue::cpi::create_pool(CpiContext::new_with_signer(
        accounts.revenue_program.key(),
        cpi,
        &[&signer[..]],
    ))?;
    // The owner signed this transaction, so its signature carries into the
    // registry's transfer.
    let transfer = depin_registry::cpi::accounts::TransferDevice {
        owner: accounts.owner.to_account_info(),
        network: accounts.network.to_account_info(),
        device: accounts.device.to_account_info(),
    };
    depin_registry::cpi::transfer_device(
        CpiContext::new(accounts.registry_program.key(), transfer),
        accounts.asset.key(),
    )?;
    emit!(AssetCreated {
        asset: accounts.asset.key(),
        device: accounts.device.key(),
        authority: accounts.owner.key(),
        share_mint: accounts.share_mint.key(),
        revenue_pool: accounts.revenue_pool.key(),
        payment_mint: accounts.payment_mint.key(),
        total_shares,
    });
    Ok(())
}
