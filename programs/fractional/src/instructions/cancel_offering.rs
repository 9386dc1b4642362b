use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use depin_revenue::program::DepinRevenue;
use depin_revenue::state::Holding;

use crate::errors::FractionalError;
use crate::events::OfferingCancelled;
use crate::lifecycle::{self, OfferingHolding};
use crate::pda::ASSET_SHARES_SEED;
use crate::state::{Asset, Offering, OfferingState};

/// The asset's authority withdraws an offering nobody has bought from yet;
/// its escrow, holding and record close and the rent goes back to whoever
/// paid it.
#[derive(Accounts)]
pub struct CancelOffering<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(
        mut,
        has_one = authority @ FractionalError::NotAssetAuthority,
        has_one = share_mint @ FractionalError::WrongAccount,
        has_one = revenue_pool @ FractionalError::WrongAccount
    )]
    pub asset: Box<Account<'info, Asset>>,
    #[account(
        mut,
        has_one = asset @ FractionalError::WrongAccount,
        has_one = escrow @ FractionalError::WrongAccount,
        has_one = rent_payer @ FractionalError::WrongRentPayer
    )]
    pub offering: Box<Account<'info, Offering>>,
    #[account(mut)]
    pub escrow: Box<Account<'info, TokenAccount>>,
    /// CHECK: receives the rent (address-checked against the offering).
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// CHECK: address-checked against the asset.
    #[account(mut)]
    pub revenue_pool: UncheckedAccount<'info>,
    /// The offering's own holding (not another offering's of the same pool).
    #[account(
        mut,
        constraint = offering_holding.owner == offering.key()
            && offering_holding.pool == asset.revenue_pool @ FractionalError::WrongAccount
    )]
    pub offering_holding: Box<Account<'info, Holding>>,
    /// CHECK: the authority's holding (seeds checked by the revenue program).
    #[account(mut)]
    pub authority_holding: UncheckedAccount<'info>,
    /// CHECK: the pool's share vault (checked by the revenue program).
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    /// CHECK: the asset's share account (seeds checked here).
    #[account(mut, seeds = [ASSET_SHARES_SEED, asset.key().as_ref()], bump)]
    pub asset_shares: UncheckedAccount<'info>,
    pub revenue_program: Program<'info, DepinRevenue>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CancelOffering<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.offering.state == OfferingState::Open,
            FractionalError::OfferingNotOpen
        );
        require!(self.offering.sold == 0, FractionalError::AlreadySold);
        Ok(())
    }
}

pub fn handler(ctx: Context<CancelOffering>) -> Result<()> {
    let accounts = ctx.accounts;
    accounts.offering.state = OfferingState::Cancelled;
    accounts.asset.end_offering();
    let holding = OfferingHolding {
        asset: &accounts.asset,
        payer: accounts.payer.to_account_info(),
        revenue_pool: accounts.revenue_pool.to_account_info(),
        holding: accounts.offering_holding.to_account_info(),
        fallback: accounts.authority_holding.to_account_info(),
        share_vault: accounts.share_vault.to_account_info(),
        share_mint: accounts.share_mint.to_account_info(),
        asset_shares: accounts.asset_shares.to_account_info(),
        rent_payer: accounts.rent_payer.to_account_info(),
        revenue_program: accounts.revenue_program.key(),
        token_program: accounts.token_program.to_account_info(),
        system_program: accounts.system_program.to_account_info(),
    };
    holding.dissolve(&accounts.offering)?;
    emit!(OfferingCancelled {
        offering: accounts.offering.key()
    });
    let token_program = accounts.token_program.to_account_info();
    if lifecycle::close_escrow(
        &accounts.offering,
        &accounts.escrow,
        &accounts.rent_payer,
        &token_program,
    )? {
        lifecycle::close_record(&accounts.offering, &accounts.rent_payer)?;
    }
    Ok(())
}
