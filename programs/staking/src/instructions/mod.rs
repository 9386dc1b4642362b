// Each module exports its own `handler`; the program calls them by path.
#![allow(ambiguous_glob_reexports)]

pub mod apply_boost_ends;
pub mod bond;
pub mod claim_rewards;
pub mod create_pool;
pub mod extend_lockup;
pub mod fund_rewards;
pub mod request_unstake;
pub mod slash;
pub mod stake;
pub mod withdraw;

pub use apply_boost_ends::*;
pub use bond::*;
pub use claim_rewards::*;
pub use create_pool::*;
pub use extend_lockup::*;
pub use fund_rewards::*;
pub use request_unstake::*;
pub use slash::*;
pub use stake::*;
pub use withdraw::*;

use anchor_lang::prelude::*;
use depin_accrual::ExpiryBuckets;

use crate::events::LockupExpired;
use crate::state::{Position, StakePool};

/// Settles a position up to now (after `StakePool::accrue`), announcing a
/// lock that ended since it was last touched: every instruction on a
/// position does this before anything else.
pub(crate) fn settle_position(
    pool: &StakePool,
    position: &mut Account<Position>,
    boost_ends: &mut (impl ExpiryBuckets + ?Sized),
) -> Result<()> {
    if pool.settle(position, boost_ends)? {
        emit!(LockupExpired {
            position: position.key(),
            weight: position.weight,
        });
    }
    Ok(())
}
