//! One event per state change; the crank and indexers follow these.

use anchor_lang::prelude::*;

#[event]
#[derive(Debug, Clone)]
pub struct DistributorCreated {
    pub distributor: Pubkey,
    pub network: Pubkey,
    pub mint: Pubkey,
    pub pool_id: u16,
    pub vault: Pubkey,
    pub treasury: Pubkey,
    pub expires_at: i64,
}

#[event]
#[derive(Debug, Clone)]
pub struct DistributorFunded {
    pub distributor: Pubkey,
    pub funder: Pubkey,
    pub amount: u64,
    pub total_funded: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct LedgerPageCreated {
    pub distributor: Pubkey,
    pub page: u32,
    pub capacity: u32,
}

#[event]
#[derive(Debug, Clone)]
pub struct RootPosted {
    pub distributor: Pubkey,
    pub epoch: u64,
    pub root: [u8; 32],
    pub cumulative_total: u64,
    pub recipient_count: u32,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct RewardClaimed {
    pub distributor: Pubkey,
    pub recipient: Pubkey,
    pub index: u32,
    pub amount: u64,
    pub cumulative_claimed: u64,
    /// False when pushed by someone else (the crank) to the recipient's account.
    pub by_recipient: bool,
}

#[event]
#[derive(Debug, Clone)]
pub struct DistributorPauseSet {
    pub distributor: Pubkey,
    pub paused: bool,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct ClawedBack {
    pub distributor: Pubkey,
    pub amount: u64,
    pub treasury: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct LedgerPageClosed {
    pub distributor: Pubkey,
    pub page: u32,
    pub rent_to: Pubkey,
}
