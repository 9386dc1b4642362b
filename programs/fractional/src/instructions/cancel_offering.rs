use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, TokenAccount};

use crate::errors::FractionalError;
use crate::events::OfferingCancelled;
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
        has_one = escrow @ FractionalError::WrongAccount
    )]
    pub offering: Box<Account<'info, Offering>>,
    #[account(mut)]
    pub escrow: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// CHECK: address-checked against the asset.
    #[account(mut)]
    pub revenue_pool: UncheckedAccount<'info>,
    pub closer: crate::lifecycle::OfferingCloser<'info>,
}

impl CancelOffering<'_> {
    pub fn validate(&self) -> Result<()> {
        self.closer.check(&self.asset, &self.offering)?;
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
    accounts.closer.dissolve(
        &accounts.asset,
        &accounts.offering,
        &accounts.payer,
        &accounts.share_mint.to_account_info(),
        &accounts.revenue_pool,
    )?;
    emit!(OfferingCancelled {
        offering: accounts.offering.key()
    });
    if accounts
        .closer
        .close_escrow(&accounts.offering, &accounts.escrow)?
    {
        accounts.closer.close_record(&accounts.offering)?;
    }
    Ok(())
}
