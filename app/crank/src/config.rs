//! The crank's configuration: a TOML file, each top-level setting
//! overridable by an environment variable `DEPIN_CRANK_<NAME>` (upper case),
//! the way services are configured in containers.
//!
//! ```toml
//! url = "http://127.0.0.1:8899"        # the cluster's JSON-RPC
//! database = "crank.db"                # SQLite, created if missing
//! listen = "127.0.0.1:8080"            # ingest, proofs API, /metrics, /healthz
//! network = "NETWORK_ADDRESS"
//! distributor = "DISTRIBUTOR_ADDRESS"
//! treasury_account = "TOKEN_ACCOUNT"   # funds the distributor (primary)
//! oracle_keypair = "oracle.json"       # an oracle member; pays fees
//! treasury_keypair = "treasury.json"   # owns treasury_account (primary)
//! role = "primary"                     # or "verifier"
//! primary_url = "http://primary:8080"  # verifier: where reports come from
//! grace_secs = 600
//! tick_secs = 5
//! low_balance_sol = 0.5                # warn when the oracle key has less
//! public_url = "https://pay.example.com" # Solana Pay: the crank's public base URL
//! pay_label = "depin"                  # Solana Pay: the label wallets show
//!
//! [scoring]                            # see depin-scoring
//! emission_per_epoch = 1_000_000_000
//! per_device_cap = 50_000_000
//! operator_share_bps = 2_000
//! min_work_wh = 100
//!
//! [push]
//! min_amount = 1_000_000               # push leaves owed at least this
//! opted_in = []                        # and these recipients, any amount
//! per_transaction = 4
//! lamports_per_epoch = 10_000_000
//!
//! [upkeep]
//! staking_reward_per_epoch = 0
//! close_offerings = true
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use depin_scoring::ScoringConfig;
use serde::Deserialize;

use crate::epoch::{PipelineConfig, PushPolicy, UpkeepPolicy};

/// The environment variables' prefix.
pub const ENV_PREFIX: &str = "DEPIN_CRANK_";

