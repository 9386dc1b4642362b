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

#[cfg(test)]
mod tests {
    use super::*;
    use depin_registry::state::{DeviceKind, DeviceStatus};
    use proptest::prelude::*;

    const OPENED_AT: i64 = 1_700_000_000;
    const SECS: u32 = 4 * 3_600;

    fn device(capacity: u32) -> Device {
        Device {
            device_key: Pubkey::new_unique(),
            owner: Pubkey::new_unique(),
            operator: Pubkey::default(),
            network_id: 1,
            maker_id: 1,
            location: 0,
            capacity,
            registered_at: 0,
            registration: 1,
            attestation_nonce: 0,
            kind: DeviceKind::Battery,
            status: DeviceStatus::Active,
            bump: 0,
        }
    }

    fn session(price: u64, deposit: u64, fee_bps: u16, cut_bps: u16) -> Session {
        Session {
            device: Pubkey::new_unique(),
            customer: Pubkey::new_unique(),
            id: 1,
            registration: 1,
            payment_mint: Pubkey::new_unique(),
            escrow: Pubkey::new_unique(),
            refund_account: Pubkey::new_unique(),
            fee_account: Pubkey::new_unique(),
            rent_payer: Pubkey::new_unique(),
            unit: MeterUnit::WattHour,
            price_per_unit: price,
            fee_bps,
            operator_cut_bps: cut_bps,
            deposit,
            settled: 0,
            units: 0,
            sequence: 0,
            opened_at: OPENED_AT,
            deadline: OPENED_AT + i64::from(SECS),
            bump: 255,
            escrow_bump: 255,
        }
    }

    /// What the rules say of `reading` at `now`: accepted or not.
    fn accepts(s: &Session, device: &Device, reading: &MeterReading, now: i64) -> bool {
        let elapsed = u64::try_from(now - s.opened_at).unwrap_or(0);
        now <= s.deadline
            && reading.sequence > s.sequence
            && (reading.units > s.units || (reading.is_final && reading.units == s.units))
            && reading.units <= s.unit.max_units(device, elapsed)
            && (s.charge_for(reading.units) > s.settled || reading.is_final)
    }

    fn bytes(s: &Session) -> Vec<u8> {
        let mut out = vec![];
        s.try_serialize(&mut out).unwrap();
        out
    }

    prop_compose! {
        /// A reading `dt` seconds after the previous step.
        fn step()(
            dt in 0i64..3_000,
            units in 0u64..8_000,
            back in 0u64..3,
            is_final in prop::bool::weighted(0.1),
        ) -> (i64, u64, u64, bool) {
            (dt, units, back, is_final)
        }
    }

    proptest! {
        /// Random readings, honest or not, against the rules: each one is
        /// accepted exactly when the rules say so; a refused one changes
        /// nothing; the charges add up to `settled`, which is units x price
        /// capped by the deposit and never more; no reading is accepted twice.
        #[test]
        fn settle_follows_the_rules_and_never_charges_twice(
            price in 1u64..2_000,
            deposit in 1u64..20_000_000,
            fee_bps in 0u16..=1_000,
            cut_bps in 0u16..=5_000,
            has_operator in any::<bool>(),
            capacity in 0u32..20_000,
            steps in proptest::collection::vec(step(), 1..24),
        ) {
            let device = device(capacity);
            let mut s = session(price, deposit, fee_bps, cut_bps);
            let (mut now, mut charged, mut sequence) = (OPENED_AT, 0u64, 0u64);
            let mut accepted: Vec<MeterReading> = vec![];
            for (dt, more, back, is_final) in steps {
                now += dt;
                // Mostly the next sequence, sometimes a replayed one.
                sequence = (sequence + 1).saturating_sub(back);
                let reading = MeterReading {
                    units: if back == 2 { s.units.saturating_sub(more) } else { s.units + more },
                    sequence,
                    is_final,
                };
                let expected = accepts(&s, &device, &reading, now);
                let before = bytes(&s);
                let settled_before = s.settled;
                match s.settle(&reading, &device, now, has_operator) {
                    Ok(split) => {
                        prop_assert!(expected, "accepted {reading:?} at {now}");
                        prop_assert_eq!(split.amount, s.settled - settled_before);
                        prop_assert_eq!(split.fee + split.operator + split.machine, split.amount);
                        prop_assert_eq!(s.settled, s.charge_for(reading.units));
                        prop_assert_eq!((s.units, s.sequence), (reading.units, reading.sequence));
                        charged += split.amount;
                        accepted.push(reading);
                        if is_final {
                            break;
                        }
                    }
                    Err(_) => {
                        prop_assert!(!expected, "refused {reading:?} at {now}");
                        prop_assert_eq!(bytes(&s), before);
                    }
                }
                prop_assert!(s.settled <= s.deposit);
                prop_assert_eq!(s.remaining(), s.deposit - s.settled);
                prop_assert_eq!(charged, s.settled);
                prop_assert!(
                    u128::from(s.settled) <= u128::from(s.units) * u128::from(price)
                );
            }
            // Every accepted reading, submitted again, is refused.
            for reading in accepted {
                let before = bytes(&s);
                prop_assert!(s.settle(&reading, &device, now, has_operator).is_err());
                prop_assert_eq!(bytes(&s), before);
            }
        }
    }

    #[test]
    fn the_deadline_and_the_deposit_bound_a_session() {
        let device = device(13_500);
        let mut s = session(250, 1_000_000, 250, 1_000);
        let reading = |units, sequence, is_final| MeterReading {
            units,
            sequence,
            is_final,
        };
        // 5,000 Wh after an hour: 1,250,000 capped at the 1,000,000 deposit.
        let split = s
            .settle(&reading(5_000, 1, false), &device, OPENED_AT + 3_600, true)
            .unwrap();
        assert_eq!(
            (split.amount, split.fee, split.operator, split.machine),
            (1_000_000, 25_000, 100_000, 875_000)
        );
        assert_eq!(s.remaining(), 0);
        assert!(s
            .settle(&reading(5_001, 2, false), &device, OPENED_AT + 3_600, true)
            .is_err());
        let split = s
            .settle(&reading(5_001, 2, true), &device, OPENED_AT + 3_600, true)
            .unwrap();
        assert_eq!(split, Split::default());
        // Past the deadline nothing settles; at it, it may.
        let mut s = session(1, 1_000, 0, 0);
        let deadline = s.deadline;
        assert!(s
            .settle(&reading(1, 1, false), &device, deadline + 1, false)
            .is_err());
        assert!(s.require_expired(deadline).is_err());
        assert!(s.require_expired(deadline + 1).is_ok());
        s.settle(&reading(1, 1, false), &device, deadline, false)
            .unwrap();
        assert!(Session::deadline_for(&SessionTerms {
            tariff: crate::state::TariffTerms {
                unit: MeterUnit::WattHour,
                price_per_unit: 1,
                min_deposit: 1,
                max_session_secs: SECS,
                operator_cut_bps: 0,
            },
            fee_bps: 0,
            deposit: 1,
            opened_at: i64::MAX,
        })
        .is_err());
    }
}
