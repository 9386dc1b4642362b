//! `depin-client`: the one library the CLI, the crank, migrations and the
//! tests use to talk to the depin programs. PDAs and account layouts come from
//! the program crates themselves; nothing here redefines a seed or a layout.

pub mod cluster;
pub mod deploy;
pub mod device_signer;
pub mod error;
pub mod events;
pub mod fractional;
#[cfg(feature = "local")]
pub mod local;
pub mod payments;
pub mod registry;
pub mod report;
pub mod revenue;
pub mod rewards;
pub mod rpc;
pub mod staking;
pub mod token;

pub use cluster::{fetch, fetch_all, fetch_optional, AccountFilter, Cluster, Sent};
pub use depin_fractional;
pub use depin_payments;
pub use depin_registry;
pub use depin_revenue;
pub use depin_rewards;
pub use depin_staking;
pub use error::{
    AnchorFailure, ClientError, FailedInstruction, FailureStage, NamedError, TxFailure,
};
pub use rpc::{RpcCluster, RpcConfig, SendOptions};

pub use anchor_lang::prelude::Pubkey;

/// Every depin program: the name of its `.so` and its id.
pub const PROGRAMS: &[(&str, Pubkey)] = &[
    ("depin_registry", depin_registry::ID),
    ("depin_rewards", depin_rewards::ID),
    ("depin_staking", depin_staking::ID),
    ("depin_revenue", depin_revenue::ID),
    ("depin_fractional", depin_fractional::ID),
    ("depin_payments", depin_payments::ID),
];
pub use solana_hash::Hash;
pub use solana_instruction::{AccountMeta, Instruction};
pub use solana_keypair::Keypair;
pub use solana_signature::Signature;
pub use solana_signer::Signer;
pub use solana_transaction_error::TransactionError;
