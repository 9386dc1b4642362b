use anchor_lang::prelude::*;

/// Shares one owner has earning in a pool, and its revenue position.
#[account]
#[derive(InitSpace, Debug)]
pub struct Holding {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub bump: u8,
    /// Shares in the pool's vault on this owner's behalf (its weight).
    pub shares: u64,
    pub index_snapshot: u128,
    /// Revenue earned and not yet claimed (as of the last settlement).
    pub pending: u64,
}

impl Holding {
    pub(crate) fn accrual(&self) -> depin_accrual::Position {
        depin_accrual::Position {
            weight: u128::from(self.shares),
            index_snapshot: self.index_snapshot,
            pending: self.pending,
        }
    }

    pub(crate) fn store_accrual(&mut self, accrual: depin_accrual::Position) {
        // Weights only ever come from share counts, so they fit a u64.
        self.shares = accrual.weight as u64;
        self.index_snapshot = accrual.index_snapshot;
        self.pending = accrual.pending;
    }
}

/// Fills a holding created by `init_if_needed` (a fresh one has no pool
/// yet; the seeds already bind it to this pool and owner).
pub fn init_holding(holding: &mut Holding, pool: Pubkey, owner: Pubkey, bump: u8) {
    if holding.pool == Pubkey::default() {
        holding.pool = pool;
        holding.owner = owner;
        holding.bump = bump;
    }
}
