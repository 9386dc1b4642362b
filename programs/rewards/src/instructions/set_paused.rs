use anchor_lang::prelude::*;
use depin_registry::state::{permission, Member};

use crate::errors::RewardsError;
use crate::events::DistributorPauseSet;
use crate::state::Distributor;

/// A network admin stops or restarts claims (roots can still be posted).
#[derive(Accounts)]
pub struct SetPaused<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RewardsError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut)]
    pub distributor: AccountLoader<'info, Distributor>,
}

impl SetPaused<'_> {
    pub fn validate(&self, paused: bool) -> Result<()> {
        let distributor = self.distributor.load()?;
        self.member
            .require(&distributor.network, permission::ADMIN)?;
        require!(
            distributor.is_paused() != paused,
            RewardsError::PauseStateUnchanged
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
    ctx.accounts.distributor.load_mut()?.set_paused(paused);
    emit!(DistributorPauseSet {
        distributor: ctx.accounts.distributor.key(),
        paused,
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
