//! How a settlement's charge is divided: the network's fee and the
//! operator's cut are rounded down, the machine gets the rest. The network
//! and the operator never gain from rounding (each loses under one base unit
//! per settlement); the customer pays exactly the charge; nothing is left
//! over, so no dust stays in the escrow. Dust among share holders is the
//! revenue pool's business (its inflow accumulator tracks it).

use crate::errors::PaymentsError;
use crate::state::BPS;
use anchor_lang::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Split {
    pub amount: u64,
    pub fee: u64,
    pub operator: u64,
    pub machine: u64,
}

fn share(total: u64, bps: u16) -> u64 {
    // bps <= 10^4, so the result <= total: it fits a u64.
    (u128::from(total) * u128::from(bps) / u128::from(BPS)) as u64
}

impl Split {
    /// The split of `amount`; the operator's cut stays with the machine when
    /// the device has no operator.
    pub fn of(amount: u64, fee_bps: u16, operator_bps: u16, has_operator: bool) -> Result<Split> {
        require!(
            u64::from(fee_bps) + u64::from(operator_bps) <= BPS,
            PaymentsError::Overflow
        );
        let fee = share(amount, fee_bps);
        let operator = if has_operator {
            share(amount, operator_bps)
        } else {
            0
        };
        // fee + operator <= amount x (fee_bps + operator_bps) / 10^4 <= amount.
        let machine = amount - fee - operator;
        Ok(Split {
            amount,
            fee,
            operator,
            machine,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The market fee is at most 10% (`depin_fractional::state::MAX_FEE_BPS`).
    const MAX_FEE_BPS: u16 = 1_000;

    proptest! {
        #[test]
        fn the_parts_add_up_to_the_charge_and_round_down_for_fee_and_operator(
            amount in any::<u64>(),
            fee_bps in 0..=MAX_FEE_BPS,
            operator_bps in 0..=crate::state::MAX_OPERATOR_CUT_BPS,
            has_operator in any::<bool>(),
        ) {
            let split = Split::of(amount, fee_bps, operator_bps, has_operator).unwrap();
            prop_assert_eq!(split.amount, amount);
            // Nothing lost, nothing made up (no overflow either: checked sums).
            prop_assert_eq!(
                u128::from(split.fee) + u128::from(split.operator) + u128::from(split.machine),
                u128::from(amount)
            );
            // fee = floor(amount x fee_bps / 10^4): under one unit below the exact share.
            let exact_fee = u128::from(amount) * u128::from(fee_bps);
            prop_assert!(u128::from(split.fee) * 10_000 <= exact_fee);
            prop_assert!(exact_fee < (u128::from(split.fee) + 1) * 10_000);
            if has_operator {
                let exact = u128::from(amount) * u128::from(operator_bps);
                prop_assert!(u128::from(split.operator) * 10_000 <= exact);
                prop_assert!(exact < (u128::from(split.operator) + 1) * 10_000);
            } else {
                prop_assert_eq!(split.operator, 0);
            }
            // The machine keeps at least its own share, rounded down.
            let machine_bps = 10_000 - u128::from(fee_bps)
                - if has_operator { u128::from(operator_bps) } else { 0 };
            prop_assert!(u128::from(split.machine) * 10_000 >= u128::from(amount) * machine_bps);
        }

        #[test]
        fn splitting_in_steps_never_pays_the_fee_or_operator_more_than_at_once(
            parts in proptest::collection::vec(0..10_000_000u64, 1..8),
            fee_bps in 0..=MAX_FEE_BPS,
            operator_bps in 0..=crate::state::MAX_OPERATOR_CUT_BPS,
        ) {
            let total: u64 = parts.iter().sum();
            let once = Split::of(total, fee_bps, operator_bps, true).unwrap();
            let (mut fee, mut operator, mut machine) = (0, 0, 0);
            for part in &parts {
                let split = Split::of(*part, fee_bps, operator_bps, true).unwrap();
                fee += split.fee;
                operator += split.operator;
                machine += split.machine;
            }
            prop_assert_eq!(fee + operator + machine, total);
            prop_assert!(fee <= once.fee && operator <= once.operator);
            prop_assert!(machine >= once.machine);
            // Each settlement costs the fee and the operator under one unit.
            prop_assert!(once.fee - fee < parts.len() as u64);
            prop_assert!(once.operator - operator < parts.len() as u64);
        }
    }

    #[test]
    fn shares_above_the_whole_are_refused() {
        assert!(Split::of(100, 5_001, 5_000, true).is_err());
        assert!(Split::of(100, 5_000, 5_001, false).is_err());
        let all = Split::of(u64::MAX, 5_000, 5_000, true).unwrap();
        assert_eq!(
            (all.fee, all.operator, all.machine),
            (u64::MAX / 2, u64::MAX / 2, 1)
        );
    }
}
