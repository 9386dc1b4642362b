use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::PaymentsError;
use crate::events::SessionEnd;
use crate::payout;
use crate::state::Session;

/// After its deadline anyone may end a session: whatever the device did not
/// settle goes back to the customer's account, both rents to their payer.
/// If the customer closed the account the deposit came from, the refund
/// goes to `customer_account` instead (a token account of the session's
/// mint owned by the customer), so no deposit is ever stuck.
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
    /// CHECK: checked in the handler; only when the refund account is gone.
    #[account(mut)]
    pub customer_account: Option<UncheckedAccount<'info>>,
    pub token_program: Program<'info, Token>,
}

impl Reclaim<'_> {
    pub fn validate(&self) -> Result<()> {
        self.session.require_expired(Clock::get()?.unix_timestamp)
    }
}

impl<'info> Reclaim<'info> {
    /// The refund account while it is a token account, else the customer's
    /// account given instead.
    fn refund_destination(&self) -> Result<AccountInfo<'info>> {
        let refund = self.refund_account.to_account_info();
        if refund.owner == &anchor_spl::token::ID && !refund.data_is_empty() {
            return Ok(refund);
        }
        let account = self
            .customer_account
            .as_ref()
            .ok_or(PaymentsError::WrongPayoutAccount)?;
        payout::require_token_account(account, &self.session.payment_mint, &self.session.customer)?;
        Ok(account.to_account_info())
    }
}

pub fn handler(ctx: Context<Reclaim>) -> Result<()> {
    let accounts = ctx.accounts;
    let refund_to = accounts.refund_destination()?;
    payout::end_session(
        &mut accounts.session,
        &mut accounts.escrow,
        &refund_to,
        &accounts.rent_payer,
        &accounts.token_program,
        SessionEnd::Reclaimed,
    )
}
