use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::MakerQuotaSet;
use crate::state::{permission, Maker, Member, Network};

#[derive(Accounts)]
pub struct SetMakerQuota<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub member: Account<'info, Member>,
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub maker: Account<'info, Maker>,
}

impl SetMakerQuota<'_> {
    pub fn validate(&self, _quota: u32) -> Result<()> {
        let network = self.network.key();
        self.member.require(&network, permission::MAKER_MANAGER)?;
        self.maker.require_in(&network)
    }
}

pub fn handler(ctx: Context<SetMakerQuota>, quota: u32) -> Result<()> {
    ctx.accounts.maker.set_quota(quota)?;
    emit!(MakerQuotaSet {
        maker: ctx.accounts.maker.key(),
        quota
    });
    Ok(())
}
