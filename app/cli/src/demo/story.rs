//! The demo's actors and its step log.

use anyhow::{Context, Result};
use depin_client::local::LocalCluster;
use depin_client::{Cluster, Instruction, Keypair, Pubkey, Sent, Signer};

use crate::table::{short, Table};

pub struct Story {
    /// Shared with the in-process crank's ingest (the crank chapter).
    pub cluster: std::sync::Arc<LocalCluster>,
    pub steps: Table,
    /// The same steps for `--output json`: `{"step", "signature",
    /// "compute_units"}` (null where nothing was sent, or natively).
    pub log: Vec<serde_json::Value>,
}

impl Story {
    pub fn note(&mut self, what: &str) {
        self.steps
            .row(vec![what.to_string(), "-".into(), "-".into()]);
        self.log.push(serde_json::json!({
            "step": what, "signature": null, "compute_units": null,
        }));
    }

    pub async fn step(
        &mut self,
        what: &str,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent> {
        let sent = self
            .cluster
            .send(ixs, signers)
            .await
            .with_context(|| format!("step failed: {what}"))?;
        let cu = if self.cluster.mode().is_sbf() {
            sent.compute_units.to_string()
        } else {
            "-".into()
        };
        self.steps
            .row(vec![what.to_string(), short(&sent.signature), cu]);
        let sbf = self.cluster.mode().is_sbf();
        self.log.push(serde_json::json!({
            "step": what,
            "signature": sent.signature.to_string(),
            "compute_units": sbf.then_some(sent.compute_units),
        }));
        Ok(sent)
    }
}

pub struct Actor {
    pub name: &'static str,
    pub key: Keypair,
}

/// Everyone in the story.
pub struct Cast {
    pub operator: Actor,
    pub ops: Actor,
    pub oracle: Actor,
    pub compliance: Actor,
    pub maker: Actor,
    pub owners: [Actor; 4],
    /// Pays for energy (the pay chapter).
    pub customer: Actor,
}

impl Cast {
    pub fn new() -> Self {
        let actor = |name| Actor {
            name,
            key: Keypair::new(),
        };
        Cast {
            operator: actor("network operator"),
            ops: actor("ops lead"),
            oracle: actor("crank / oracle"),
            compliance: actor("compliance officer"),
            maker: actor("Acme Batteries (maker)"),
            owners: [actor("alice"), actor("bob"), actor("carol"), actor("dave")],
            customer: actor("erin"),
        }
    }

    pub fn members(&self) -> [&Actor; 4] {
        [&self.operator, &self.ops, &self.oracle, &self.compliance]
    }

    pub fn name_of(&self, key: &Pubkey) -> String {
        if *key == Pubkey::default() {
            return "-".into();
        }
        self.members()
            .into_iter()
            .chain(&self.owners)
            .chain([&self.customer])
            .find(|a| a.key.pubkey() == *key)
            .map(|a| a.name.to_string())
            .unwrap_or_else(|| short(key))
    }
}
