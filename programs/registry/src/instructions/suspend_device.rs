use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::DeviceSuspended;
use crate::state::{permission, Device, Member, Network};

/// A device manager suspends a device (bad data, compliance); it stops
/// earning and attesting until resumed. `reason` is a network-defined code.
#[derive(Accounts)]
pub struct SuspendDevice<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub member: Account<'info, Member>,
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub device: Account<'info, Device>,
}

impl SuspendDevice<'_> {
    pub fn validate(&self) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::DEVICE_MANAGER)?;
        self.device.require_in(self.network.network_id)
    }
}

pub fn handler(ctx: Context<SuspendDevice>, reason: u16) -> Result<()> {
    ctx.accounts.device.suspend()?;
    emit!(DeviceSuspended {
        device: ctx.accounts.device.key(),
        reason,
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
