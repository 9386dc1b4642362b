use anchor_lang::prelude::*;
use depin_registry::state::{permission, Member};

use crate::errors::RewardsError;
use crate::events::RootVetoed;
use crate::state::{Distributor, RootProposal};

/// A network admin stops the open root proposal, pending or fully approved
/// and in its challenge period; the current root stays claimable. The
/// oracles may propose again (the same root needs every approval anew).
#[derive(Accounts)]
pub struct VetoRoot<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RewardsError::MissingPermission)]
    pub member: Account<'info, Member>,
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(mut, has_one = distributor @ RewardsError::WrongProposal)]
    pub root_proposal: Box<Account<'info, RootProposal>>,
}

impl VetoRoot<'_> {
    pub fn validate(&self) -> Result<()> {
        self.member
            .require(&self.distributor.load()?.network, permission::ADMIN)
    }
}

pub fn handler(ctx: Context<VetoRoot>) -> Result<()> {
    let proposal = &mut ctx.accounts.root_proposal;
    proposal.veto()?;
    emit!(RootVetoed {
        distributor: ctx.accounts.distributor.key(),
        sequence: proposal.sequence,
        epoch: proposal.content.epoch,
        root: proposal.content.root,
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
