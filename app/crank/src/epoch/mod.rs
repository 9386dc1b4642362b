//! The epoch pipeline: each epoch of the network goes through a fixed list
//! of steps, in order, and each step records its completion in storage in
//! the same transaction as its results ([`Storage::record_step`]).
//!
//! Steps that act on chain read the chain first and do only what is still
//! missing (a ledger page that exists is not created again, the vault is
//! funded for the shortfall it has now, a root already proposed is not
//! proposed again, leaves already claimed are not pushed again). So a crash
//! between sending and recording, followed by a rerun, does nothing twice.
//!
//! A primary crank runs [`PRIMARY_STEPS`]. A verifier crank (its own oracle
//! key, its own database) runs [`VERIFIER_STEPS`]: it pulls the epoch's
//! signed reports from the primary, re-checks and re-scores them itself, and
//! approves the proposed root only if it is the root it computed.

mod chain_steps;
mod inputs;
mod push;
pub(crate) mod records;
mod replay;
mod upkeep;
mod verify;

use std::sync::Arc;

use anchor_lang::prelude::Pubkey;
use depin_client::report::{EpochSchedule, EpochWindow};
use depin_client::{registry, ClientError, Cluster, Keypair};
use depin_scoring::{Ledger, ScoringConfig};

use crate::fault::{Crashed, Faults, Moment};
use crate::storage::{StepWrite, Storage, StorageError};

pub use inputs::reward_tree;
pub use push::{claimed_by_leaf, PushPolicy};
pub use records::{ActiveTree, PushRecord, ScoreRecord, TreeRecord};
pub use replay::Replay;
pub use upkeep::{UpkeepPolicy, UpkeepRecord};
pub use verify::{
    parse_epoch_reports, EpochReports, HttpSource, ReportSource, StorageSource, VerifierVerdict,
};

/// A primary crank's steps for each epoch, in order.
pub const PRIMARY_STEPS: [&str; 9] = [
    "freeze",
    "score",
    "tree",
    "pages",
    "fund",
    "post_root",
    "activate",
    "push_claims",
    "upkeep",
];

/// A verifier crank's steps for each epoch, in order.
pub const VERIFIER_STEPS: [&str; 5] = ["pull", "freeze", "score", "tree", "approve"];

/// Storage state keys.
pub(crate) const LEDGER: &str = "ledger";
pub(crate) const NEXT_EPOCH: &str = "next_epoch";
/// The claimable root's tree and ledger ([`ActiveTree`]), for the proofs API.
pub const ACTIVE_TREE: &str = "active_tree";
/// The epoch of [`ACTIVE_TREE`], small enough to poll.
pub const ACTIVE_EPOCH: &str = "active_epoch";

/// What a crank instance is.
pub enum Role {
    /// Ingests reports, proposes roots, funds and pushes claims.
    Primary,
    /// Re-checks the primary's epochs and approves only identical roots.
    Verifier { source: Box<dyn ReportSource> },
}

/// Everything the pipeline needs to know about its network.
#[derive(Clone, Debug)]
pub struct PipelineConfig {
    pub network: Pubkey,
    pub distributor: Pubkey,
    /// The token account (of the reward mint) the fund step pays from; its
    /// owner is [`CrankKeys::treasury`].
    pub treasury_account: Pubkey,
    pub scoring: ScoringConfig,
    /// Reports for an epoch's last period can only arrive after the epoch
    /// ends (a period is reported once it is over): the epoch is frozen this
    /// many seconds after its end, on chain time.
    pub grace_secs: u32,
    /// The first epoch this crank scores; `None`: the epoch open when it
    /// first starts (kept in storage, so a restart does not move it).
    pub first_epoch: Option<u64>,
    pub push: PushPolicy,
    pub upkeep: UpkeepPolicy,
}

