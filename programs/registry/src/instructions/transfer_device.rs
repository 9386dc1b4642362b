use anchor_lang::prelude::*;

use crate::events::DeviceTransferred;
use crate::state::{Device, Network};

/// The owner hands the device to a new owner; any operator is cleared.
#[derive(Accounts)]
pub struct TransferDevice<'info> {
    pub owner: Signer<'info>,
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub device: Account<'info, Device>,
}

impl TransferDevice<'_> {
    pub fn validate(&self, _new_owner: &Pubkey) -> Result<()> {
        self.network.require_not_paused()?;
        self.device.require_in(self.network.network_id)?;
        self.device.require_owner(&self.owner.key())?;
        self.device.require_not_retired()
    }
}

pub fn handler(ctx: Context<TransferDevice>, new_owner: Pubkey) -> Result<()> {
    let device = &mut ctx.accounts.device;
    let from = device.owner;
    device.transfer_to(new_owner)?;
    emit!(DeviceTransferred {
        device: device.key(),
        from,
        to: new_owner
    });
    Ok(())
}
