use anchor_lang::prelude::*;
use depin_registry::meter::MeterReading;
use depin_registry::state::Device;

use crate::errors::PaymentsError;
use crate::state::{MeterUnit, Split, TariffTerms};

/// A customer's prepaid session at a device: the deposit waits in the
/// session's escrow and is charged by device-signed cumulative readings.
/// Holds the tariff's terms and the market fee as they were when it opened.
#[account]
#[derive(InitSpace, Debug)]
pub struct Session {
    pub device: Pubkey,
    pub customer: Pubkey,
    pub id: u64,
    /// The device's registration when the session opened; readings sign it.
    pub registration: u32,
    pub payment_mint: Pubkey,
    pub escrow: Pubkey,
    /// Where the unused deposit goes back (the account it came from).
    pub refund_account: Pubkey,
    /// The market's fee account in the payment mint; unused when `fee_bps` is 0.
    pub fee_account: Pubkey,
    /// Paid the rent of the session and its escrow; gets it back at the end.
    pub rent_payer: Pubkey,
    pub unit: MeterUnit,
    pub price_per_unit: u64,
    pub fee_bps: u16,
    pub operator_cut_bps: u16,
    pub deposit: u64,
    /// Charged so far (never above `deposit`).
    pub settled: u64,
    /// The last settled cumulative reading and its sequence.
    pub units: u64,
    pub sequence: u64,
    pub opened_at: i64,
    /// No reading settles after this; anyone may then end the session.
    pub deadline: i64,
    pub bump: u8,
    pub escrow_bump: u8,
}

/// The terms a session opens with.
pub struct SessionTerms {
    pub tariff: TariffTerms,
    pub fee_bps: u16,
    pub deposit: u64,
    pub opened_at: i64,
}

impl Session {
    pub fn deadline_for(terms: &SessionTerms) -> Result<i64> {
        terms
            .opened_at
            .checked_add(i64::from(terms.tariff.max_session_secs))
            .ok_or(error!(PaymentsError::Overflow))
    }

    /// What the session has charged for a cumulative reading of `units`:
    /// units x price, capped by the deposit.
    pub fn charge_for(&self, units: u64) -> u64 {
        let cost = u128::from(units) * u128::from(self.price_per_unit);
        cost.min(u128::from(self.deposit)) as u64
    }

    pub fn remaining(&self) -> u64 {
        self.deposit - self.settled
    }

    pub fn require_device(&self, device: &Device) -> Result<()> {
        require_eq!(
            self.registration,
            device.registration,
            PaymentsError::RegistrationChanged
        );
        Ok(())
    }

    /// Accepts a verified reading at chain time `now` and returns what to
    /// pay. Refuses replays (sequence not above the last), readings that do
    /// not add units (a final one may repeat the last), more units than the
    /// device's capacity allows since the session opened, readings after the
    /// deadline, and (unless final) readings once the whole deposit is
    /// charged.
    pub fn settle(
        &mut self,
        reading: &MeterReading,
        device: &Device,
        now: i64,
        has_operator: bool,
    ) -> Result<Split> {
        require!(now <= self.deadline, PaymentsError::SessionExpired);
        require!(
            reading.sequence > self.sequence,
            PaymentsError::ReadingReplayed
        );
        require!(
            reading.units > self.units || (reading.is_final && reading.units == self.units),
            PaymentsError::ReadingNotIncreasing
        );
        let elapsed = u64::try_from(now.saturating_sub(self.opened_at)).unwrap_or(0);
        require!(
            reading.units <= self.unit.max_units(device, elapsed),
            PaymentsError::ImplausibleReading
        );
        let charged = self.charge_for(reading.units);
        require!(
            charged > self.settled || reading.is_final,
            PaymentsError::DepositExhausted
        );
        let split = Split::of(
            charged - self.settled,
            self.fee_bps,
            self.operator_cut_bps,
            has_operator,
        )?;
        self.settled = charged;
        self.units = reading.units;
        self.sequence = reading.sequence;
        Ok(split)
    }

    pub fn require_expired(&self, now: i64) -> Result<()> {
        require!(now > self.deadline, PaymentsError::SessionNotExpired);
        Ok(())
    }
}
