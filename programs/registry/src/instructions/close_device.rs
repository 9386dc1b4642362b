use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::DeviceClosed;
use crate::state::{Device, DeviceStatus, Network};

/// Closes a retired device; the rent goes to its owner.
#[derive(Accounts)]
pub struct CloseDevice<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut)]
    pub network: Account<'info, Network>,
    #[account(mut, close = owner)]
    pub device: Account<'info, Device>,
}

impl CloseDevice<'_> {
    pub fn validate(&self) -> Result<()> {
        self.device.require_in(self.network.network_id)?;
        self.device.require_owner(&self.owner.key())?;
        require!(
            self.device.status == DeviceStatus::Retired,
            RegistryError::DeviceNotRetired
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CloseDevice>) -> Result<()> {
    ctx.accounts.network.remove_device()?;
    emit!(DeviceClosed {
        device: ctx.accounts.device.key(),
        rent_to: ctx.accounts.owner.key(),
    });
    Ok(())
}
