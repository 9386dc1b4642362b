use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::MakerRevoked;
use crate::state::{permission, Maker, Member, Network};

/// Stops a maker from onboarding devices. Devices it already onboarded stay.
#[derive(Accounts)]
pub struct RevokeMaker<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub member: Account<'info, Member>,
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub maker: Account<'info, Maker>,
}

impl RevokeMaker<'_> {
    pub fn validate(&self) -> Result<()> {
        let network = self.network.key();
        self.member.require(&network, permission::MAKER_MANAGER)?;
        self.maker.require_in(&network)
    }
}

pub fn handler(ctx: Context<RevokeMaker>) -> Result<()> {
    ctx.accounts.maker.revoke()?;
    emit!(MakerRevoked {
        maker: ctx.accounts.maker.key(),
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
