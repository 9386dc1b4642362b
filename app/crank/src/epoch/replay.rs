//! `depin-crank replay-epoch N`: recompute epoch N from what storage holds
//! (the reports, each epoch's recorded inputs) and compare it with what was
//! recorded and posted. Read-only.

use std::collections::BTreeMap;

use depin_client::rewards::{self, hex32};
use depin_client::Cluster;
use depin_scoring::{score, Ledger};
use serde::Serialize;

use super::records::{ScoreRecord, TreeRecord};
use super::{reward_tree, Pipeline, PipelineError, PipelineResult};

/// What the replay found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Replay {
    pub epoch: u64,
    /// The first epoch this crank scored (replayed from there).
    pub from_epoch: u64,
    pub root_recomputed: Option<String>,
    pub root_recorded: Option<String>,
    /// The distributor's root if it is this epoch's, else the open
    /// proposal's if it is for this epoch.
    pub root_on_chain: Option<String>,
    /// Every difference found; empty when all agree.
    pub differences: Vec<String>,
    /// Facts that are not differences (a device closed after reporting
    /// earns nothing and is absent from the inputs).
    pub notes: Vec<String>,
}

impl Replay {
    pub fn matches(&self) -> bool {
        self.differences.is_empty()
    }
}

impl<C: Cluster> Pipeline<C> {
    pub async fn replay_epoch(&self, epoch: u64) -> PipelineResult<Replay> {
        let network = self.config.network.to_bytes();
        let has_score = |e: u64| -> PipelineResult<bool> {
            Ok(self.storage.step_result(&network, e, "score")?.is_some())
        };
        if !has_score(epoch)? {
            return Err(PipelineError::Invalid {
                epoch,
                message: "not scored by this crank yet (see `depin-crank status`)".into(),
            });
        }
        let mut from_epoch = epoch;
        while from_epoch > 1 && has_score(from_epoch - 1)? {
            from_epoch -= 1;
        }
        let mut replay = Replay {
            epoch,
            from_epoch,
            ..Replay::default()
        };
        let mut ledger = Ledger::new();
        for e in from_epoch..=epoch {
            let record: ScoreRecord = self.recorded(e, "score")?;
            self.compare_work(e, &record, &mut replay)?;
            match score(&self.config.scoring, &record.inputs) {
                Ok(scores) if scores == record.scores => {}
                Ok(_) => replay.differences.push(format!(
                    "epoch {e}: the scores differ from the recorded ones (scoring config changed?)"
                )),
                Err(error) => replay
                    .differences
                    .push(format!("epoch {e}: cannot score: {error}")),
            }
            if let Err(error) = ledger.apply(&record.scores) {
                replay
                    .differences
                    .push(format!("epoch {e}: ledger: {error}"));
                return Ok(replay);
            }
        }
        let tree: TreeRecord = self.recorded(epoch, "tree")?;
        replay.root_recorded = tree.root.clone();
        if tree.root.is_some() {
            let recomputed = reward_tree(&self.config.distributor, &ledger);
            replay.root_recomputed = Some(hex32(&recomputed.root()));
        }
        if replay.root_recomputed != replay.root_recorded {
            replay
                .differences
                .push("the recomputed root differs from the recorded one".into());
        }
        replay.root_on_chain = self.root_on_chain(epoch).await?;
        if replay.root_recorded.is_some()
            && replay.root_on_chain.is_some()
            && replay.root_on_chain != replay.root_recorded
        {
            replay
                .differences
                .push("the root on chain differs from the recorded one".into());
        }
        Ok(replay)
    }

    /// Each device's energy summed from the stored reports against the
    /// recorded inputs.
    fn compare_work(
        &self,
        epoch: u64,
        record: &ScoreRecord,
        replay: &mut Replay,
    ) -> PipelineResult<()> {
        let network = self.config.network.to_bytes();
        let mut summed: BTreeMap<[u8; 32], u64> = BTreeMap::new();
        for stored in self.storage.reports_for_epoch(&network, epoch)? {
            *summed.entry(stored.report.device).or_default() += stored.report.energy_wh;
        }
        for device in &record.inputs.devices {
            let from_reports = summed.remove(&device.device.to_bytes()).unwrap_or(0);
            if from_reports != device.work_wh {
                replay.differences.push(format!(
                    "epoch {epoch}: device {} has {from_reports} Wh in its reports, {} Wh was scored",
                    device.device, device.work_wh
                ));
            }
        }
        for device in summed.keys() {
            replay.notes.push(format!(
                "epoch {epoch}: device {} reported but was not scored (closed before the epoch closed)",
                depin_scoring::Key(*device)
            ));
        }
        Ok(())
    }

    async fn root_on_chain(&self, epoch: u64) -> PipelineResult<Option<String>> {
        let distributor = rewards::distributor(&self.cluster, &self.config.distributor).await?;
        if distributor.epoch == epoch {
            return Ok(Some(hex32(&distributor.root)));
        }
        let proposal = rewards::root_proposal(&self.cluster, &self.config.distributor).await?;
        Ok((proposal.content.epoch == epoch).then(|| hex32(&proposal.content.root)))
    }
}