/// The settings an environment variable may set. Other `DEPIN_CRANK_*`
/// variables belong to the binary (`_CONFIG`, `_LOG_FORMAT`) or the fault
/// hook (`_ABORT_AT`), not to the file.
pub const OVERRIDABLE: [&str; 16] = [
    "url",
    "database",
    "listen",
    "network",
    "distributor",
    "treasury_account",
    "oracle_keypair",
    "treasury_keypair",
    "role",
    "primary_url",
    "grace_secs",
    "first_epoch",
    "tick_secs",
    "low_balance_sol",
    "public_url",
    "pay_label",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Primary,
    Verifier,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrankConfig {
    pub url: String,
    pub database: PathBuf,
    pub listen: SocketAddr,
    #[serde(with = "pubkey")]
    pub network: Pubkey,
    #[serde(with = "pubkey")]
    pub distributor: Pubkey,
    #[serde(with = "pubkey")]
    pub treasury_account: Pubkey,
    pub oracle_keypair: PathBuf,
    pub treasury_keypair: Option<PathBuf>,
    #[serde(default = "primary")]
    pub role: RoleName,
    pub primary_url: Option<String>,
    #[serde(default = "default_grace")]
    pub grace_secs: u32,
    pub first_epoch: Option<u64>,
    #[serde(default = "default_tick")]
    pub tick_secs: u64,
    #[serde(default = "default_low_balance")]
    pub low_balance_sol: f64,
    /// The crank's public base URL (`https://...`, as wallets reach it):
    /// Solana Pay links (`depin-crank pay-link`) and the icon's absolute
    /// URL are made from it. Unset: the icon URL follows the request's
    /// `Host`, and `pay-link` needs `--public-url`.
    pub public_url: Option<String>,
    /// The `label` wallets display for Solana Pay requests.
    #[serde(default = "default_pay_label")]
    pub pay_label: String,
    pub scoring: ScoringConfig,
    #[serde(default)]
    pub push: PushSection,
    #[serde(default)]
    pub upkeep: UpkeepSection,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PushSection {
    pub min_amount: u64,
    #[serde(with = "pubkeys")]
    pub opted_in: Vec<Pubkey>,
    pub per_transaction: usize,
    pub lamports_per_epoch: u64,
}

impl Default for PushSection {
    fn default() -> Self {
        let policy = PushPolicy::default();
        PushSection {
            min_amount: policy.min_amount,
            opted_in: policy.opted_in,
            per_transaction: policy.per_transaction,
            lamports_per_epoch: policy.lamports_per_epoch,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UpkeepSection {
    pub staking_reward_per_epoch: u64,
    pub close_offerings: bool,
}

fn primary() -> RoleName {
    RoleName::Primary
}
fn default_grace() -> u32 {
    600
}
fn default_tick() -> u64 {
    5
}
fn default_low_balance() -> f64 {
    0.5
}
fn default_pay_label() -> String {
    "depin".into()
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl CrankConfig {
    /// Reads `path`, then applies `DEPIN_CRANK_*` variables from `env`.
    pub fn load(
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<CrankConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string(), env)
    }

    /// Parses the TOML `text` (named `origin` in errors) with overrides.
    pub fn parse(
        text: &str,
        origin: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<CrankConfig, ConfigError> {
        let invalid = |origin: &str, message: String| ConfigError::Invalid {
            origin: origin.to_string(),
            message,
        };
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| invalid(origin, e.to_string()))?;
        for (name, value) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let key = key.to_ascii_lowercase();
            if !OVERRIDABLE.contains(&key.as_str()) {
                continue;
            }
            // Numbers and booleans stay numbers and booleans; the rest are
            // strings (addresses, paths, URLs).
            let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
                .ok()
                .and_then(|mut t| t.remove("v"))
                .filter(|v| !v.is_str() && !v.is_table() && !v.is_array())
                .unwrap_or(toml::Value::String(value));
            table.insert(key, parsed);
        }
        let config: CrankConfig = table
            .try_into()
            .map_err(|e: toml::de::Error| invalid(origin, e.message().to_string()))?;
        config.validate().map_err(|m| invalid(origin, m))?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        match self.role {
            RoleName::Verifier if self.primary_url.is_none() => {
                Err("a verifier needs primary_url (where it pulls reports from)".into())
            }
            RoleName::Primary if self.treasury_keypair.is_none() => {
                Err("a primary needs treasury_keypair (it funds the distributor)".into())
            }
            _ if self.tick_secs == 0 => Err("tick_secs must be at least 1".into()),
            _ if self.public_url.as_deref().is_some_and(|url| {
                crate::solana_pay::pay_link(url, &Pubkey::default(), None).is_err()
            }) =>
            {
                Err("public_url must be an absolute https:// URL (http:// for local tests) without a query".into())
            }
            _ => Ok(()),
        }
    }

    pub fn pipeline(&self) -> PipelineConfig {
        PipelineConfig {
            network: self.network,
            distributor: self.distributor,
            treasury_account: self.treasury_account,
            scoring: self.scoring,
            grace_secs: self.grace_secs,
            first_epoch: self.first_epoch,
            push: PushPolicy {
                min_amount: self.push.min_amount,
                opted_in: self.push.opted_in.clone(),
                per_transaction: self.push.per_transaction,
                lamports_per_epoch: self.push.lamports_per_epoch,
            },
            upkeep: UpkeepPolicy {
                staking_reward_per_epoch: self.upkeep.staking_reward_per_epoch,
                close_offerings: self.upkeep.close_offerings,
            },
        }
    }

    /// The low-balance warning threshold in lamports.
    pub fn low_balance_lamports(&self) -> u64 {
        (self.low_balance_sol * 1e9) as u64
    }
}

mod pubkey {
    use anchor_lang::prelude::Pubkey;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Pubkey, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a base58 address")))
    }
}

mod pubkeys {
    use anchor_lang::prelude::Pubkey;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Pubkey>, D::Error> {
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(|text| {
                text.parse().map_err(|_| {
                    serde::de::Error::custom(format!("{text:?} is not a base58 address"))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
