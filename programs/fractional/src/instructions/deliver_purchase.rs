use anchor_lang::prelude::*;
use anchor_spl::token::Mint;
use depin_revenue::state::RevenuePool;

use crate::errors::FractionalError;
use crate::events::PurchaseDelivered;
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
    #[account(mut, has_one = asset @ FractionalError::WrongAccount)]
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
    /// CHECK: the buyer's holding (seeds checked by the revenue program).
    #[account(mut)]
    pub buyer_holding: UncheckedAccount<'info>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    pub closer: crate::lifecycle::OfferingCloser<'info>,
}

impl<'info> DeliverPurchase<'info> {
    pub fn validate(&self) -> Result<()> {
        self.closer.check(&self.asset, &self.offering)
    }

    fn move_to_buyer(&self, shares: u64, revenue: u64) -> Result<()> {
        let seeds = asset_seeds(&self.asset);
        let signer = as_slices(&seeds);
        let transfer = depin_revenue::cpi::accounts::IssuerTransfer {
            payer: self.payer.to_account_info(),
            issuer: self.asset.to_account_info(),
            pool: self.revenue_pool.to_account_info(),
            from: self.closer.offering_holding.to_account_info(),
            to: self.buyer_holding.to_account_info(),
            system_program: self.closer.system_program.to_account_info(),
        };
        depin_revenue::cpi::issuer_transfer(
            CpiContext::new_with_signer(
                self.closer.revenue_program.key(),
                transfer,
                &[&signer[..]],
            ),
            self.buyer.key(),
            shares,
            revenue,
        )
    }
}

pub fn handler<'info>(ctx: Context<'info, DeliverPurchase<'info>>) -> Result<()> {
    let accounts = ctx.accounts;
    let claimable = accounts
        .revenue_pool
        .claimable(&accounts.closer.offering_holding)?;
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
        accounts.closer.dissolve(
            &accounts.asset,
            &accounts.offering,
            &accounts.payer,
            &accounts.share_mint.to_account_info(),
            &accounts.revenue_pool.to_account_info(),
        )?;
        accounts.closer.close_record(&accounts.offering)?;
    }
    Ok(())
}
