//! One event per state change; the crank and indexers follow these.

use anchor_lang::prelude::*;

#[event]
#[derive(Debug, Clone)]
pub struct PoolCreated {
    pub pool: Pubkey,
    pub network: Pubkey,
    pub mint: Pubkey,
    pub max_lockup_secs: i64,
    pub max_multiplier_bps: u32,
    pub cooldown_secs: i64,
}

#[event]
#[derive(Debug, Clone)]
pub struct Staked {
    pub pool: Pubkey,
    pub position: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub lockup_end: i64,
    pub weight: u128,
    /// The part of `weight` that ends at `lockup_end`.
    pub boost: u128,
}

#[event]
#[derive(Debug, Clone)]
pub struct LockupExtended {
    pub position: Pubkey,
    pub lockup_end: i64,
    pub weight: u128,
    /// The part of `weight` that ends at `lockup_end`.
    pub boost: u128,
}

/// A position's lock ended: settled up to the lock's midnight with its
/// boost, it now weighs `weight` (1x). Emitted when the position is next
/// touched; the pool's total already lost the boost at that midnight
/// (`BoostEndApplied`).
#[event]
#[derive(Debug, Clone)]
pub struct LockupExpired {
    pub position: Pubkey,
    pub weight: u128,
}

/// The lock-end bucket of `day` was applied: `weight_decrease` left the
/// pool's total weight at that day's midnight, when the reward index stood
/// at `index_at_end`.
#[event]
#[derive(Debug, Clone)]
pub struct BoostEndApplied {
    pub pool: Pubkey,
    pub day: i64,
    pub weight_decrease: u128,
    pub index_at_end: u128,
}

#[event]
#[derive(Debug, Clone)]
pub struct RewardsClaimed {
    pub position: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct UnstakeRequested {
    pub position: Pubkey,
    pub amount: u64,
    pub cooldown_ends_at: i64,
}

#[event]
#[derive(Debug, Clone)]
pub struct Withdrawn {
    pub position: Pubkey,
    pub owner: Pubkey,
    pub principal: u64,
    pub rewards: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct RewardsFunded {
    pub pool: Pubkey,
    pub amount: u64,
    pub duration_secs: i64,
    pub period_end: i64,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct Bonded {
    pub pool: Pubkey,
    pub operator: Pubkey,
    pub amount: u64,
    pub total_bonded: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct Slashed {
    pub pool: Pubkey,
    pub operator: Pubkey,
    pub amount: u64,
    pub remaining_bond: u64,
    /// Network-defined reason code, and a hash of the evidence.
    pub reason: u16,
    pub evidence: [u8; 32],
    pub by: Pubkey,
}
