use anchor_lang::prelude::*;
use depin_accrual::{day_start, end_day};

use crate::errors::StakingError;

/// One day; lock ends and their boost buckets fall on UTC midnights.
pub const DAY: i64 = depin_accrual::DAY;
/// Weight multipliers are in basis points: 10,000 = 1x.
pub const BPS: u32 = 10_000;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq, InitSpace)]
pub struct PoolParams {
    /// The longest lockup; it earns `max_multiplier_bps`.
    pub max_lockup_secs: i64,
    /// Weight multiplier at the longest lockup (linear from 1x at none).
    pub max_multiplier_bps: u32,
    /// Wait between an unstake request and the withdrawal.
    pub cooldown_secs: i64,
}

impl PoolParams {
    pub fn validate(&self) -> Result<()> {
        require!(
            (DAY..=4 * 365 * DAY).contains(&self.max_lockup_secs)
                && (BPS..=10 * BPS).contains(&self.max_multiplier_bps)
                && (0..=365 * DAY).contains(&self.cooldown_secs),
            StakingError::InvalidParams
        );
        Ok(())
    }

    /// Linear in the lockup, capped: 1x for none, the maximum at
    /// `max_lockup_secs`.
    pub fn multiplier_bps(&self, lockup_secs: i64) -> Result<u32> {
        require!(
            (0..=self.max_lockup_secs).contains(&lockup_secs),
            StakingError::LockupTooLong
        );
        let extra = u128::from(self.max_multiplier_bps - BPS) * lockup_secs as u128
            / self.max_lockup_secs as u128;
        Ok(BPS + extra as u32)
    }

    /// A position's weight: its amount times the lockup multiplier.
    pub fn weight(&self, amount: u64, lockup_secs: i64) -> Result<u128> {
        let multiplier = self.multiplier_bps(lockup_secs)?;
        Ok(u128::from(amount) * u128::from(multiplier) / u128::from(BPS))
    }

    /// The part of [`weight`](Self::weight) above 1x: what the lock adds,
    /// and what leaves when the lock ends.
    pub fn boost(&self, amount: u64, lockup_secs: i64) -> Result<u128> {
        Ok(self.weight(amount, lockup_secs)? - u128::from(amount))
    }

    /// When a lock of `lockup_secs` taken at `now` ends: `now` for none;
    /// otherwise `now + lockup_secs` rounded **up** to the next UTC midnight,
    /// where the pool's lock-end bucket for that day ends its boost. A lock
    /// so lasts at least what was asked (up to a day more); its multiplier is
    /// still the one of `lockup_secs`.
    pub fn lock_end(&self, now: i64, lockup_secs: i64) -> Result<i64> {
        if lockup_secs == 0 {
            return Ok(now);
        }
        let end = now.checked_add(lockup_secs).ok_or(StakingError::Overflow)?;
        day_start(end_day(end)).map_err(|_| error!(StakingError::Overflow))
    }
}
