//! The rules a report must pass before the crank accepts it, as pure
//! functions over what the crank knows ([`IngestContext`]), so the primary
//! and a verifier instance apply exactly the same checks.
//!
//! Order of the checks (the first failure is the one reported): malformed,
//! bad signature, wrong network, unknown device, device not active, replay,
//! late, early, implausible. The signature comes right after the shape, so
//! every later rule judges fields the device really signed.

use anchor_lang::prelude::Pubkey;
use depin_registry::state::{Device, DeviceKind, DeviceStatus};

use super::{SignedReport, WorkReport};

pub use depin_registry::capacity::{self, PLAUSIBLE_CAPACITY_PERCENT};

/// A device as the registry holds it, in the network it is registered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisteredDevice {
    /// The network account (not its numeric id).
    pub network: Pubkey,
    pub device_key: Pubkey,
    pub kind: DeviceKind,
    /// Kind-specific: Wh for batteries, W for the other kinds.
    pub capacity: u32,
    pub status: DeviceStatus,
}

impl RegisteredDevice {
    /// From the device account; `network` is the address of the network
    /// account whose id the device carries.
    pub fn from_account(network: Pubkey, device: &Device) -> Self {
        RegisteredDevice {
            network,
            device_key: device.device_key,
            kind: device.kind,
            capacity: device.capacity,
            status: device.status,
        }
    }

    /// The power (W) the plausibility rule allows
    /// ([`depin_registry::capacity::rated_power_w`]).
    pub fn rated_power_w(&self) -> u64 {
        capacity::rated_power_w(self.kind, self.capacity)
    }

    /// The most energy (Wh, rounded down) the device can plausibly deliver in
    /// `period_secs`: 1.35 x rated power x period in hours.
    pub fn max_energy_wh(&self, period_secs: u32) -> u64 {
        capacity::max_energy_wh(self.kind, self.capacity, u64::from(period_secs))
    }
}

/// The open epoch: reports must cover a period inside `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochWindow {
    pub start: i64,
    pub end: i64,
}

/// A network's reward epochs, on chain time: epoch 1 starts when the network
/// was created and each lasts `epoch_length_secs`. Numbering starts at 1
/// because a distributor's first root must carry an epoch above its initial
/// 0. Defined once here: the primary crank, a verifier and the CLI agree on
/// which epoch a period belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EpochSchedule {
    /// The network's `created_at` (Unix seconds).
    pub origin: i64,
    /// The network's `epoch_length_secs` (never 0 on chain).
    pub length_secs: u32,
}

impl EpochSchedule {
    pub fn of(network: &depin_registry::state::Network) -> Self {
        EpochSchedule {
            origin: network.created_at,
            length_secs: network.epoch_length_secs,
        }
    }

    /// The epoch a moment falls in; `None` before the network existed (or
    /// for a zero length, which the registry never stores).
    pub fn epoch_at(&self, unix_secs: i64) -> Option<u64> {
        if self.length_secs == 0 || unix_secs < self.origin {
            return None;
        }
        let elapsed = i128::from(unix_secs) - i128::from(self.origin);
        u64::try_from(elapsed / i128::from(self.length_secs) + 1).ok()
    }

    /// Epoch `n`'s window (`None` for epoch 0 or past i64 time).
    pub fn window(&self, epoch: u64) -> Option<EpochWindow> {
        let index = i128::from(epoch.checked_sub(1)?);
        let length = i128::from(self.length_secs);
        let start = i64::try_from(i128::from(self.origin) + index * length).ok()?;
        let end = i64::try_from(i128::from(start) + length).ok()?;
        Some(EpochWindow { start, end })
    }
}

/// What the crank knows when a report arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IngestContext {
    /// The network this crank serves.
    pub network: Pubkey,
    /// The registry's device for (network, the report's device key), `None`
    /// when there is none.
    pub device: Option<RegisteredDevice>,
    /// The highest sequence accepted from this device, `None` before the first.
    pub last_sequence: Option<u64>,
    pub epoch: EpochWindow,
    /// Unix seconds: a period that has not ended yet is refused as early.
    pub now: i64,
}

