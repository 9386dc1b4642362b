use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum PositionKind {
    Stake,
    /// One per operator; no lockup; slashable.
    OperatorBond,
}

/// Stake of one owner: principal (earning, or unbonding in cooldown) and its
/// share of the reward index.
#[account]
#[derive(InitSpace, Debug)]
pub struct Position {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub kind: PositionKind,
    pub id: u32,
    pub bump: u8,
    /// Principal that earns.
    pub amount: u64,
    /// The lockup chosen; sets the weight multiplier.
    pub lockup_secs: i64,
    /// When the lock ends: a UTC midnight (the chosen lockup rounded up,
    /// see `PoolParams::lock_end`), or the opening time if unlocked.
    pub lockup_end: i64,
    /// Weight earning now (as of the last settlement): `amount` plus `boost`.
    pub weight: u128,
    /// The part of `weight` the lock adds (amount × (multiplier − 1x)),
    /// scheduled in the pool's lock-end bucket of `lockup_end`'s day, which
    /// takes it out of the pool's total at that midnight by itself. 0 once
    /// the lock ended and the position was settled since (or with no boost).
    pub boost: u128,
    pub index_snapshot: u128,
    /// Rewards earned and not yet claimed (as of the last settlement).
    pub pending: u64,
    /// Principal in cooldown (earns nothing), withdrawable at `unbonding_ends_at`.
    pub unbonding: u64,
    pub unbonding_ends_at: i64,
    pub created_at: i64,
}

impl Position {
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        pool: Pubkey,
        owner: Pubkey,
        kind: PositionKind,
        id: u32,
        bump: u8,
        lockup_secs: i64,
        lockup_end: i64,
        now: i64,
    ) -> Position {
        Position {
            pool,
            owner,
            kind,
            id,
            bump,
            amount: 0,
            lockup_secs,
            lockup_end,
            weight: 0,
            boost: 0,
            index_snapshot: 0,
            pending: 0,
            unbonding: 0,
            unbonding_ends_at: 0,
            created_at: now,
        }
    }

    pub fn is_locked(&self, now: i64) -> bool {
        now < self.lockup_end
    }

    /// The day whose lock-end bucket holds this position's `boost`.
    pub fn boost_end_day(&self) -> i64 {
        depin_accrual::day_of(self.lockup_end)
    }

    /// Whether this is an operator bond meeting the network's minimum bond
    /// (an unbonding operator is not eligible for device rewards).
    pub fn is_eligible_operator(&self, min_bond: u64) -> bool {
        self.kind == PositionKind::OperatorBond && self.unbonding == 0 && self.amount >= min_bond
    }

    pub(crate) fn accrual(&self) -> depin_accrual::Position {
        depin_accrual::Position {
            weight: self.weight,
            index_snapshot: self.index_snapshot,
            pending: self.pending,
        }
    }

    pub(crate) fn store_accrual(&mut self, accrual: depin_accrual::Position) {
        self.weight = accrual.weight;
        self.index_snapshot = accrual.index_snapshot;
        self.pending = accrual.pending;
    }
}
