//! The scoring rule's parameters, read from the crank's config file.

use serde::{Deserialize, Serialize};

/// Basis points in a whole (100 %).
pub const BPS_DENOMINATOR: u16 = 10_000;

/// The scoring rule's parameters. Deserializing validates, so every
/// `ScoringConfig` in hand is valid; unknown fields are refused so a typo is
/// an error instead of a silently default rule.
///
/// ```toml
/// emission_per_epoch = 1_000_000_000   # base units emitted each epoch
/// per_device_cap = 50_000_000          # at most this much per device and epoch
/// operator_share_bps = 2_000           # 20 % of a device's pay to its operator
/// min_work_wh = 100                    # devices below 100 Wh earn nothing
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawScoringConfig", into = "RawScoringConfig")]
pub struct ScoringConfig {
    emission_per_epoch: u64,
    per_device_cap: u64,
    operator_share_bps: u16,
    min_work_wh: u64,
}

/// The config file's fields, before validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScoringConfig {
    /// Reward tokens (base units) emitted for one epoch, before the carried
    /// remainder of earlier epochs is added. Must be positive.
    pub emission_per_epoch: u64,
    /// Most a single device earns in one epoch (base units; owner and
    /// operator parts together). What the cap cuts off is carried to the next
    /// epoch, not handed to other devices. Must be positive.
    pub per_device_cap: u64,
    /// The operator's part of a device's pay, in basis points (at most
    /// 10,000), paid only when the operator is an eligible bonded operator.
    pub operator_share_bps: u16,
    /// Least verified energy (Wh) a device must deliver in the epoch to earn
    /// anything; below it the device's work does not count at all.
    pub min_work_wh: u64,
}

/// Why a config is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("emission_per_epoch must be positive")]
    ZeroEmission,
    #[error("per_device_cap must be positive (a zero cap pays nobody, ever)")]
    ZeroCap,
    #[error("operator_share_bps is {0}, more than 10000 (100 %)")]
    OperatorShareAboveWhole(u16),
}

impl ScoringConfig {
    /// A validated config.
    pub fn new(raw: RawScoringConfig) -> Result<ScoringConfig, ConfigError> {
        if raw.emission_per_epoch == 0 {
            return Err(ConfigError::ZeroEmission);
        }
        if raw.per_device_cap == 0 {
            return Err(ConfigError::ZeroCap);
        }
        if raw.operator_share_bps > BPS_DENOMINATOR {
            return Err(ConfigError::OperatorShareAboveWhole(raw.operator_share_bps));
        }
        Ok(ScoringConfig {
            emission_per_epoch: raw.emission_per_epoch,
            per_device_cap: raw.per_device_cap,
            operator_share_bps: raw.operator_share_bps,
            min_work_wh: raw.min_work_wh,
        })
    }

    pub fn emission_per_epoch(&self) -> u64 {
        self.emission_per_epoch
    }

    pub fn per_device_cap(&self) -> u64 {
        self.per_device_cap
    }

    pub fn operator_share_bps(&self) -> u16 {
        self.operator_share_bps
    }

    pub fn min_work_wh(&self) -> u64 {
        self.min_work_wh
    }
}

impl TryFrom<RawScoringConfig> for ScoringConfig {
    type Error = ConfigError;

    fn try_from(raw: RawScoringConfig) -> Result<ScoringConfig, ConfigError> {
        ScoringConfig::new(raw)
    }
}

impl From<ScoringConfig> for RawScoringConfig {
    fn from(config: ScoringConfig) -> RawScoringConfig {
        RawScoringConfig {
            emission_per_epoch: config.emission_per_epoch,
            per_device_cap: config.per_device_cap,
            operator_share_bps: config.operator_share_bps,
            min_work_wh: config.min_work_wh,
        }
    }
}
