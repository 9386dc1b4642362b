use anchor_lang::prelude::*;
use depin_accrual::ExpiryBucket;

/// A lock-end bucket: the boost weight of every lock of `pool` that ends at
/// the start (UTC midnight) of `day`, which the pool takes out of its total
/// weight by itself at that moment (the first instruction after it applies
/// the bucket, in day order, before anything else). At
/// `pda::boost_end(pool, day)`; created by the first stake or lock extension
/// ending that day, never closed.
#[account]
#[derive(InitSpace, Debug, PartialEq, Eq)]
pub struct BoostEnd {
    pub pool: Pubkey,
    /// Days since the unix epoch; the bucket applies at `day × 86,400`.
    pub day: i64,
    /// Σ boosts ending that day (while not applied; fixed once applied).
    pub weight_decrease: u128,
    /// The pool's `reward_per_weight` at that midnight, written when the
    /// bucket is applied: the ended boosts earned up to here.
    pub index_at_end: u128,
    pub applied: bool,
    pub bump: u8,
}

impl BoostEnd {
    pub fn new(pool: Pubkey, day: i64, bump: u8) -> BoostEnd {
        BoostEnd {
            pool,
            day,
            weight_decrease: 0,
            index_at_end: 0,
            applied: false,
            bump,
        }
    }

    pub fn bucket(&self) -> ExpiryBucket {
        ExpiryBucket {
            weight_decrease: self.weight_decrease,
            index_at_end: self.index_at_end,
            applied: self.applied,
        }
    }

    pub fn store_bucket(&mut self, bucket: &ExpiryBucket) {
        self.weight_decrease = bucket.weight_decrease;
        self.index_at_end = bucket.index_at_end;
        self.applied = bucket.applied;
    }
}
