//! What the steps record (JSON in storage): read back by later steps, by a
//! rerun after a crash, by `status` and by the proofs API.

use depin_client::rewards::{hex32, parse_hex32, PostRootArgs};
use depin_scoring::{EpochInputs, EpochScores, Ledger};
use serde::{Deserialize, Serialize};

use super::{PipelineError, PipelineResult};
use crate::storage::StorageError;

/// The score step's record: exactly what was scored, so anyone can redo it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScoreRecord {
    pub inputs: EpochInputs,
    pub scores: EpochScores,
}

/// The root to post for an epoch (the tree step's record). `root` is `None`
/// when the epoch paid nobody anything new: nothing changes on chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeRecord {
    pub epoch: u64,
    /// Lower-case hex.
    pub root: Option<String>,
    pub cumulative_total: u64,
    pub recipient_count: u32,
}

impl TreeRecord {
    /// The `post_root` arguments; `None` when there is nothing to post.
    pub fn post_root_args(&self) -> PipelineResult<Option<PostRootArgs>> {
        let Some(root) = &self.root else {
            return Ok(None);
        };
        let root = parse_hex32(root).ok_or_else(|| PipelineError::Invalid {
            epoch: self.epoch,
            message: format!("recorded root {root:?} is not 64 hex digits"),
        })?;
        Ok(Some(PostRootArgs {
            epoch: self.epoch,
            root,
            cumulative_total: self.cumulative_total,
            recipient_count: self.recipient_count,
        }))
    }

    pub fn of(args: &PostRootArgs) -> TreeRecord {
        TreeRecord {
            epoch: args.epoch,
            root: Some(hex32(&args.root)),
            cumulative_total: args.cumulative_total,
            recipient_count: args.recipient_count,
        }
    }
}

/// The claimable root and the ledger behind it: what the proofs API serves.
/// Written when the root is activated on chain.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ActiveTree {
    pub tree: TreeRecord,
    pub ledger: Ledger,
}

/// The push-claims step's record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRecord {
    /// Recipients paid by a push claim in this run of the step.
    pub pushed: u32,
    /// Tokens those claims moved.
    pub amount: u64,
    pub transactions: u32,
    /// Eligible but without a token account of the reward mint (pushing
    /// needs one; creating it would spend their rent from the crank's SOL).
    pub skipped_no_account: u32,
    /// Eligible but left for later: the epoch's SOL budget was spent.
    pub skipped_budget: u32,
}

pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
) -> PipelineResult<T> {
    serde_json::from_slice(bytes)
        .map_err(|e| PipelineError::Storage(StorageError::Malformed(format!("stored {what}: {e}"))))
}

pub(crate) fn decode_u64(bytes: &[u8], what: &str) -> PipelineResult<u64> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| {
            PipelineError::Storage(StorageError::Malformed(format!(
                "stored {what} is not a number"
            )))
        })
}

pub(crate) fn encode_json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialize to JSON")
}
