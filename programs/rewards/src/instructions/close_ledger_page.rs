use anchor_lang::prelude::*;
use depin_registry::state::{permission, Member};

use crate::errors::RewardsError;
use crate::events::LedgerPageClosed;
use crate::state::{ClaimLedger, Distributor};

/// After the clawback, a treasury member closes ledger pages and takes their
/// rent back.
#[derive(Accounts)]
pub struct CloseLedgerPage<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RewardsError::MissingPermission)]
    pub member: Account<'info, Member>,
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(mut, close = rent_receiver)]
    pub ledger: AccountLoader<'info, ClaimLedger>,
    /// CHECK: any account may receive the rent.
    #[account(mut)]
    pub rent_receiver: UncheckedAccount<'info>,
}

impl CloseLedgerPage<'_> {
    pub fn validate(&self) -> Result<()> {
        let distributor = self.distributor.load()?;
        self.member
            .require(&distributor.network, permission::TREASURY)?;
        require!(distributor.is_clawed_back(), RewardsError::NotClawedBack);
        require_keys_eq!(
            self.ledger.load()?.distributor,
            self.distributor.key(),
            RewardsError::WrongLedgerPage
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseLedgerPage>) -> Result<()> {
    let page = ctx.accounts.ledger.load()?.page;
    emit!(LedgerPageClosed {
        distributor: ctx.accounts.distributor.key(),
        page,
        rent_to: ctx.accounts.rent_receiver.key(),
    });
    Ok(())
}
