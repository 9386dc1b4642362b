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
