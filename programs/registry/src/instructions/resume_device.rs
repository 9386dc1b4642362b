use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::DeviceResumed;
use crate::state::{permission, Device, Member, Network};

/// A device manager lifts a suspension.
#[derive(Accounts)]
pub struct ResumeDevice<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub member: Account<'info, Member>,
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub device: Account<'info, Device>,
}

impl ResumeDevice<'_> {
    pub fn validate(&self) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::DEVICE_MANAGER)?;
        self.device.require_in(self.network.network_id)
    }
}

pub fn handler(ctx: Context<ResumeDevice>) -> Result<()> {
    ctx.accounts.device.resume()?;
    emit!(DeviceResumed {
        device: ctx.accounts.device.key(),
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
