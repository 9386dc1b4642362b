use anchor_lang::prelude::*;
use depin_registry::state::Device;

use crate::errors::PaymentsError;
use crate::events::TariffPauseSet;
use crate::machine::Machine;
use crate::state::Tariff;

/// The device's controller stops (or resumes) new sessions; open sessions
/// run to their end.
#[derive(Accounts)]
pub struct SetTariffPaused<'info> {
    pub controller: Signer<'info>,
    pub device: Box<Account<'info, Device>>,
    /// CHECK: the account at the device's owner address (checked in
    /// `Machine::of`).
    pub device_owner: UncheckedAccount<'info>,
    #[account(mut, has_one = device @ PaymentsError::WrongAccount)]
    pub tariff: Box<Account<'info, Tariff>>,
}

impl SetTariffPaused<'_> {
    pub fn validate(&self) -> Result<()> {
        Machine::of(&self.device, &self.device_owner.to_account_info())?
            .require_controller(&self.controller.key())
    }
}

pub fn handler(ctx: Context<SetTariffPaused>, paused: bool) -> Result<()> {
    let tariff = &mut ctx.accounts.tariff;
    tariff.paused = paused;
    emit!(TariffPauseSet {
        tariff: tariff.key(),
        paused,
    });
    Ok(())
}
