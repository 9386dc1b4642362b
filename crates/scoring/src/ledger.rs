//! Cumulative totals per recipient and their stable leaf indexes.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize, Serializer};

use crate::key::Key;
use crate::score::{DeviceWork, EpochInputs, EpochScores};

/// One recipient's leaf: its ledger slot and everything it has earned so far
/// (the `index` and `cumulative_amount` of `depin_merkle::leaf_hash`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leaf {
    pub index: u32,
    pub recipient: Key,
    pub cumulative_amount: u64,
}

/// The cumulative reward of every recipient ever paid, in leaf-index order,
/// plus the remainder carried into the next epoch. Epochs are applied once
/// each, in order; a recipient's index is given on its first positive payout
/// (new recipients of one epoch in key order) and never changes.
///
/// Serialized as `{ last_epoch, carried, leaves }`; deserializing checks that
/// each leaf's index is its position and that no recipient appears twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "LedgerRecord")]
pub struct Ledger {
    leaves: Vec<Leaf>,
    index_of: HashMap<Key, u32>,
    last_epoch: Option<u64>,
    carried: u64,
}

/// What one [`Ledger::apply`] changed: the ledger pages to create and the
/// amount to fund the distributor with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub epoch: u64,
    /// Indexes given to recipients seen for the first time (maybe empty).
    pub new_indexes: Range<u32>,
    /// Sum of the epoch's payouts: how much the cumulative totals grew.
    pub increase: u64,
}

/// Why scores are refused; the ledger is then left unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("epoch {got} applied out of order: the ledger expects epoch {expected}")]
    EpochOutOfOrder { expected: u64, got: u64 },
    #[error("epoch {epoch} was scored with {got} carried in, the ledger carries {expected}")]
    CarryMismatch { epoch: u64, expected: u64, got: u64 },
    #[error("epoch {epoch}: payouts plus remainder differ from emission plus carried")]
    NotConserved { epoch: u64 },
    #[error("epoch {epoch}: payouts not sorted by recipient, repeated, or zero")]
    MalformedPayouts { epoch: u64 },
    #[error("cumulative total of {0} overflows u64")]
    CumulativeOverflow(Key),
    #[error("no leaf index left (u32 exhausted)")]
    IndexesExhausted,
    #[error("leaf at position {position} claims index {index}")]
    IndexMismatch { position: usize, index: u32 },
    #[error("recipient {0} has more than one leaf")]
    DuplicateRecipient(Key),
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Adds an epoch's payouts to the cumulative totals, gives new recipients
    /// the next indexes and keeps the epoch's remainder as the carry. All or
    /// nothing: on error nothing changes.
    pub fn apply(&mut self, scores: &EpochScores) -> Result<Applied, LedgerError> {
        let increase = self.check(scores)?;
        let mut updated = Vec::with_capacity(scores.payouts.len());
        let mut next_index = self.leaves.len();
        for payout in &scores.payouts {
            let (position, previous) = match self.index_of.get(&payout.recipient) {
                Some(&index) => (
                    index as usize,
                    self.leaves[index as usize].cumulative_amount,
                ),
                None => {
                    next_index += 1;
                    (next_index - 1, 0)
                }
            };
            let cumulative = previous
                .checked_add(payout.amount)
                .ok_or(LedgerError::CumulativeOverflow(payout.recipient))?;
            updated.push((position, payout.recipient, cumulative));
        }
        let first_new = index_at(self.leaves.len())?;
        let end_new = index_at(next_index)?;

        // Checked above; commit. New positions come in increasing order.
        for (position, recipient, cumulative) in updated {
            if position == self.leaves.len() {
                let index = position as u32;
                self.index_of.insert(recipient, index);
                self.leaves.push(Leaf {
                    index,
                    recipient,
                    cumulative_amount: cumulative,
                });
            } else {
                self.leaves[position].cumulative_amount = cumulative;
            }
        }
        self.last_epoch = Some(scores.epoch);
        self.carried = scores.remainder;
        Ok(Applied {
            epoch: scores.epoch,
            new_indexes: first_new..end_new,
            increase,
        })
    }

    /// Refuses scores that are out of order, were scored with another carry,
    /// or do not add up (scores are plain data and may come from storage);
    /// returns their sum.
    fn check(&self, scores: &EpochScores) -> Result<u64, LedgerError> {
        let epoch = scores.epoch;
        if let Some(last) = self.last_epoch {
            let expected = last.checked_add(1).ok_or(LedgerError::EpochOutOfOrder {
                expected: last,
                got: epoch,
            })?;
            if epoch != expected {
                return Err(LedgerError::EpochOutOfOrder {
                    expected,
                    got: epoch,
                });
            }
        }
        if scores.carried_in != self.carried {
            return Err(LedgerError::CarryMismatch {
                epoch,
                expected: self.carried,
                got: scores.carried_in,
            });
        }
        let well_formed = scores.payouts.iter().all(|p| p.amount > 0)
            && scores
                .payouts
                .windows(2)
                .all(|pair| pair[0].recipient < pair[1].recipient);
        if !well_formed {
            return Err(LedgerError::MalformedPayouts { epoch });
        }
        let paid = scores.paid();
        let conserved = paid + u128::from(scores.remainder) == scores.available()
            && u64::try_from(scores.available()).is_ok();
        if !conserved {
            return Err(LedgerError::NotConserved { epoch });
        }
        Ok(paid as u64)
    }

    /// Inputs for the next epoch, carrying this ledger's remainder.
    pub fn inputs_for(&self, epoch: u64, devices: Vec<DeviceWork>) -> EpochInputs {
        EpochInputs {
            epoch,
            carried_in: self.carried,
            devices,
        }
    }

    /// Every leaf, in index order (`leaves()[i].index == i`).
    pub fn leaves(&self) -> &[Leaf] {
        &self.leaves
    }

    pub fn get(&self, recipient: &Key) -> Option<Leaf> {
        self.index_of
            .get(recipient)
            .map(|&index| self.leaves[index as usize])
    }

    pub fn len(&self) -> usize {
        self.leaves.len()
    }

    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    /// The last epoch applied, `None` before the first.
    pub fn last_epoch(&self) -> Option<u64> {
        self.last_epoch
    }

    /// The last epoch's remainder, owed to the next epoch.
    pub fn carried(&self) -> u64 {
        self.carried
    }

    /// Sum of all cumulative totals: everything ever paid.
    pub fn total_cumulative(&self) -> u128 {
        self.leaves
            .iter()
            .map(|l| u128::from(l.cumulative_amount))
            .sum()
    }
}

