use anchor_lang::prelude::*;
use depin_registry::state::{permission, Member, Network};

use crate::errors::FractionalError;
use crate::events::AllowlistSet;
use crate::pda::ALLOW_SEED;
use crate::state::AllowEntry;

/// The compliance role clears (or un-clears) an investor for offerings that
/// require the allowlist, network-wide.
#[derive(Accounts)]
#[instruction(investor: Pubkey)]
pub struct SetAllowlist<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(has_one = authority @ FractionalError::MissingPermission)]
    pub member: Account<'info, Member>,
    pub network: Account<'info, Network>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + AllowEntry::INIT_SPACE,
        seeds = [ALLOW_SEED, network.key().as_ref(), investor.as_ref()],
        bump
    )]
    pub entry: Account<'info, AllowEntry>,
    pub system_program: Program<'info, System>,
}

impl SetAllowlist<'_> {
    pub fn validate(&self, _investor: &Pubkey, _allowed: bool) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::COMPLIANCE)
    }
}

pub fn handler(ctx: Context<SetAllowlist>, investor: Pubkey, allowed: bool) -> Result<()> {
    let entry = &mut ctx.accounts.entry;
    entry.network = ctx.accounts.network.key();
    entry.investor = investor;
    entry.allowed = allowed;
    entry.bump = ctx.bumps.entry;
    emit!(AllowlistSet {
        network: entry.network,
        investor,
        allowed,
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
