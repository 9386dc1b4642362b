use anchor_lang::prelude::*;
use depin_registry::capacity;
use depin_registry::state::{Device, DeviceStatus, Network};

use crate::errors::PaymentsError;

/// Shortest and longest session a tariff may allow.
pub const MIN_SESSION_SECS: u32 = 60;
pub const MAX_SESSION_SECS: u32 = 30 * 24 * 60 * 60;
/// The operator's cut is at most half; with the market fee (at most 10%,
/// `depin_fractional::state::MAX_FEE_BPS`) the machine keeps at least 40%.
pub const MAX_OPERATOR_CUT_BPS: u16 = 5_000;
pub const BPS: u64 = 10_000;

/// What a tariff charges for.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum MeterUnit {
    /// Energy delivered (Wh).
    WattHour,
    /// Service time (seconds), e.g. a parking bay or a reserved charger.
    Second,
    /// Data moved (MB).
    Megabyte,
}

impl MeterUnit {
    /// The most units a device can plausibly deliver in `secs`
    /// (`depin_registry::capacity`: 1.35 x its capacity; capacity read as W
    /// for energy and as Mbit/s for data).
    pub fn max_units(self, device: &Device, secs: u64) -> u64 {
        match self {
            MeterUnit::WattHour => capacity::max_energy_wh(device.kind, device.capacity, secs),
            MeterUnit::Second => capacity::max_service_secs(secs),
            MeterUnit::Megabyte => capacity::max_data_mb(device.capacity, secs),
        }
    }
}

/// The terms a device's controller sets.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TariffTerms {
    pub unit: MeterUnit,
    /// Payment mint base units per unit.
    pub price_per_unit: u64,
    pub min_deposit: u64,
    pub max_session_secs: u32,
    /// Of every charge, to the device's operator when it has one.
    pub operator_cut_bps: u16,
}

impl TariffTerms {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.price_per_unit > 0
                && self.min_deposit > 0
                && (MIN_SESSION_SECS..=MAX_SESSION_SECS).contains(&self.max_session_secs)
                && self.operator_cut_bps <= MAX_OPERATOR_CUT_BPS,
            PaymentsError::InvalidTariff
        );
        Ok(())
    }
}

/// A device's price list. Sessions copy the terms when they open, so a
/// change here never reaches an open session.
#[account]
#[derive(InitSpace, Debug)]
pub struct Tariff {
    pub device: Pubkey,
    pub network: Pubkey,
    /// The device registration the tariff was set for: a device closed and
    /// registered again starts without a usable tariff.
    pub registration: u32,
    /// The device's owner when the tariff was set (its asset when
    /// tokenized): a device that changes hands, or is tokenized, opens no
    /// session until its new controller sets the tariff again, so a former
    /// owner's terms (or mint) never sell the machine's service to the
    /// new owner's or the holders' account.
    pub owner: Pubkey,
    pub payment_mint: Pubkey,
    pub unit: MeterUnit,
    pub price_per_unit: u64,
    pub min_deposit: u64,
    pub max_session_secs: u32,
    pub operator_cut_bps: u16,
    pub paused: bool,
    pub bump: u8,
}

impl Tariff {
    pub fn terms(&self) -> TariffTerms {
        TariffTerms {
            unit: self.unit,
            price_per_unit: self.price_per_unit,
            min_deposit: self.min_deposit,
            max_session_secs: self.max_session_secs,
            operator_cut_bps: self.operator_cut_bps,
        }
    }

    pub fn set_terms(&mut self, terms: &TariffTerms) {
        self.unit = terms.unit;
        self.price_per_unit = terms.price_per_unit;
        self.min_deposit = terms.min_deposit;
        self.max_session_secs = terms.max_session_secs;
        self.operator_cut_bps = terms.operator_cut_bps;
    }

    /// Whether a customer may open a session now with `deposit`.
    pub fn require_open_for(&self, device: &Device, network: &Network, deposit: u64) -> Result<()> {
        require_machine_in_service(device, network)?;
        require!(!self.paused, PaymentsError::TariffPaused);
        require_eq!(
            self.registration,
            device.registration,
            PaymentsError::StaleTariff
        );
        require_keys_eq!(self.owner, device.owner, PaymentsError::StaleTariff);
        require!(deposit >= self.min_deposit, PaymentsError::DepositTooSmall);
        Ok(())
    }
}

/// Tariffs are set and sessions opened only for active devices of unpaused
/// networks.
pub fn require_machine_in_service(device: &Device, network: &Network) -> Result<()> {
    require!(!network.paused, PaymentsError::NetworkPaused);
    require_eq!(
        device.network_id,
        network.network_id,
        PaymentsError::WrongAccount
    );
    require!(
        device.status == DeviceStatus::Active,
        PaymentsError::DeviceNotActive
    );
    Ok(())
}
