use anchor_lang::prelude::*;
use anchor_spl::token::{spl_token, Token};

use crate::claims::{self, ClaimArgs};
use crate::errors::RewardsError;
use crate::events::RewardClaimed;
use crate::payout;
use crate::state::{ClaimLedger, Distributor};

/// Token account layout: mint at 0..32, owner at 32..64.
const TOKEN_ACCOUNT_LEN: usize = 165;
const OWNER_RANGE: core::ops::Range<usize> = 32..64;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PushClaimArgs {
    pub recipient: Pubkey,
    pub claim: ClaimArgs,
}

/// Anyone (the crank) pays a recipient's rewards into a token account the
/// recipient owns; the recipient signs nothing and needs no SOL.
#[derive(Accounts)]
pub struct PushClaim<'info> {
    #[account(mut, has_one = vault @ RewardsError::WrongVault)]
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(mut)]
    pub ledger: AccountLoader<'info, ClaimLedger>,
    /// CHECK: address-checked against the distributor.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: must be a token account owned by the recipient (checked in
    /// `validate`); the token program checks its mint.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl PushClaim<'_> {
    /// Static checks; `claims::settle` checks the time-bound ones.
    pub fn validate(&self, args: &PushClaimArgs) -> Result<()> {
        args.claim.validate()?;
        let destination = &self.destination;
        require_keys_eq!(
            *destination.owner,
            spl_token::ID,
            RewardsError::DestinationNotRecipients
        );
        let data = destination.try_borrow_data()?;
        require!(
            data.len() == TOKEN_ACCOUNT_LEN && data[OWNER_RANGE] == args.recipient.to_bytes(),
            RewardsError::DestinationNotRecipients
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<PushClaim>, args: PushClaimArgs) -> Result<()> {
    let accounts = ctx.accounts;
    let settled = claims::settle(
        &accounts.distributor,
        &accounts.ledger,
        &args.recipient,
        &args.claim,
    )?;
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
        recipient: args.recipient,
        index: args.claim.index,
        amount,
        cumulative_claimed: args.claim.cumulative_amount,
        by_recipient: false,
    });
    Ok(())
}
