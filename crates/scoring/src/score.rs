//! One epoch's scores: the rule of the crate doc, applied to verified work.

use serde::{Deserialize, Serialize};

use crate::config::{ScoringConfig, BPS_DENOMINATOR};
use crate::key::Key;

/// A device's verified work in the epoch, as the crank's verifier hands it
/// over. A device whose reports were all rejected is simply absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceWork {
    pub device: Key,
    /// Paid the device's pay, less an eligible operator's part.
    pub owner: Key,
    pub operator: Option<OperatorStatus>,
    /// Energy (Wh) summed over the epoch's accepted reports.
    pub work_wh: u64,
    /// Registered and active from the epoch's start to its end.
    pub active_through_epoch: bool,
}

/// A device's operator and whether it is an eligible bonded operator at the
/// epoch's close (the staking program's `is_eligible_operator`, read by the
/// caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorStatus {
    pub key: Key,
    pub eligible: bool,
}

/// What [`score`] needs for one epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochInputs {
    pub epoch: u64,
    /// The previous epoch's [`EpochScores::remainder`] (the ledger's
    /// [`crate::Ledger::carried`]); 0 for the first epoch.
    pub carried_in: u64,
    /// One entry per device, in any order.
    pub devices: Vec<DeviceWork>,
}

/// Whether a device's work counted, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceOutcome {
    Counted,
    /// Not active through the whole epoch.
    Inactive,
    /// Less work than `min_work_wh`, or none.
    BelowMinimumWork,
}

/// One device's result (for tables, audits and the verifier's diff).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceScore {
    pub device: Key,
    pub work_wh: u64,
    pub outcome: DeviceOutcome,
    /// The pro-rata share was above `per_device_cap` and was cut to it.
    pub capped: bool,
    pub owner_amount: u64,
    /// 0 unless the device has an eligible operator.
    pub operator_amount: u64,
}

impl DeviceScore {
    /// What the device paid out in total. (The parts of a [`score`] result
    /// add up to at most the device's share, so this never saturates.)
    pub fn amount(&self) -> u64 {
        self.owner_amount.saturating_add(self.operator_amount)
    }
}

/// One recipient's reward for the epoch (all its devices and roles summed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payout {
    pub recipient: Key,
    pub amount: u64,
}

/// The result of [`score`]. `payouts` plus `remainder` is exactly
/// `emission + carried_in`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochScores {
    pub epoch: u64,
    pub emission: u64,
    pub carried_in: u64,
    /// Work of the counted devices (Wh), the pro-rata denominator.
    pub counted_work_wh: u128,
    /// Every input device, by device key.
    pub devices: Vec<DeviceScore>,
    /// Recipients with a positive amount, by recipient key, each once.
    pub payouts: Vec<Payout>,
    /// Not paid this epoch (cap cut-offs, rounding, or all of it when no work
    /// counted); the caller carries it into the next epoch's `carried_in`.
    pub remainder: u64,
}

impl EpochScores {
    /// `emission + carried_in`: what this epoch had to hand out.
    pub fn available(&self) -> u128 {
        u128::from(self.emission) + u128::from(self.carried_in)
    }

    /// Sum of `payouts`.
    pub fn paid(&self) -> u128 {
        self.payouts.iter().map(|p| u128::from(p.amount)).sum()
    }
}

/// Why an epoch cannot be scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("device {0} appears more than once in the epoch's inputs")]
    DuplicateDevice(Key),
    #[error("emission {emission} plus carried {carried_in} overflows u64")]
    AvailableOverflow { emission: u64, carried_in: u64 },
    #[error("arithmetic overflow while scoring")]
    Overflow,
}

