use anchor_lang::prelude::*;

use crate::events::DeviceRetired;
use crate::state::{Device, Network};

/// The owner takes a device out of service for good (allowed while paused or
/// suspended). Close it afterwards to get the rent back.
#[derive(Accounts)]
pub struct RetireDevice<'info> {
    pub owner: Signer<'info>,
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub device: Account<'info, Device>,
}

impl RetireDevice<'_> {
    pub fn validate(&self) -> Result<()> {
        self.device.require_in(self.network.network_id)?;
        self.device.require_owner(&self.owner.key())
    }
}

pub fn handler(ctx: Context<RetireDevice>) -> Result<()> {
    ctx.accounts.device.retire()?;
    emit!(DeviceRetired {
        device: ctx.accounts.device.key()
    });
    Ok(())
}
