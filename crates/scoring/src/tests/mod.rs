//! Tests of the rule, the config, the key type and the ledger, and property
//! tests of the money math.

mod config;
mod key;
mod ledger;
mod props;
mod rules;

use crate::{DeviceWork, EpochInputs, Key, OperatorStatus, RawScoringConfig, ScoringConfig};

/// A key whose bytes are all `n`.
fn key(n: u8) -> Key {
    Key([n; 32])
}

fn config(emission: u64, cap: u64, operator_bps: u16, min_work: u64) -> ScoringConfig {
    ScoringConfig::new(RawScoringConfig {
        emission_per_epoch: emission,
        per_device_cap: cap,
        operator_share_bps: operator_bps,
        min_work_wh: min_work,
    })
    .unwrap()
}

/// An active device without operator.
fn device(id: u8, owner: u8, work_wh: u64) -> DeviceWork {
    DeviceWork {
        device: key(id),
        owner: key(owner),
        operator: None,
        work_wh,
        active_through_epoch: true,
    }
}

fn operated(mut work: DeviceWork, operator: u8, eligible: bool) -> DeviceWork {
    work.operator = Some(OperatorStatus {
        key: key(operator),
        eligible,
    });
    work
}

fn epoch(devices: Vec<DeviceWork>) -> EpochInputs {
    EpochInputs {
        epoch: 1,
        carried_in: 0,
        devices,
    }
}