/// The crank's keys.
pub struct CrankKeys {
    /// An oracle member of the network: creates ledger pages, posts and
    /// approves roots.
    pub oracle: Keypair,
    /// Owns `treasury_account`: funds the distributor.
    pub treasury: Keypair,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Crashed(#[from] Crashed),
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("chain: {0}")]
    Chain(#[from] ClientError),
    #[error("epoch {epoch}: {message}")]
    Invalid { epoch: u64, message: String },
}

pub type PipelineResult<T> = Result<T, PipelineError>;

/// Where [`Pipeline::tick`] stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Epoch `epoch` cannot go further yet (its end, approvals, the
    /// challenge period): `reason` says what it waits for.
    Waiting { epoch: u64, reason: String },
}

/// One step's outcome.
pub(crate) enum StepOutcome {
    /// Done: record this result (and state) now.
    Done {
        result: serde_json::Value,
        state: Vec<(String, Vec<u8>)>,
        sent: bool,
    },
    /// Not possible yet; retry on a later tick.
    Wait(String),
}

impl StepOutcome {
    pub(crate) fn done(result: serde_json::Value) -> Self {
        StepOutcome::Done {
            result,
            state: vec![],
            sent: false,
        }
    }
}

/// The epoch pipeline of one network, over a cluster and a storage.
pub struct Pipeline<C: Cluster> {
    pub(crate) cluster: C,
    pub(crate) storage: Arc<dyn Storage>,
    pub(crate) config: PipelineConfig,
    pub(crate) keys: CrankKeys,
    pub(crate) role: Role,
    pub(crate) faults: Faults,
    pub(crate) schedule: EpochSchedule,
}

impl<C: Cluster> Pipeline<C> {
    /// Reads the network's epoch schedule from the chain.
    pub async fn new(
        cluster: C,
        storage: Arc<dyn Storage>,
        config: PipelineConfig,
        keys: CrankKeys,
        role: Role,
        faults: Faults,
    ) -> PipelineResult<Self> {
        let network = registry::network(&cluster, &config.network).await?;
        Ok(Pipeline {
            schedule: EpochSchedule::of(&network),
            cluster,
            storage,
            config,
            keys,
            role,
            faults,
        })
    }

    pub fn schedule(&self) -> EpochSchedule {
        self.schedule
    }

