//! One event per state change; the crank and indexers follow these.

use anchor_lang::prelude::*;

use crate::state::Guards;

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
    pub root_proposal: Pubkey,
    pub guards: Guards,
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

/// An oracle opened a root proposal (its own approval is the first).
#[event]
#[derive(Debug, Clone)]
pub struct RootProposed {
    pub distributor: Pubkey,
    pub sequence: u64,
    pub epoch: u64,
    pub root: [u8; 32],
    pub cumulative_total: u64,
    pub recipient_count: u32,
    pub by: Pubkey,
    pub approvals_needed: u8,
    pub challenge_period_secs: u32,
    /// The pending proposal (another root) this one replaced; 0 if none.
    pub superseded: u64,
}

/// Another oracle approved the open proposal.
#[event]
#[derive(Debug, Clone)]
pub struct RootApproved {
    pub distributor: Pubkey,
    pub sequence: u64,
    pub epoch: u64,
    pub root: [u8; 32],
    pub by: Pubkey,
    pub approvals: u8,
    pub approvals_needed: u8,
}

/// The proposal has every approval it needs; it activates from
/// `activates_at` unless an admin vetoes it first.
#[event]
#[derive(Debug, Clone)]
pub struct RootFullyApproved {
    pub distributor: Pubkey,
    pub sequence: u64,
    pub epoch: u64,
    pub root: [u8; 32],
    pub approved_at: i64,
    pub activates_at: i64,
}

/// The root became the distributor's current root: claims use it now.
#[event]
#[derive(Debug, Clone)]
pub struct RootActivated {
    pub distributor: Pubkey,
    pub sequence: u64,
    pub epoch: u64,
    pub root: [u8; 32],
    pub cumulative_total: u64,
    pub recipient_count: u32,
}

#[event]
#[derive(Debug, Clone)]
pub struct RootVetoed {
    pub distributor: Pubkey,
    pub sequence: u64,
    pub epoch: u64,
    pub root: [u8; 32],
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct GuardsSet {
    pub distributor: Pubkey,
    pub guards: Guards,
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
