use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::claims::{self, ClaimArgs};
use crate::errors::RewardsError;
use crate::events::RewardClaimed;
use crate::payout;
use crate::state::{ClaimLedger, Distributor};

/// The recipient claims everything its leaf in the current root holds beyond
/// what it already claimed, to any token account of the mint it chooses.
#[derive(Accounts)]
pub struct Claim<'info> {
    pub recipient: Signer<'info>,
    #[account(mut, has_one = vault @ RewardsError::WrongVault)]
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(mut)]
    pub ledger: AccountLoader<'info, ClaimLedger>,
    /// CHECK: address-checked against the distributor.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: any token account of the mint; the token program rejects one
    /// of another mint.
    #[account(mut, constraint = destination.key() != vault.key() @ RewardsError::WrongVault)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Claim<'_> {
    /// Static checks; `claims::settle` checks the time-bound ones.
    pub fn validate(&self, args: &ClaimArgs) -> Result<()> {
        args.validate()
    }
}

pub fn handler(ctx: Context<Claim>, args: ClaimArgs) -> Result<()> {
    let accounts = ctx.accounts;
    let recipient = accounts.recipient.key();
    let settled = claims::settle(&accounts.distributor, &accounts.ledger, &recipient, &args)?;
    let amount = settled.amount;
    payout::from_vault(
        &accounts.distributor.to_account_info(),
        &settled.signer,
        &accounts.vault,
        &accounts.destination,
        &accounts.token_program,
        amount,
    )?;
    emit!(RewardClaimed {
        distributor: accounts.distributor.key(),
        recipient,
        index: args.index,
        amount,
        cumulative_claimed: args.cumulative_amount,
        by_recipient: true,
    });
    Ok(())
}
