use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token};
use depin_registry::state::{Device, Network};
use depin_revenue::program::DepinRevenue;

use crate::errors::FractionalError;
use crate::events::SharesRetained;
use crate::issue::{mint_and_credit, IssueAccounts};
use crate::state::Asset;

/// The asset's authority keeps part of the machine: unissued shares are
/// minted into its own holding, where they earn revenue like any other.
/// Only while the machine is in service (active device, unpaused network,
/// asset not retired).
#[derive(Accounts)]
pub struct RetainShares<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    pub device: Box<Account<'info, Device>>,
    #[account(
        mut,
        has_one = authority @ FractionalError::NotAssetAuthority,
        has_one = network @ FractionalError::WrongAccount,
        has_one = device @ FractionalError::WrongAccount,
        has_one = share_mint @ FractionalError::WrongAccount,
        has_one = revenue_pool @ FractionalError::WrongAccount
    )]
    pub asset: Box<Account<'info, Asset>>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// CHECK: address-checked against the asset.
    #[account(mut)]
    pub revenue_pool: UncheckedAccount<'info>,
    /// CHECK: the authority's holding (seeds checked by the revenue program).
    #[account(mut)]
    pub holding: UncheckedAccount<'info>,
    /// CHECK: the pool's share vault (checked by the revenue program).
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    pub revenue_program: Program<'info, DepinRevenue>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl RetainShares<'_> {
    pub fn validate(&self, shares: u64) -> Result<()> {
        require!(shares > 0, FractionalError::ZeroAmount);
        self.asset.require_in_service(&self.device, &self.network)
    }
}

pub fn handler(ctx: Context<RetainShares>, shares: u64) -> Result<()> {
    let accounts = ctx.accounts;
    accounts.asset.retain(shares)?;
    let issue = IssueAccounts {
        asset: &accounts.asset,
        share_mint: accounts.share_mint.to_account_info(),
        share_vault: accounts.share_vault.to_account_info(),
        revenue_pool: accounts.revenue_pool.to_account_info(),
        holding: accounts.holding.to_account_info(),
        payer: accounts.payer.to_account_info(),
        revenue_program: accounts.revenue_program.key(),
        token_program: accounts.token_program.key(),
        system_program: accounts.system_program.to_account_info(),
    };
    mint_and_credit(issue, accounts.asset.authority, shares)?;
    emit!(SharesRetained {
        asset: accounts.asset.key(),
        authority: accounts.asset.authority,
        shares,
        issued: accounts.asset.issued,
    });
    Ok(())
}
