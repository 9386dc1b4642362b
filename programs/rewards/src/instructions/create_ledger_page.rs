use anchor_lang::prelude::*;
use depin_registry::state::{permission, Member};

use crate::errors::RewardsError;
use crate::events::LedgerPageCreated;
use crate::pda::LEDGER_SEED;
use crate::state::{ClaimLedger, Distributor, LEDGER_PAGE_SIZE};

/// The oracle (crank) adds the next ledger page as the recipient list grows;
/// the payer (the network) pays its rent, so recipients never need SOL.
#[derive(Accounts)]
#[instruction(page: u32)]
pub struct CreateLedgerPage<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RewardsError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut)]
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(
        init,
        payer = payer,
        space = ClaimLedger::SIZE,
        seeds = [LEDGER_SEED, distributor.key().as_ref(), &page.to_le_bytes()],
        bump
    )]
    pub ledger: AccountLoader<'info, ClaimLedger>,
    pub system_program: Program<'info, System>,
}

impl CreateLedgerPage<'_> {
    pub fn validate(&self, _page: u32) -> Result<()> {
        self.member
            .require(&self.distributor.load()?.network, permission::ORACLE)
    }
}

pub fn handler(ctx: Context<CreateLedgerPage>, page: u32) -> Result<()> {
    ctx.accounts.distributor.load_mut()?.add_ledger_page(page)?;
    let mut ledger = ctx.accounts.ledger.load_init()?;
    ledger.distributor = ctx.accounts.distributor.key();
    ledger.page = page;
    ledger.bump = ctx.bumps.ledger;
    emit!(LedgerPageCreated {
        distributor: ctx.accounts.distributor.key(),
        page,
        capacity: LEDGER_PAGE_SIZE as u32,
    });
    Ok(())
}
