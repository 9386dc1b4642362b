use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::DeviceOperatorSet;
use crate::state::{Device, Network};

/// The owner delegates day-to-day operation; `Pubkey::default()` clears it.
#[derive(Accounts)]
pub struct SetDeviceOperator<'info> {
    pub owner: Signer<'info>,
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub device: Account<'info, Device>,
}

impl SetDeviceOperator<'_> {
    pub fn validate(&self, operator: &Pubkey) -> Result<()> {
        self.network.require_not_paused()?;
        self.device.require_in(self.network.network_id)?;
        self.device.require_owner(&self.owner.key())?;
        self.device.require_not_retired()?;
        require_keys_neq!(
            self.device.operator,
            *operator,
            RegistryError::OperatorUnchanged
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<SetDeviceOperator>, operator: Pubkey) -> Result<()> {
    ctx.accounts.device.operator = operator;
    emit!(DeviceOperatorSet {
        device: ctx.accounts.device.key(),
        operator
    });
    Ok(())
}
