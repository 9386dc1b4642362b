use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::FractionalError;
use crate::events::Refunded;
use crate::lifecycle;
use crate::signer::{as_slices, offering_seeds};
use crate::state::{Asset, Offering, Purchase};

/// After a failed offering, anyone (the buyer, the crank) refunds a buyer
/// everything it paid, into a token account the buyer owns; the purchase
/// record closes and its rent goes back to the buyer. (Its shares were
/// burned when the offering failed and never left the offering's holding,
/// so there is nothing to give back and nothing it could have sold.) The
/// last refund closes the offering's escrow and record.
#[derive(Accounts)]
pub struct Refund<'info> {
    /// CHECK: the buyer (address-checked against the purchase): gets the
    /// purchase's rent back.
    #[account(mut)]
    pub buyer: UncheckedAccount<'info>,
    pub asset: Box<Account<'info, Asset>>,
    #[account(
        mut,
        has_one = asset @ FractionalError::WrongAccount,
        has_one = escrow @ FractionalError::WrongAccount,
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
    pub escrow: Box<Account<'info, TokenAccount>>,
    /// The buyer's own account in the payment mint.
    #[account(
        mut,
        constraint = destination.owner == buyer.key() && destination.mint == offering.payment_mint
            @ FractionalError::WrongRefundAccount
    )]
    pub destination: Box<Account<'info, TokenAccount>>,
    /// CHECK: receives the escrow's and the offering's rent when they close
    /// (address-checked against the offering).
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Refund<'_> {
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }
}

pub fn handler(ctx: Context<Refund>) -> Result<()> {
    let accounts = ctx.accounts;
    let amount = accounts.offering.refund(&accounts.purchase)?;
    let seeds = offering_seeds(&accounts.offering);
    let signer = as_slices(&seeds);
    depin_token_cpi::transfer_signed(
        &accounts.escrow.to_account_info(),
        &accounts.destination.to_account_info(),
        &accounts.offering.to_account_info(),
        &accounts.token_program,
        amount,
        &signer,
    )?;
    emit!(Refunded {
        offering: accounts.offering.key(),
        buyer: accounts.buyer.key(),
        amount,
    });
    if accounts.offering.is_settled() {
        accounts.escrow.reload()?;
        let token_program = accounts.token_program.to_account_info();
        if lifecycle::close_escrow(
            &accounts.offering,
            &accounts.escrow,
            &accounts.rent_payer,
            &token_program,
        )? {
            lifecycle::close_record(&accounts.offering, &accounts.rent_payer)?;
        }
    }
    Ok(())
}
