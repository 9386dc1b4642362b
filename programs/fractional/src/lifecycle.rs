//! The steps that end an offering, shared by its instructions: unwinding a
//! failed offering's shares, and closing its accounts (escrow, the
//! offering's holding in the revenue pool, the record) with the rent going
//! back to whoever paid it.

use anchor_lang::prelude::*;
use anchor_spl::token::{burn, close_account, Burn, CloseAccount, TokenAccount};

use crate::events::OfferingSettled;
use crate::signer::{as_slices, asset_seeds, offering_seeds};
use crate::state::{Asset, Offering, OfferingState};

/// The accounts of an offering's holding in the revenue pool.
pub struct OfferingHolding<'a, 'info> {
    pub asset: &'a Account<'info, Asset>,
    pub payer: AccountInfo<'info>,
    pub revenue_pool: AccountInfo<'info>,
    pub holding: AccountInfo<'info>,
    /// The asset authority's holding: receives the revenue when no other
    /// shares earn.
    pub fallback: AccountInfo<'info>,
    pub share_vault: AccountInfo<'info>,
    pub share_mint: AccountInfo<'info>,
    /// The asset's own share account: dissolved shares pass through it to
    /// be burned.
    pub asset_shares: AccountInfo<'info>,
    pub rent_payer: AccountInfo<'info>,
    pub revenue_program: Pubkey,
    pub token_program: AccountInfo<'info>,
    pub system_program: AccountInfo<'info>,
}

impl OfferingHolding<'_, '_> {
    /// Empties and closes the offering's holding (revenue program CPI): its
    /// shares come back to the asset and are burned, its rent goes to the
    /// rent payer. After a failure its unclaimed revenue goes to the pool's
    /// other holders (to the authority if there are none); after every
    /// purchase was delivered what is left is rounding dust, left unowned.
    /// Returns the shares burned.
    pub fn dissolve(self, offering: &Offering) -> Result<u64> {
        let failed = offering.state != OfferingState::Succeeded;
        let shares = offering.undelivered()?;
        let seeds = asset_seeds(self.asset);
        let signer = as_slices(&seeds);
        let dissolve = depin_revenue::cpi::accounts::IssuerDissolve {
            payer: self.payer,
            issuer: self.asset.to_account_info(),
            pool: self.revenue_pool,
            holding: self.holding,
            fallback: self.fallback,
            share_vault: self.share_vault,
            shares_destination: self.asset_shares.clone(),
            rent_destination: self.rent_payer,
            token_program: self.token_program.clone(),
            system_program: self.system_program,
        };
        depin_revenue::cpi::issuer_dissolve(
            CpiContext::new_with_signer(self.revenue_program, dissolve, &[&signer[..]]),
            self.asset.authority,
            failed,
        )?;
        if shares > 0 {
            let burn_shares = Burn {
                mint: self.share_mint,
                from: self.asset_shares,
                authority: self.asset.to_account_info(),
            };
            burn(
                CpiContext::new_with_signer(self.token_program.key(), burn_shares, &[&signer[..]]),
                shares,
            )?;
        }
        Ok(shares)
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
