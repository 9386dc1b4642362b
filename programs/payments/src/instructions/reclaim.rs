use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::PaymentsError;
use crate::events::SessionEnd;
use crate::payout;
use crate::state::Session;

/// After its deadline anyone may end a session: whatever the device did not
/// settle goes back to the customer's account, both rents to their payer.
#[derive(Accounts)]
pub struct Reclaim<'info> {
    #[account(
        mut,
        has_one = escrow @ PaymentsError::WrongAccount,
        has_one = refund_account @ PaymentsError::WrongAccount,
        has_one = rent_payer @ PaymentsError::WrongAccount
    )]
    pub session: Box<Account<'info, Session>>,
    #[account(mut)]
    pub escrow: Box<Account<'info, TokenAccount>>,
    /// CHECK: address-checked against the session.
    #[account(mut)]
    pub refund_account: UncheckedAccount<'info>,
    /// CHECK: address-checked against the session.
    #[account(mut)]
    pub rent_payer: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Reclaim<'_> {
    pub fn validate(&self) -> Result<()> {
        self.session.require_expired(Clock::get()?.unix_timestamp)
    }
}

pub fn handler(ctx: Context<Reclaim>) -> Result<()> {
    let accounts = ctx.accounts;
    payout::end_session(
        &mut accounts.session,
        &mut accounts.escrow,
        &accounts.refund_account,
        &accounts.rent_payer,
        &accounts.token_program,
        SessionEnd::Reclaimed,
    )
}
