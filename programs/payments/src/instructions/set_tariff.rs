use anchor_lang::prelude::*;
use anchor_spl::token::Mint;
use depin_registry::state::{Device, Network};

use crate::errors::PaymentsError;
use crate::events::TariffSet;
use crate::machine::Machine;
use crate::pda::TARIFF_SEED;
use crate::state::{require_machine_in_service, Tariff, TariffTerms};

/// The device's controller (its owner, or its asset's authority when
/// tokenized) sets its tariff, creating it the first time. Only for active
/// devices of unpaused networks. A tokenized device charges in its revenue
/// pool's payment mint, so its holders can be paid. Open sessions keep the
/// terms they opened with.
#[derive(Accounts)]
pub struct SetTariff<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub controller: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    pub device: Box<Account<'info, Device>>,
    /// CHECK: the account at the device's owner address (checked in
    /// `Machine::of`): a wallet, or the device's asset when tokenized.
    pub device_owner: UncheckedAccount<'info>,
    pub payment_mint: Box<Account<'info, Mint>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Tariff::INIT_SPACE,
        seeds = [TARIFF_SEED, device.key().as_ref()],
        bump
    )]
    pub tariff: Box<Account<'info, Tariff>>,
    pub system_program: Program<'info, System>,
}

impl SetTariff<'_> {
    pub fn validate(&self, terms: &TariffTerms) -> Result<()> {
        terms.validate()?;
        require_machine_in_service(&self.device, &self.network)?;
        let machine = Machine::of(&self.device, &self.device_owner.to_account_info())?;
        machine.require_controller(&self.controller.key())?;
        if let Machine::Tokenized { asset } = &machine {
            require_keys_eq!(
                asset.payment_mint,
                self.payment_mint.key(),
                PaymentsError::WrongPaymentMint
            );
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<SetTariff>, terms: TariffTerms) -> Result<()> {
    let accounts = ctx.accounts;
    let tariff = &mut accounts.tariff;
    tariff.device = accounts.device.key();
    tariff.network = accounts.network.key();
    tariff.registration = accounts.device.registration;
    tariff.owner = accounts.device.owner;
    tariff.payment_mint = accounts.payment_mint.key();
    tariff.set_terms(&terms);
    tariff.bump = ctx.bumps.tariff;
    emit!(TariffSet {
        tariff: tariff.key(),
        device: tariff.device,
        payment_mint: tariff.payment_mint,
        unit: terms.unit,
        price_per_unit: terms.price_per_unit,
        min_deposit: terms.min_deposit,
        max_session_secs: terms.max_session_secs,
        operator_cut_bps: terms.operator_cut_bps,
    });
    Ok(())
}
