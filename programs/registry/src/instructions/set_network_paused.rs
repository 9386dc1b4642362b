use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::NetworkPauseSet;
use crate::state::{permission, Member, Network};

/// Pausing stops onboarding, device changes and attestations; retiring and
/// closing stay open so owners can always leave.
#[derive(Accounts)]
pub struct SetNetworkPaused<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut)]
    pub network: Account<'info, Network>,
}

impl SetNetworkPaused<'_> {
    pub fn validate(&self, paused: bool) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::ADMIN)?;
        require!(
            self.network.paused != paused,
            RegistryError::PauseStateUnchanged
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<SetNetworkPaused>, paused: bool) -> Result<()> {
    ctx.accounts.network.paused = paused;
    emit!(NetworkPauseSet {
        network: ctx.accounts.network.key(),
        paused,
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
