//! What the proofs API serves: the claimable root's tree, held in memory so
//! a proof is a lookup and a path, and what each leaf has claimed on chain
//! (refreshed in the background, with the time it was read).
//!
//! `GET /v1/rewards/{recipient}` answers in the proofs-file shape
//! (`depin_client::rewards::Proofs`), with one claim, plus the recipient's
//! own figures; so `depin rewards claim --proofs URL` takes the URL as is.

use std::sync::{Arc, RwLock};

use anchor_lang::prelude::Pubkey;
use depin_client::rewards::{hex32, RewardTree};
use depin_client::Cluster;
use depin_scoring::{Key, Ledger};
use serde_json::{json, Value};

use crate::epoch::records::decode_json;
use crate::epoch::{claimed_by_leaf, reward_tree, ActiveTree, PipelineResult, ACTIVE_EPOCH};
use crate::storage::Storage;

/// The claimable root's tree.
struct Loaded {
    epoch: u64,
    tree: RewardTree,
    ledger: Ledger,
    /// The root's content, computed once (its total sums every leaf).
    content: depin_client::rewards::RootContent,
}

/// On-chain claimed amounts by leaf index, as read at `as_of` (chain time).
#[derive(Default)]
struct Claimed {
    by_leaf: Vec<u64>,
    as_of: Option<i64>,
}

pub struct ProofBook {
    storage: Arc<dyn Storage>,
    network: Pubkey,
    distributor: Pubkey,
    loaded: RwLock<Option<Arc<Loaded>>>,
    claimed: RwLock<Claimed>,
}

/// Why a reward cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofMiss {
    /// No root is claimable yet.
    NoActiveRoot,
    /// The recipient has no leaf in the claimable root.
    UnknownRecipient,
}

impl ProofBook {
    pub fn new(storage: Arc<dyn Storage>, network: Pubkey, distributor: Pubkey) -> Self {
        ProofBook {
            storage,
            network,
            distributor,
            loaded: RwLock::new(None),
            claimed: RwLock::new(Claimed::default()),
        }
    }

    /// The epoch of the tree being served.
    pub fn epoch(&self) -> Option<u64> {
        self.read_loaded().map(|loaded| loaded.epoch)
    }

    /// Loads the claimable root's tree if storage has a newer one than the
    /// one served. Cheap when nothing changed (one small read).
    pub fn reload(&self) -> PipelineResult<Option<u64>> {
        let network = self.network.to_bytes();
        let Some(epoch) = self.storage.get_state(&network, ACTIVE_EPOCH)? else {
            return Ok(None);
        };
        let epoch = crate::epoch::records::decode_u64(&epoch, ACTIVE_EPOCH)?;
        if self.epoch() == Some(epoch) {
            return Ok(Some(epoch));
        }
        let Some(bytes) = self
            .storage
            .get_state(&network, crate::epoch::ACTIVE_TREE)?
        else {
            return Ok(None);
        };
        let active: ActiveTree = decode_json(&bytes, crate::epoch::ACTIVE_TREE)?;
        let tree = reward_tree(&self.distributor, &active.ledger);
        let content = tree.content(active.tree.epoch);
        let loaded = Loaded {
            epoch: active.tree.epoch,
            tree,
            ledger: active.ledger,
            content,
        };
        *self.loaded.write().expect("proof book lock") = Some(Arc::new(loaded));
        Ok(Some(epoch))
    }

    /// Reads what every leaf has claimed from the chain.
    pub async fn refresh_claimed(&self, cluster: &impl Cluster) -> PipelineResult<()> {
        let Some(loaded) = self.read_loaded() else {
            return Ok(());
        };
        let leaves = loaded.ledger.len();
        let by_leaf = claimed_by_leaf(cluster, &self.distributor, leaves).await?;
        let as_of = cluster.unix_timestamp().await?;
        *self.claimed.write().expect("proof book lock") = Claimed {
            by_leaf,
            as_of: Some(as_of),
        };
        Ok(())
    }

    fn read_loaded(&self) -> Option<Arc<Loaded>> {
        self.loaded.read().expect("proof book lock").clone()
    }

    /// `recipient`'s leaf, amounts and proof in the claimable root.
    pub fn reward(&self, recipient: &Pubkey) -> Result<Value, ProofMiss> {
        let loaded = self.read_loaded().ok_or(ProofMiss::NoActiveRoot)?;
        let leaf = loaded
            .ledger
            .get(&Key(recipient.to_bytes()))
            .ok_or(ProofMiss::UnknownRecipient)?;
        let args = loaded
            .tree
            .claim_args_at(leaf.index)
            .ok_or(ProofMiss::UnknownRecipient)?;
        let (claimed, as_of) = {
            let claimed = self.claimed.read().expect("proof book lock");
            let amount = claimed.by_leaf.get(leaf.index as usize).copied();
            (amount, claimed.as_of)
        };
        let proof: Vec<String> = args.proof.iter().map(hex32).collect();
        let content = &loaded.content;
        Ok(json!({
            "distributor": self.distributor.to_string(),
            "epoch": loaded.epoch,
            "root": hex32(&content.root),
            "cumulative_total": content.cumulative_total,
            "recipient_count": content.recipient_count,
            "claims": { recipient.to_string(): {
                "index": leaf.index,
                "amount": leaf.cumulative_amount,
                "proof": proof,
            }},
            "recipient": recipient.to_string(),
            "index": leaf.index,
            "cumulative_amount": leaf.cumulative_amount,
            "claimed": claimed,
            "claimable": claimed.map(|c| leaf.cumulative_amount.saturating_sub(c)),
            "claimed_as_of": as_of,
        }))
    }
}

/// `GET /v1/epochs/{n}`: what each recorded step of epoch `n` produced;
/// `None` if the epoch has no recorded step.
pub fn epoch_summary(
    storage: &dyn Storage,
    network: &Pubkey,
    epoch: u64,
) -> PipelineResult<Option<Value>> {
    let key = network.to_bytes();
    let steps = storage.completed_steps(&key, epoch)?;
    if steps.is_empty() {
        return Ok(None);
    }
    let mut results = serde_json::Map::new();
    for step in &steps {
        let Some(bytes) = storage.step_result(&key, epoch, step)? else {
            continue;
        };
        let mut value: Value = decode_json(&bytes, step)?;
        // The score record carries every device's inputs: summarize it.
        if step == "score" {
            value = score_summary(&value);
        }
        results.insert(step.clone(), value);
    }
    Ok(Some(json!({
        "epoch": epoch,
        "frozen": storage.is_frozen(&key, epoch)?,
        "steps": steps,
        "results": results,
    })))
}

fn score_summary(record: &Value) -> Value {
    let scores = &record["scores"];
    let devices = scores["devices"].as_array().map_or(0, Vec::len);
    let counted = scores["devices"].as_array().map_or(0, |d| {
        d.iter().filter(|d| d["outcome"] == "Counted").count()
    });
    let paid: u64 = scores["payouts"]
        .as_array()
        .map_or(0, |p| p.iter().filter_map(|p| p["amount"].as_u64()).sum());
    json!({
        "emission": scores["emission"],
        "carried_in": scores["carried_in"],
        "devices": devices,
        "devices_counted": counted,
        "recipients_paid": scores["payouts"].as_array().map_or(0, Vec::len),
        "paid": paid,
        "remainder": scores["remainder"],
    })
}