/// `position` as a leaf index, if it fits in a `u32` (the last index,
/// `u32::MAX`, is never given, so a range of new indexes always fits).
fn index_at(position: usize) -> Result<u32, LedgerError> {
    u32::try_from(position).map_err(|_| LedgerError::IndexesExhausted)
}

/// The stored form of a [`Ledger`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerRecord {
    last_epoch: Option<u64>,
    carried: u64,
    leaves: Vec<Leaf>,
}

#[derive(Serialize)]
struct LedgerRecordRef<'a> {
    last_epoch: Option<u64>,
    carried: u64,
    leaves: &'a [Leaf],
}

impl Serialize for Ledger {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        LedgerRecordRef {
            last_epoch: self.last_epoch,
            carried: self.carried,
            leaves: &self.leaves,
        }
        .serialize(serializer)
    }
}

impl TryFrom<LedgerRecord> for Ledger {
    type Error = LedgerError;

    fn try_from(record: LedgerRecord) -> Result<Ledger, LedgerError> {
        let mut index_of = HashMap::with_capacity(record.leaves.len());
        for (position, leaf) in record.leaves.iter().enumerate() {
            if leaf.index as usize != position {
                return Err(LedgerError::IndexMismatch {
                    position,
                    index: leaf.index,
                });
            }
            if index_of.insert(leaf.recipient, leaf.index).is_some() {
                return Err(LedgerError::DuplicateRecipient(leaf.recipient));
            }
        }
        Ok(Ledger {
            leaves: record.leaves,
            index_of,
            last_epoch: record.last_epoch,
            carried: record.carried,
        })
    }
}
