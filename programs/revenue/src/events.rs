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

#[event]
#[derive(Debug, Clone)]
pub struct HoldingOpened {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub by_issuer: bool,
}

/// The issuer moved shares and their unclaimed revenue between holdings
/// (a settled purchase leaving its offering's holding for the buyer's).
#[event]
#[derive(Debug, Clone)]
pub struct SharesMoved {
    pub pool: Pubkey,
    pub from_owner: Pubkey,
    pub to_owner: Pubkey,
    pub shares: u64,
    pub revenue: u64,
}

/// The issuer emptied and closed a holding: its shares left (to be burned);
/// with `revenue_returned` its unclaimed revenue went back to the other
/// holders, or to the fallback owner when nobody else held shares, else it
/// was rounding dust left unowned in the vault.
#[event]
#[derive(Debug, Clone)]
pub struct HoldingDissolved {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub shares: u64,
    pub revenue: u64,
    pub revenue_returned: bool,
    pub revenue_to_fallback: bool,
    pub fallback: Pubkey,
}
