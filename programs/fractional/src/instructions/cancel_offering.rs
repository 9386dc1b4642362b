use anchor_lang::prelude::*;

use crate::errors::FractionalError;
use crate::events::OfferingCancelled;
use crate::state::{Asset, Offering, OfferingState};

/// The asset's authority withdraws an offering nobody has bought from yet.
#[derive(Accounts)]
pub struct CancelOffering<'info> {
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ FractionalError::NotAssetAuthority)]
    pub asset: Account<'info, Asset>,
    #[account(mut, has_one = asset @ FractionalError::WrongAccount)]
    pub offering: Account<'info, Offering>,
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
    ctx.accounts.offering.state = OfferingState::Cancelled;
    ctx.accounts.asset.end_offering();
    emit!(OfferingCancelled {
        offering: ctx.accounts.offering.key()
    });
    Ok(())
}
