//! The score and tree steps: the epoch's counted reports plus what the chain
//! says about each device become the scoring inputs; the scores update the
//! cumulative ledger; the ledger becomes the root to post.

use std::collections::{BTreeMap, HashMap};

use anchor_lang::prelude::Pubkey;
use depin_client::rewards::RewardTree;
use depin_client::{staking, ClientError, Cluster};
use depin_registry::state::{Device, DeviceStatus};
use depin_scoring::{score, DeviceWork, Key, Ledger, OperatorStatus};

use super::records::{encode_json, ScoreRecord, TreeRecord};
use super::{Pipeline, PipelineError, PipelineResult, StepOutcome, LEDGER};

impl<C: Cluster> Pipeline<C> {
    /// Scores the frozen epoch and applies it to the ledger, atomically.
    pub(crate) async fn score(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let network = self.config.network.to_bytes();
        let mut work: BTreeMap<Pubkey, u64> = BTreeMap::new();
        for stored in self.storage.reports_for_epoch(&network, epoch)? {
            let total = work
                .entry(Pubkey::new_from_array(stored.report.device))
                .or_default();
            *total = total.checked_add(stored.report.energy_wh).ok_or_else(|| {
                PipelineError::Invalid {
                    epoch,
                    message: "a device's energy overflows u64".into(),
                }
            })?;
        }
        let devices = self.device_work(epoch, work).await?;
        let mut ledger = self.ledger()?;
        let inputs = ledger.inputs_for(epoch, devices);
        let scores = score(&self.config.scoring, &inputs).map_err(|e| invalid(epoch, e))?;
        ledger.apply(&scores).map_err(|e| invalid(epoch, e))?;
        let record = ScoreRecord { inputs, scores };
        Ok(StepOutcome::Done {
            result: serde_json::to_value(&record).expect("records serialize"),
            state: vec![(LEDGER.into(), encode_json(&ledger))],
            sent: false,
        })
    }

    /// Reads each reporting device (and its operator's bond) from the chain.
    async fn device_work(
        &self,
        epoch: u64,
        work: BTreeMap<Pubkey, u64>,
    ) -> PipelineResult<Vec<DeviceWork>> {
        let window = self.window(epoch)?;
        let network = &self.config.network;
        let keys: Vec<Pubkey> = work.keys().copied().collect();
        let addresses: Vec<Pubkey> = keys
            .iter()
            .map(|key| depin_registry::pda::device(network, key).0)
            .collect();
        let accounts = self.cluster.get_multiple_accounts(&addresses).await?;
        let mut stored = Vec::with_capacity(keys.len());
        for ((key, address), account) in keys.iter().zip(&addresses).zip(accounts) {
            // A device closed since it reported earns nothing: nobody to pay.
            let Some(account) = account else { continue };
            stored.push((*key, decode_device(address, &account.data)?));
        }
        let payees = self.payees(&stored).await?;
        let mut eligible: HashMap<Pubkey, bool> = HashMap::new();
        let mut devices = Vec::with_capacity(stored.len());
        for (key, device) in &stored {
            let operator = if device.operator == Pubkey::default() {
                None
            } else {
                let operator = device.operator;
                let is_eligible = match eligible.get(&operator) {
                    Some(known) => *known,
                    None => {
                        let known =
                            staking::is_eligible_operator(&self.cluster, network, &operator)
                                .await?;
                        eligible.insert(operator, known);
                        known
                    }
                };
                Some(OperatorStatus {
                    key: Key(operator.to_bytes()),
                    eligible: is_eligible,
                })
            };
            devices.push(DeviceWork {
                device: Key(key.to_bytes()),
                owner: Key(payees[&device.owner].to_bytes()),
                operator,
                work_wh: work[key],
                active_through_epoch: device.status == DeviceStatus::Active
                    && i64::from(device.registered_at) <= window.start,
            });
        }
        Ok(devices)
    }

    /// Who is paid for each device owner: the owner itself, except that a
    /// tokenized device's record belongs to its asset (a PDA that cannot
    /// spend tokens), whose rewards go to the asset's manager
    /// (`Asset::authority`), who holds its proceeds.
    async fn payees(
        &self,
        devices: &[(Pubkey, Device)],
    ) -> PipelineResult<HashMap<Pubkey, Pubkey>> {
        let owners: Vec<Pubkey> = devices
            .iter()
            .map(|(_, device)| device.owner)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let accounts = self.cluster.get_multiple_accounts(&owners).await?;
        let mut payees = HashMap::with_capacity(owners.len());
        for (owner, account) in owners.into_iter().zip(accounts) {
            let manager = account
                .filter(|account| account.owner == depin_fractional::ID)
                .and_then(|account| {
                    use anchor_lang::AccountDeserialize;
                    depin_fractional::state::Asset::try_deserialize(&mut &account.data[..]).ok()
                })
                .map(|asset| asset.authority);
            payees.insert(owner, manager.unwrap_or(owner));
        }
        Ok(payees)
    }

    /// The root of the ledger after this epoch; none if nothing new was paid.
    pub(crate) async fn tree(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let scored: ScoreRecord = self.recorded(epoch, "score")?;
        let ledger = self.ledger()?;
        let record = if scored.scores.paid() == 0 || ledger.is_empty() {
            TreeRecord {
                epoch,
                root: None,
                cumulative_total: 0,
                recipient_count: 0,
            }
        } else {
            let tree = reward_tree(&self.config.distributor, &ledger);
            TreeRecord::of(&tree.post_root_args(epoch))
        };
        Ok(StepOutcome::done(
            serde_json::to_value(&record).expect("records serialize"),
        ))
    }
}

/// The reward tree of a ledger: leaf `i` is the ledger's leaf `i`.
pub fn reward_tree(distributor: &Pubkey, ledger: &Ledger) -> RewardTree {
    let entries = ledger
        .leaves()
        .iter()
        .map(|leaf| {
            (
                Pubkey::new_from_array(leaf.recipient.to_bytes()),
                leaf.cumulative_amount,
            )
        })
        .collect();
    RewardTree::new(*distributor, entries)
}

fn decode_device(address: &Pubkey, data: &[u8]) -> PipelineResult<Device> {
    use anchor_lang::AccountDeserialize;
    Device::try_deserialize(&mut &data[..]).map_err(|e| {
        PipelineError::Chain(ClientError::Decode {
            address: *address,
            expected: "Device",
            reason: e.to_string(),
        })
    })
}

fn invalid(epoch: u64, error: impl std::fmt::Display) -> PipelineError {
    PipelineError::Invalid {
        epoch,
        message: error.to_string(),
    }
}