/// Scores one epoch (see the crate doc for the rule). The result does not
/// depend on the order of `inputs.devices`.
pub fn score(config: &ScoringConfig, inputs: &EpochInputs) -> Result<EpochScores, ScoreError> {
    let emission = config.emission_per_epoch();
    let available =
        emission
            .checked_add(inputs.carried_in)
            .ok_or(ScoreError::AvailableOverflow {
                emission,
                carried_in: inputs.carried_in,
            })?;

    let mut devices: Vec<&DeviceWork> = inputs.devices.iter().collect();
    devices.sort_unstable_by_key(|work| work.device);
    if let Some(pair) = devices.windows(2).find(|p| p[0].device == p[1].device) {
        return Err(ScoreError::DuplicateDevice(pair[0].device));
    }

    let outcomes: Vec<DeviceOutcome> = devices.iter().map(|w| outcome(config, w)).collect();
    let counted_work_wh = devices
        .iter()
        .zip(&outcomes)
        .filter(|(_, outcome)| **outcome == DeviceOutcome::Counted)
        .try_fold(0u128, |sum, (work, _)| {
            sum.checked_add(u128::from(work.work_wh))
        })
        .ok_or(ScoreError::Overflow)?;

    let mut parts: Vec<Payout> = Vec::with_capacity(devices.len() * 2);
    let mut scores = Vec::with_capacity(devices.len());
    let mut paid = 0u64;
    for (work, outcome) in devices.iter().zip(outcomes) {
        let (share, capped) = if outcome == DeviceOutcome::Counted {
            let pro_rata = pro_rata(available, work.work_wh, counted_work_wh)?;
            (
                pro_rata.min(config.per_device_cap()),
                pro_rata > config.per_device_cap(),
            )
        } else {
            (0, false)
        };
        let (owner_amount, operator_amount) = split(config, work, share)?;
        for (recipient, amount) in [
            (work.owner, owner_amount),
            (
                work.operator.map_or(work.owner, |op| op.key),
                operator_amount,
            ),
        ] {
            if amount > 0 {
                parts.push(Payout { recipient, amount });
                paid = paid.checked_add(amount).ok_or(ScoreError::Overflow)?;
            }
        }
        scores.push(DeviceScore {
            device: work.device,
            work_wh: work.work_wh,
            outcome,
            capped,
            owner_amount,
            operator_amount,
        });
    }

    let remainder = available.checked_sub(paid).ok_or(ScoreError::Overflow)?;
    Ok(EpochScores {
        epoch: inputs.epoch,
        emission,
        carried_in: inputs.carried_in,
        counted_work_wh,
        devices: scores,
        payouts: sum_by_recipient(parts)?,
        remainder,
    })
}

/// One payout per recipient, by key (a sort and merge: faster than a map
/// for a million devices).
fn sum_by_recipient(mut parts: Vec<Payout>) -> Result<Vec<Payout>, ScoreError> {
    parts.sort_unstable_by_key(|part| part.recipient);
    let mut payouts: Vec<Payout> = Vec::with_capacity(parts.len());
    for part in parts {
        match payouts.last_mut() {
            Some(last) if last.recipient == part.recipient => {
                last.amount = last
                    .amount
                    .checked_add(part.amount)
                    .ok_or(ScoreError::Overflow)?;
            }
            _ => payouts.push(part),
        }
    }
    Ok(payouts)
}

fn outcome(config: &ScoringConfig, work: &DeviceWork) -> DeviceOutcome {
    if !work.active_through_epoch {
        DeviceOutcome::Inactive
    } else if work.work_wh == 0 || work.work_wh < config.min_work_wh() {
        DeviceOutcome::BelowMinimumWork
    } else {
        DeviceOutcome::Counted
    }
}

/// `floor(available × work / total)`; at most `available`, as `work <= total`.
fn pro_rata(available: u64, work: u64, total: u128) -> Result<u64, ScoreError> {
    let share = u128::from(available)
        .checked_mul(u128::from(work))
        .and_then(|product| product.checked_div(total))
        .ok_or(ScoreError::Overflow)?;
    u64::try_from(share).map_err(|_| ScoreError::Overflow)
}

/// (owner, operator) parts of a device's share, each rounded down; the unit
/// a split may round off stays unpaid (it ends in the remainder). Without an
/// eligible operator the owner gets the whole share.
fn split(config: &ScoringConfig, work: &DeviceWork, share: u64) -> Result<(u64, u64), ScoreError> {
    let eligible_operator = work.operator.is_some_and(|op| op.eligible);
    if !eligible_operator {
        return Ok((share, 0));
    }
    let operator_bps = config.operator_share_bps();
    let part = |bps: u16| {
        u128::from(share)
            .checked_mul(u128::from(bps))
            .map(|product| product / u128::from(BPS_DENOMINATOR))
            .and_then(|part| u64::try_from(part).ok())
            .ok_or(ScoreError::Overflow)
    };
    Ok((part(BPS_DENOMINATOR - operator_bps)?, part(operator_bps)?))
}
