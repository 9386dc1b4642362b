use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token};
use depin_revenue::program::DepinRevenue;
use depin_revenue::state::{Holding, RevenuePool};

use crate::errors::FractionalError;
use crate::events::PurchaseDelivered;
use crate::lifecycle::{self, OfferingHolding};
use crate::pda::ASSET_SHARES_SEED;
use crate::signer::{as_slices, asset_seeds};
use crate::state::{Asset, Offering, Purchase};

/// After a success, anyone (the buyer, the crank) moves a purchase's shares
/// and the revenue they earned since the purchase from the offering's
/// holding to the buyer's (created if needed, paid by `payer`); the
/// purchase record closes and its rent goes back to the buyer. The shares
/// never stop earning. The last delivery closes the offering's accounts.
#[derive(Accounts)]
pub struct DeliverPurchase<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// CHECK: the buyer (address-checked against the purchase): gets the
    /// purchase's rent back.
    #[account(mut)]
    pub buyer: UncheckedAccount<'info>,
    #[account(
        has_one = share_mint @ FractionalError::WrongAccount,
        has_one = revenue_pool @ FractionalError::WrongAccount
    )]
    pub asset: Box<Account<'info, Asset>>,
    #[account(
        mut,
        has_one = asset @ FractionalError::WrongAccount,
        has_one = rent_payer @ FractionalError::WrongRentPayer
    )]
    pub offering: Box<Account<'info, Offering>>,
    #[account(
        mut,
        close = buyer,
        has_one = offering @ FractionalError::WrongAccount,
        has_one = buyer @ FractionalError::WrongAccount
    )]
    pub purchase: Box<Account<'info, Purchase>>,
    #[account(mut)]
    pub revenue_pool: Box<Account<'info, RevenuePool>>,
    #[account(
        mut,
        constraint = offering_holding.owner == offering.key()
            && offering_holding.pool == revenue_pool.key() @ FractionalError::WrongAccount
    )]
    pub offering_holding: Box<Account<'info, Holding>>,
    /// CHECK: the buyer's holding (seeds checked by the revenue program).
    #[account(mut)]
    pub buyer_holding: UncheckedAccount<'info>,
    /// CHECK: the asset authority's holding, used when the last delivery
    /// closes the offering's holding (seeds checked by the revenue program).
    #[account(mut)]
    pub authority_holding: UncheckedAccount<'info>,
    /// CHECK: receives the offering's rent when it closes (address-checked).
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
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

impl<'info> DeliverPurchase<'info> {
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }

    fn move_to_buyer(&self, shares: u64, revenue: u64) -> Result<()> {
        let seeds = asset_seeds(&self.asset);
        let signer = as_slices(&seeds);
        let transfer = depin_revenue::cpi::accounts::IssuerTransfer {
            payer: self.payer.to_account_info(),
            issuer: self.asset.to_account_info(),
            pool: self.revenue_pool.to_account_info(),
            from: self.offering_holding.to_account_info(),
            to: self.buyer_holding.to_account_info(),
            system_program: self.system_program.to_account_info(),
        };
        depin_revenue::cpi::issuer_transfer(
            CpiContext::new_with_signer(self.revenue_program.key(), transfer, &[&signer[..]]),
            self.buyer.key(),
            shares,
            revenue,
        )
    }

    fn offering_holding(&self) -> OfferingHolding<'_, 'info> {
        OfferingHolding {
            asset: &self.asset,
            payer: self.payer.to_account_info(),
            revenue_pool: self.revenue_pool.to_account_info(),
            holding: self.offering_holding.to_account_info(),
            fallback: self.authority_holding.to_account_info(),
            share_vault: self.share_vault.to_account_info(),
            share_mint: self.share_mint.to_account_info(),
            asset_shares: self.asset_shares.to_account_info(),
            rent_payer: self.rent_payer.to_account_info(),
            revenue_program: self.revenue_program.key(),
            token_program: self.token_program.to_account_info(),
            system_program: self.system_program.to_account_info(),
        }
    }
}

pub fn handler<'info>(ctx: Context<'info, DeliverPurchase<'info>>) -> Result<()> {
    let accounts = ctx.accounts;
    let claimable = accounts
        .revenue_pool
        .claimable(&accounts.offering_holding)?;
    accounts.offering.sync_revenue(claimable)?;
    accounts.offering.settle_purchase(&mut accounts.purchase)?;
    let (shares, revenue) = accounts.offering.deliver(&accounts.purchase)?;
    accounts.move_to_buyer(shares, revenue)?;
    emit!(PurchaseDelivered {
        offering: accounts.offering.key(),
        buyer: accounts.buyer.key(),
        shares,
        revenue,
    });
    if accounts.offering.is_settled() {
        // What is left in the offering's holding is rounding dust: it stays
        // in the vault, owned by nobody.
        accounts.offering_holding().dissolve(&accounts.offering)?;
        lifecycle::close_record(&accounts.offering, &accounts.rent_payer)?;
    }
    Ok(())
}
