//! Epoch scoring for the crank: how one epoch's emission is split among the
//! devices that did verified work, and the cumulative per-recipient ledger
//! that the reward Merkle tree (`depin-merkle`) commits to.
//!
//! # The rule
//!
//! An epoch hands out its **available** amount: the configured
//! `emission_per_epoch` plus the remainder carried from the previous epoch.
//!
//! 1. A device **counts** if it was active through the whole epoch and its
//!    verified work (energy in Wh summed over the epoch's accepted reports)
//!    is positive and at least `min_work_wh`. A device whose reports were all
//!    rejected is not in the inputs and earns nothing.
//! 2. A counted device's **share** is `floor(available × work / total)`,
//!    `total` being the work of all counted devices, then cut to
//!    `per_device_cap`. What the cap cuts off is *not* handed to the other
//!    devices (that would pay them beyond their work's share); it is carried.
//! 3. If the device has an operator that is an **eligible bonded operator**
//!    (the staking program's rule; the caller passes the verdict), the
//!    operator gets `floor(share × operator_share_bps / 10,000)` and the
//!    owner `floor(share × (10,000 − operator_share_bps) / 10,000)`. Otherwise
//!    the owner gets the whole share: the owner's device did the work, and the
//!    operator's lapse (unbonded, slashed, too small a bond) should not cost
//!    the owner, nor pay an operator that the network no longer vouches for.
//! 4. A recipient's **payout** is the sum of its parts over all devices and
//!    roles (a key may own some devices and operate others).
//! 5. The **remainder** (cap cut-offs, rounding, or everything when no
//!    device counted) is returned explicitly and carried into the next
//!    epoch: `sum(payouts) + remainder == available`, exactly.
//!
//! Only integer math, checked, with `u128` intermediates; every division
//! rounds down, so no recipient ever gets more than its exact share. The
//! result is sorted (devices and payouts by key) and does not depend on the
//! order of the inputs, so a verifier that recomputes it gets the same bytes.
//!
//! # Cumulative ledger
//!
//! [`Ledger::apply`] adds an epoch's payouts to each recipient's cumulative
//! total (the `cumulative_amount` of a reward leaf: the rewards program pays
//! it minus what was already claimed) and gives each recipient seen for the
//! first time the next leaf index, new recipients of one epoch in key order.
//! An index, once given, is kept forever. Epochs must be applied once each,
//! in order, with the carry the ledger holds; anything else is refused and
//! leaves the ledger unchanged.

mod config;
mod key;
mod ledger;
mod score;

pub use config::{ConfigError, RawScoringConfig, ScoringConfig, BPS_DENOMINATOR};
pub use key::{Key, ParseKeyError};
pub use ledger::{Applied, Leaf, Ledger, LedgerError};
pub use score::{
    score, DeviceOutcome, DeviceScore, DeviceWork, EpochInputs, EpochScores, OperatorStatus,
    Payout, ScoreError,
};

#[cfg(test)]
mod tests;