    pub fn cluster(&self) -> &C {
        &self.cluster
    }

    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }

    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    /// The oracle key's address (it also pays the crank's fees).
    pub fn oracle(&self) -> Pubkey {
        use depin_client::Signer;
        self.keys.oracle.pubkey()
    }

    pub fn steps(&self) -> &'static [&'static str] {
        match self.role {
            Role::Primary => &PRIMARY_STEPS,
            Role::Verifier { .. } => &VERIFIER_STEPS,
        }
    }

    /// The first epoch not yet through every step.
    pub async fn current_epoch(&self) -> PipelineResult<u64> {
        let network = self.config.network.to_bytes();
        if let Some(next) = self.storage.get_state(&network, NEXT_EPOCH)? {
            return records::decode_u64(&next, NEXT_EPOCH);
        }
        let first = match self.config.first_epoch {
            Some(first) => first.max(1),
            None => {
                let now = self.cluster.unix_timestamp().await?;
                self.schedule.epoch_at(now).unwrap_or(1)
            }
        };
        self.storage
            .put_state(&network, NEXT_EPOCH, first.to_string().as_bytes())?;
        Ok(first)
    }

    /// Runs every step that can run now, epoch after epoch, and returns
    /// where it had to stop.
    pub async fn tick(&self) -> PipelineResult<Progress> {
        loop {
            let epoch = self.current_epoch().await?;
            if let Some(reason) = self.run_epoch(epoch).await? {
                return Ok(Progress::Waiting { epoch, reason });
            }
        }
    }

    /// Runs epoch `epoch`'s remaining steps; `Some(reason)` if one must wait.
    async fn run_epoch(&self, epoch: u64) -> PipelineResult<Option<String>> {
        let network = self.config.network.to_bytes();
        let done = self.storage.completed_steps(&network, epoch)?;
        let steps = self.steps();
        for (position, step) in steps.iter().enumerate() {
            if done.iter().any(|d| d == step) {
                continue;
            }
            self.faults.reach(Moment::Before, step)?;
            let outcome = self.run_step(step, epoch).await?;
            let StepOutcome::Done {
                result,
                mut state,
                sent,
            } = outcome
            else {
                let StepOutcome::Wait(reason) = outcome else {
                    unreachable!()
                };
                return Ok(Some(reason));
            };
            if sent {
                self.faults.reach(Moment::Sent, step)?;
            }
            if position + 1 == steps.len() {
                state.push((NEXT_EPOCH.into(), (epoch + 1).to_string().into_bytes()));
            }
            self.storage.record_step(&StepWrite {
                network,
                epoch,
                step: (*step).into(),
                result: serde_json::to_vec(&result).expect("JSON values serialize"),
                state,
            })?;
            tracing::info!(epoch, step, "step recorded");
            self.faults.reach(Moment::After, step)?;
        }
        Ok(None)
    }

    async fn run_step(&self, step: &str, epoch: u64) -> PipelineResult<StepOutcome> {
        match step {
            "pull" => self.pull(epoch).await,
            "freeze" => self.freeze(epoch).await,
            "score" => self.score(epoch).await,
            "tree" => self.tree(epoch).await,
            "pages" => self.pages(epoch).await,
            "fund" => self.fund(epoch).await,
            "post_root" => self.post_root(epoch).await,
            "activate" => self.activate(epoch).await,
            "push_claims" => self.push_claims(epoch).await,
            "upkeep" => self.upkeep(epoch).await,
            "approve" => self.approve(epoch).await,
            other => Err(PipelineError::Invalid {
                epoch,
                message: format!("unknown step {other:?}"),
            }),
        }
    }

    pub(crate) fn window(&self, epoch: u64) -> PipelineResult<EpochWindow> {
        self.schedule
            .window(epoch)
            .ok_or_else(|| PipelineError::Invalid {
                epoch,
                message: "outside the network's epoch schedule".into(),
            })
    }

    /// Closes the epoch to new reports once its grace period is over.
    async fn freeze(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let closes_at = self.window(epoch)?.end + i64::from(self.config.grace_secs);
        let now = self.cluster.unix_timestamp().await?;
        if now < closes_at {
            return Ok(StepOutcome::Wait(format!(
                "the epoch's reports close at {closes_at} (chain time now {now})"
            )));
        }
        let network = self.config.network.to_bytes();
        self.storage.freeze_epoch(&network, epoch)?;
        let reports = self.storage.reports_for_epoch(&network, epoch)?.len();
        let conflicts = self.storage.conflicts(&network, epoch)?.len();
        Ok(StepOutcome::done(
            serde_json::json!({ "reports": reports, "conflicts": conflicts, "closed_at": now }),
        ))
    }

    /// The cumulative ledger as the last recorded step left it.
    pub(crate) fn ledger(&self) -> PipelineResult<Ledger> {
        let network = self.config.network.to_bytes();
        match self.storage.get_state(&network, LEDGER)? {
            Some(bytes) => records::decode_json(&bytes, LEDGER),
            None => Ok(Ledger::new()),
        }
    }

    /// A recorded step's result, decoded.
    pub(crate) fn recorded<T: serde::de::DeserializeOwned>(
        &self,
        epoch: u64,
        step: &str,
    ) -> PipelineResult<T> {
        let network = self.config.network.to_bytes();
        let bytes = self
            .storage
            .step_result(&network, epoch, step)?
            .ok_or_else(|| PipelineError::Invalid {
                epoch,
                message: format!("step {step} is not recorded"),
            })?;
        records::decode_json(&bytes, step)
    }
}
