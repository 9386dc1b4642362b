//! One event per state change; billing and indexers follow these.

use anchor_lang::prelude::*;

use crate::state::MeterUnit;

#[event]
#[derive(Debug, Clone)]
pub struct TariffSet {
    pub tariff: Pubkey,
    pub device: Pubkey,
    pub payment_mint: Pubkey,
    pub unit: MeterUnit,
    pub price_per_unit: u64,
    pub min_deposit: u64,
    pub max_session_secs: u32,
    pub operator_cut_bps: u16,
}

#[event]
#[derive(Debug, Clone)]
pub struct TariffPauseSet {
    pub tariff: Pubkey,
    pub paused: bool,
}

#[event]
#[derive(Debug, Clone)]
pub struct SessionOpened {
    pub session: Pubkey,
    pub device: Pubkey,
    pub customer: Pubkey,
    pub id: u64,
    pub deposit: u64,
    pub payment_mint: Pubkey,
    pub unit: MeterUnit,
    pub price_per_unit: u64,
    pub fee_bps: u16,
    pub operator_cut_bps: u16,
    pub deadline: i64,
}

#[event]
#[derive(Debug, Clone)]
pub struct SessionSettled {
    pub session: Pubkey,
    /// The cumulative reading now settled, and its sequence.
    pub units: u64,
    pub sequence: u64,
    /// Charged by this settlement, and how it was split.
    pub amount: u64,
    pub fee: u64,
    pub operator: u64,
    pub machine: u64,
    /// The machine's part went into the asset's revenue pool (its holders).
    pub to_revenue_pool: bool,
    /// Charged over the whole session so far.
    pub settled: u64,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// The device signed a final reading.
    Final,
    /// The deadline passed; the rest went back to the customer.
    Reclaimed,
}

#[event]
#[derive(Debug, Clone)]
pub struct SessionClosed {
    pub session: Pubkey,
    pub end: SessionEnd,
    pub settled: u64,
    pub refunded: u64,
}
