//! Upkeep after each epoch: apply the staking pool's finished lock-ups,
//! fund its rewards through the next epoch, and close offerings past their
//! deadline. Each part reads the chain first (a bucket applied, a stream
//! funded to the next epoch's end, an offering closed are not done again).

use depin_client::{fractional, staking, ClientError, Cluster, Signer};
use depin_fractional::state::OfferingState;
use serde::{Deserialize, Serialize};

use super::{Pipeline, PipelineResult, StepOutcome};

/// What upkeep does besides applying finished lock-ups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UpkeepPolicy {
    /// Staking rewards (pool reward mint base units, paid from the treasury
    /// account) streamed over each epoch; 0 funds nothing.
    pub staking_reward_per_epoch: u64,
    /// Close the network's offerings whose deadline passed.
    pub close_offerings: bool,
}

/// The upkeep step's record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpkeepRecord {
    /// `apply_boost_ends` transactions sent (finished lock-ups applied).
    pub lockup_transactions: u32,
    /// Staking rewards funded for the next epoch.
    pub staking_funded: u64,
    pub offerings_closed: u32,
    /// Why a part was left out, e.g. a cluster that cannot list offerings.
    pub notes: Vec<String>,
}

impl<C: Cluster> Pipeline<C> {
    pub(crate) async fn upkeep(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let mut record = UpkeepRecord::default();
        let cluster = &self.cluster;
        let network = &self.config.network;
        let pool_exists = cluster
            .get_account(&staking::pool_address(network))
            .await?
            .is_some();
        if pool_exists {
            for (_, ix) in staking::due_boost_end_instructions(cluster, network).await? {
                cluster.send(&[ix], &[]).await?;
                record.lockup_transactions += 1;
            }
            record.staking_funded = self.fund_staking(epoch).await?;
        } else if self.config.upkeep.staking_reward_per_epoch > 0 {
            record.notes.push("no staking pool: nothing funded".into());
        }
        if self.config.upkeep.close_offerings {
            self.close_offerings(&mut record).await?;
        }
        let sent = record.lockup_transactions > 0
            || record.staking_funded > 0
            || record.offerings_closed > 0;
        Ok(StepOutcome::Done {
            result: serde_json::to_value(record).expect("serializes"),
            state: vec![],
            sent,
        })
    }

    /// Streams the per-epoch staking reward until the next epoch's end,
    /// unless the pool is already funded that far.
    async fn fund_staking(&self, epoch: u64) -> PipelineResult<u64> {
        let amount = self.config.upkeep.staking_reward_per_epoch;
        if amount == 0 {
            return Ok(0);
        }
        let cluster = &self.cluster;
        let network = &self.config.network;
        let until = self.window(epoch + 1)?.end;
        let pool = staking::pool(cluster, network).await?;
        let now = cluster.unix_timestamp().await?;
        if pool.stream_period_end >= until || now >= until {
            return Ok(0);
        }
        let treasury = &self.keys.treasury;
        let ix = staking::fund_rewards(
            cluster,
            &treasury.pubkey(),
            network,
            &self.config.treasury_account,
            amount,
            until - now,
        )
        .await?;
        cluster.send(&[ix], &[treasury]).await?;
        Ok(amount)
    }

    async fn close_offerings(&self, record: &mut UpkeepRecord) -> PipelineResult<()> {
        let cluster = &self.cluster;
        let offerings = match fractional::offerings(cluster, None).await {
            Ok(all) => all,
            Err(ClientError::Unsupported { what, cluster }) => {
                record.notes.push(format!(
                    "offerings not closed: {what} is not possible on {cluster}"
                ));
                return Ok(());
            }
            Err(other) => return Err(other.into()),
        };
        let now = cluster.unix_timestamp().await?;
        let payer = cluster.payer().pubkey();
        for (address, offering) in offerings {
            if offering.state != OfferingState::Open || offering.deadline > now {
                continue;
            }
            let (_, asset) = fractional::resolve_asset(cluster, &offering.asset).await?;
            if asset.network != self.config.network {
                continue;
            }
            let close =
                fractional::close_offering_instructions(cluster, &payer, &address, None).await?;
            cluster.send(&close.instructions, &[]).await?;
            record.offerings_closed += 1;
        }
        Ok(())
    }
}
