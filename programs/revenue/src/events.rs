//! One event per state change; the crank and indexers follow these.

use anchor_lang::prelude::*;

#[event]
#[derive(Debug, Clone)]
pub struct RevenuePoolCreated {
    pub pool: Pubkey,
    pub share_mint: Pubkey,
    pub payment_mint: Pubkey,
    pub issuer: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct RevenueDeposited {
    pub pool: Pubkey,
    pub depositor: Pubkey,
    pub amount: u64,
    /// True when no shares were earning: kept for the next deposit.
    pub held_back: bool,
}

#[event]
#[derive(Debug, Clone)]
pub struct SharesDeposited {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub shares: u64,
    /// Credited by the issuer (an offering) rather than by the owner.
    pub by_issuer: bool,
}

#[event]
#[derive(Debug, Clone)]
pub struct SharesWithdrawn {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub shares: u64,
    pub by_issuer: bool,
}

#[event]
#[derive(Debug, Clone)]
pub struct RevenueClaimed {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
}
