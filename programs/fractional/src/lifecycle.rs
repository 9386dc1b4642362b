//! The steps that end an offering, shared by the instructions that end one
//! (`close_offering`, `deliver_purchase`, `cancel_offering`, `refund`):
//! unwinding the offering's holding in the revenue pool, and closing its
//! escrow and record with the rent going back to whoever paid it.

use anchor_lang::prelude::*;
use anchor_spl::token::{burn, close_account, Burn, CloseAccount, Token, TokenAccount};
use depin_revenue::program::DepinRevenue;
use depin_revenue::state::Holding;

use crate::errors::FractionalError;
use crate::events::OfferingSettled;
use crate::signer::{as_slices, asset_seeds, offering_seeds};
use crate::state::{Asset, Offering, OfferingState};

/// The accounts that wind an offering down, part of every instruction that
/// may end one; [`OfferingCloser::check`] ties them to the asset and the
/// offering.
#[derive(Accounts)]
pub struct OfferingCloser<'info> {
    /// The offering's own holding (not another offering's of the same pool).
    #[account(mut)]
    pub offering_holding: Box<Account<'info, Holding>>,
    /// CHECK: the asset authority's holding: gets a failed offering's
    /// revenue when no other shares earn (seeds checked by the revenue
    /// program against the authority).
    #[account(mut)]
    pub authority_holding: UncheckedAccount<'info>,
    /// CHECK: the pool's share vault (checked by the revenue program).
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    /// The asset's own share account: dissolved shares pass through it to
    /// be burned.
    #[account(mut)]
    pub asset_shares: Box<Account<'info, TokenAccount>>,
    /// CHECK: receives the rent of what closes; address-checked against the
    /// offering.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    pub revenue_program: Program<'info, DepinRevenue>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl<'info> OfferingCloser<'info> {
    pub fn check(&self, asset: &Account<Asset>, offering: &Account<Offering>) -> Result<()> {
        let holding = &self.offering_holding;
        require!(
            holding.owner == offering.key() && holding.pool == asset.revenue_pool,
            FractionalError::WrongAccount
        );
        require!(
            self.asset_shares.owner == asset.key() && self.asset_shares.mint == asset.share_mint,
            FractionalError::WrongAccount
        );
        require_keys_eq!(
            self.rent_payer.key(),
            offering.rent_payer,
            FractionalError::WrongRentPayer
        );
        Ok(())
    }

    /// Empties and closes the offering's holding (revenue program CPI): its
    /// shares come back to the asset and are burned, its rent goes to the
    /// rent payer. After a failure its unclaimed revenue goes to the pool's
    /// other holders (to the authority if there are none); after every
    /// purchase was delivered what is left is rounding dust, left unowned.
    /// Returns the shares burned.
    pub fn dissolve(
        &self,
        asset: &Account<'info, Asset>,
        offering: &Offering,
        payer: &AccountInfo<'info>,
        share_mint: &AccountInfo<'info>,
        revenue_pool: &AccountInfo<'info>,
    ) -> Result<u64> {
        let failed = offering.state != OfferingState::Succeeded;
        let shares = offering.undelivered()?;
        let seeds = asset_seeds(asset);
        let signer = as_slices(&seeds);
        let dissolve = depin_revenue::cpi::accounts::IssuerDissolve {
            payer: payer.clone(),
            issuer: asset.to_account_info(),
            pool: revenue_pool.clone(),
            holding: self.offering_holding.to_account_info(),
            fallback: self.authority_holding.to_account_info(),
            share_vault: self.share_vault.to_account_info(),
            shares_destination: self.asset_shares.to_account_info(),
            rent_destination: self.rent_payer.to_account_info(),
            token_program: self.token_program.to_account_info(),
            system_program: self.system_program.to_account_info(),
        };
        depin_revenue::cpi::issuer_dissolve(
            CpiContext::new_with_signer(self.revenue_program.key(), dissolve, &[&signer[..]]),
            asset.authority,
            failed,
        )?;
        if shares > 0 {
            let burn_shares = Burn {
                mint: share_mint.clone(),
                from: self.asset_shares.to_account_info(),
                authority: asset.to_account_info(),
            };
            burn(
                CpiContext::new_with_signer(self.token_program.key(), burn_shares, &[&signer[..]]),
                shares,
            )?;
        }
        Ok(shares)
    }

    pub fn close_escrow(
        &self,
        offering: &Account<'info, Offering>,
        escrow: &Account<'info, TokenAccount>,
    ) -> Result<bool> {
        close_escrow(offering, escrow, &self.rent_payer, &self.token_program)
    }

    pub fn close_record(&self, offering: &Account<'info, Offering>) -> Result<()> {
        close_record(offering, &self.rent_payer)
    }
}

/// Closes an empty escrow (rent to the rent payer). Returns false, leaving
/// it, when it still holds tokens (sent outside a purchase).
pub fn close_escrow<'info>(
    offering: &Account<'info, Offering>,
    escrow: &Account<'info, TokenAccount>,
    rent_payer: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
) -> Result<bool> {
    if escrow.amount > 0 {
        return Ok(false);
    }
    let seeds = offering_seeds(offering);
    let signer = as_slices(&seeds);
    let accounts = CloseAccount {
        account: escrow.to_account_info(),
        destination: rent_payer.clone(),
        authority: offering.to_account_info(),
    };
    close_account(CpiContext::new_with_signer(
        token_program.key(),
        accounts,
        &[&signer[..]],
    ))?;
    Ok(true)
}

/// Closes a finished offering's record once nothing refers to it any more.
pub fn close_record<'info>(
    offering: &Account<'info, Offering>,
    rent_payer: &AccountInfo<'info>,
) -> Result<()> {
    offering.close(rent_payer.clone())?;
    emit!(OfferingSettled {
        offering: offering.key(),
        rent_to: rent_payer.key(),
    });
    Ok(())
}
