use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::DeviceUpdated;
use crate::state::{Device, Network};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateDeviceArgs {
    pub location: Option<u64>,
    pub capacity: Option<u32>,
}

/// The owner or the operator updates a device's location or capacity.
#[derive(Accounts)]
pub struct UpdateDevice<'info> {
    pub signer: Signer<'info>,
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub device: Account<'info, Device>,
}

impl UpdateDevice<'_> {
    pub fn validate(&self, args: &UpdateDeviceArgs) -> Result<()> {
        self.network.require_not_paused()?;
        self.device.require_in(self.network.network_id)?;
        self.device.require_owner_or_operator(&self.signer.key())?;
        self.device.require_not_retired()?;
        require!(
            args.location.is_some() || args.capacity.is_some(),
            RegistryError::NothingToUpdate
        );
        if let Some(location) = args.location {
            Device::check_location(location)?;
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<UpdateDevice>, args: UpdateDeviceArgs) -> Result<()> {
    let device = &mut ctx.accounts.device;
    if let Some(location) = args.location {
        device.location = location;
    }
    if let Some(capacity) = args.capacity {
        device.capacity = capacity;
    }
    emit!(DeviceUpdated {
        device: device.key(),
        location: device.location,
        capacity: device.capacity,
        by: ctx.accounts.signer.key(),
    });
    Ok(())
}
