use anchor_lang::prelude::*;
use depin_registry::state::{permission, Member};

use crate::errors::RewardsError;
use crate::events::GuardsSet;
use crate::state::{Distributor, Guards, RootProposal};

/// A network admin changes what bounds the oracle keys: the approvals and
/// challenge period of proposals opened from now on (an open proposal keeps
/// the rules it was opened under), and the outflow limit and window, which
/// apply at once to the current window as counted so far.
#[derive(Accounts)]
pub struct SetGuards<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RewardsError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut)]
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(mut, has_one = distributor @ RewardsError::WrongProposal)]
    pub root_proposal: Box<Account<'info, RootProposal>>,
}

impl SetGuards<'_> {
    pub fn validate(&self, guards: &Guards) -> Result<()> {
        let distributor = self.distributor.load()?;
        self.member
            .require(&distributor.network, permission::ADMIN)?;
        guards.validate()?;
        require!(
            Guards::of(&distributor, &self.root_proposal) != *guards,
            RewardsError::GuardsUnchanged
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<SetGuards>, guards: Guards) -> Result<()> {
    let accounts = ctx.accounts;
    accounts.distributor.load_mut()?.breaker.set_limits(&guards);
    accounts.root_proposal.set_rules(&guards);
    emit!(GuardsSet {
        distributor: accounts.distributor.key(),
        guards,
        by: accounts.authority.key(),
    });
    Ok(())
}