/// Why a report was refused. [`Rejection::code`] is stable and
/// machine-readable (API answers, metrics labels); `Display` is for people.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("malformed report: {0}")]
    Malformed(String),
    #[error("the signature is not the device key's signature of this report")]
    BadSignature,
    #[error("the report is for network {got}, this crank serves {expected}")]
    WrongNetwork { expected: Pubkey, got: Pubkey },
    #[error("no device with key {device_key} is registered in network {network}")]
    UnknownDevice { network: Pubkey, device_key: Pubkey },
    #[error("the device is {status:?}, not active")]
    DeviceNotActive { status: DeviceStatus },
    #[error("sequence {got} does not exceed the last accepted sequence {last}")]
    Replay { last: u64, got: u64 },
    #[error("the period starts at {period_start}, before the open epoch (from {epoch_start})")]
    Late { period_start: i64, epoch_start: i64 },
    #[error("the period ends at {period_end}, after {limit} (the open epoch's end or now)")]
    Early { period_end: i64, limit: i64 },
    #[error(
        "{energy_wh} Wh is more than the plausible {max_energy_wh} Wh \
         (1.35 x {rated_power_w} W x the period)"
    )]
    Implausible {
        energy_wh: u64,
        max_energy_wh: u64,
        rated_power_w: u64,
    },
}

impl Rejection {
    /// Every code [`Rejection::code`] returns (metrics register them up front).
    pub const CODES: [&'static str; 9] = [
        "malformed",
        "bad_signature",
        "wrong_network",
        "unknown_device",
        "device_not_active",
        "replay",
        "late",
        "early",
        "implausible",
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Malformed(_) => "malformed",
            Rejection::BadSignature => "bad_signature",
            Rejection::WrongNetwork { .. } => "wrong_network",
            Rejection::UnknownDevice { .. } => "unknown_device",
            Rejection::DeviceNotActive { .. } => "device_not_active",
            Rejection::Replay { .. } => "replay",
            Rejection::Late { .. } => "late",
            Rejection::Early { .. } => "early",
            Rejection::Implausible { .. } => "implausible",
        }
    }

    /// The API's answer body: `{"code", "message"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "code": self.code(), "message": self.to_string() })
    }
}

/// Accepts `signed` or says why not (the first rule it breaks, in the order
/// of the module comment).
pub fn check(signed: &SignedReport, ctx: &IngestContext) -> Result<(), Rejection> {
    let report = &signed.report;
    let period_end = check_shape(report)?;
    if !signed.verify() {
        return Err(Rejection::BadSignature);
    }
    if report.network != ctx.network {
        return Err(Rejection::WrongNetwork {
            expected: ctx.network,
            got: report.network,
        });
    }
    let device = ctx
        .device
        .filter(|d| d.network == report.network && d.device_key == report.device_key)
        .ok_or(Rejection::UnknownDevice {
            network: report.network,
            device_key: report.device_key,
        })?;
    if device.status != DeviceStatus::Active {
        return Err(Rejection::DeviceNotActive {
            status: device.status,
        });
    }
    if let Some(last) = ctx.last_sequence.filter(|last| report.sequence <= *last) {
        return Err(Rejection::Replay {
            last,
            got: report.sequence,
        });
    }
    if report.period_start < ctx.epoch.start {
        return Err(Rejection::Late {
            period_start: report.period_start,
            epoch_start: ctx.epoch.start,
        });
    }
    let limit = ctx.epoch.end.min(ctx.now);
    if period_end > limit {
        return Err(Rejection::Early { period_end, limit });
    }
    let max_energy_wh = device.max_energy_wh(report.period_secs);
    if report.energy_wh > max_energy_wh {
        return Err(Rejection::Implausible {
            energy_wh: report.energy_wh,
            max_energy_wh,
            rated_power_w: device.rated_power_w(),
        });
    }
    Ok(())
}

/// A report that contradicts itself, whoever signed it. Returns the period end.
fn check_shape(report: &WorkReport) -> Result<i64, Rejection> {
    if report.period_secs == 0 {
        return Err(Rejection::Malformed("the period is empty".into()));
    }
    if report.uptime_secs > report.period_secs {
        return Err(Rejection::Malformed(format!(
            "uptime {} s is longer than the period ({} s)",
            report.uptime_secs, report.period_secs
        )));
    }
    report
        .period_end()
        .ok_or_else(|| Rejection::Malformed("the period ends after the year 292 billion".into()))
}

/// Two different reports from one device for overlapping periods: the
/// evidence of a conflict (storage drops both and keeps the pair). Overlap,
/// not only the same period, because any overlap counts the same time twice.
/// Identical messages are one report sent twice, not a conflict, whatever
/// the signature bytes.
pub fn conflicts(a: &SignedReport, b: &SignedReport) -> bool {
    let (x, y) = (&a.report, &b.report);
    let span = |r: &WorkReport| {
        let start = i128::from(r.period_start);
        (start, start + i128::from(r.period_secs))
    };
    let ((x_start, x_end), (y_start, y_end)) = (span(x), span(y));
    x.network == y.network
        && x.device_key == y.device_key
        && x_start < y_end
        && y_start < x_end
        && a.message() != b.message()
}

#[cfg(test)]
mod tests;
