//! The on-chain steps of the primary: ledger pages, funding, the root, its
//! activation. Each reads the chain first and sends only what is missing.

use depin_client::rewards::{self, PostRootArgs, ProposalStatus};
use depin_client::{token, Cluster, Signer};
use depin_rewards::pda;

use super::records::{encode_json, ActiveTree, TreeRecord};
use super::{Pipeline, PipelineError, PipelineResult, StepOutcome, ACTIVE_EPOCH, ACTIVE_TREE};

/// Ledger pages created per transaction (each is a ~8 KB account).
const PAGES_PER_TRANSACTION: usize = 2;

impl<C: Cluster> Pipeline<C> {
    /// The epoch's root, if it has one to post.
    pub(crate) fn root_to_post(&self, epoch: u64) -> PipelineResult<Option<PostRootArgs>> {
        let record: TreeRecord = self.recorded(epoch, "tree")?;
        record.post_root_args()
    }

    /// Creates the ledger pages the root's recipients need and the
    /// distributor lacks.
    pub(crate) async fn pages(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let Some(args) = self.root_to_post(epoch)? else {
            return Ok(StepOutcome::done(serde_json::json!({ "created": 0 })));
        };
        let distributor = rewards::distributor(&self.cluster, &self.config.distributor).await?;
        let needed = rewards::pages_for(args.recipient_count);
        let oracle = &self.keys.oracle;
        let payer = self.cluster.payer().pubkey();
        let missing: Vec<u32> = (distributor.ledger_pages..needed).collect();
        for chunk in missing.chunks(PAGES_PER_TRANSACTION) {
            let instructions: Vec<_> = chunk
                .iter()
                .map(|page| {
                    rewards::create_ledger_page(
                        &payer,
                        &oracle.pubkey(),
                        &self.config.network,
                        &self.config.distributor,
                        *page,
                    )
                })
                .collect();
            self.cluster.send(&instructions, &[oracle]).await?;
        }
        Ok(StepOutcome::Done {
            result: serde_json::json!({ "created": missing.len(), "pages": needed }),
            state: vec![],
            sent: !missing.is_empty(),
        })
    }

    /// Tops the vault up so that it covers the root's cumulative total.
    pub(crate) async fn fund(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let Some(args) = self.root_to_post(epoch)? else {
            return Ok(StepOutcome::done(serde_json::json!({ "funded": 0 })));
        };
        let address = self.config.distributor;
        let distributor = rewards::distributor(&self.cluster, &address).await?;
        let vault = token::balance(&self.cluster, &pda::vault(&address).0).await?;
        let covered = vault.saturating_add(distributor.total_claimed);
        let shortfall = args.cumulative_total.saturating_sub(covered);
        if shortfall > 0 {
            let treasury = &self.keys.treasury;
            let ix = rewards::fund(
                &treasury.pubkey(),
                &address,
                &self.config.treasury_account,
                shortfall,
            );
            self.cluster.send(&[ix], &[treasury]).await?;
        }
        Ok(StepOutcome::Done {
            result: serde_json::json!({ "funded": shortfall, "vault_before": vault }),
            state: vec![],
            sent: shortfall > 0,
        })
    }

    /// Proposes the root, unless it is already proposed (by this oracle) or
    /// already the distributor's root.
    pub(crate) async fn post_root(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let Some(args) = self.root_to_post(epoch)? else {
            return Ok(StepOutcome::done(serde_json::json!({ "posted": false })));
        };
        let cluster = &self.cluster;
        let distributor = rewards::distributor(cluster, &self.config.distributor).await?;
        if distributor.epoch >= epoch {
            return Ok(StepOutcome::done(
                serde_json::json!({ "posted": false, "already": "active" }),
            ));
        }
        let proposal = rewards::root_proposal(cluster, &self.config.distributor).await?;
        let oracle = &self.keys.oracle;
        let open = matches!(
            proposal.status,
            ProposalStatus::Pending | ProposalStatus::Approved
        );
        if open && proposal.content == args.content() && proposal.has_approved(&oracle.pubkey()) {
            return Ok(StepOutcome::done(
                serde_json::json!({ "posted": false, "already": "proposed" }),
            ));
        }
        let ix = rewards::post_root(
            &oracle.pubkey(),
            &self.config.network,
            &self.config.distributor,
            args,
        );
        let sent = cluster.send(&[ix], &[oracle]).await?;
        Ok(StepOutcome::Done {
            result: serde_json::json!({ "posted": true, "signature": sent.signature.to_string() }),
            state: vec![],
            sent: true,
        })
    }

    /// Makes the root claimable once approved and past its challenge
    /// period, and hands its tree to the proofs API.
    pub(crate) async fn activate(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let Some(args) = self.root_to_post(epoch)? else {
            return Ok(StepOutcome::done(serde_json::json!({ "activated": false })));
        };
        let cluster = &self.cluster;
        let address = self.config.distributor;
        let distributor = rewards::distributor(cluster, &address).await?;
        let active = ActiveTree {
            tree: TreeRecord::of(&args),
            ledger: self.ledger()?,
        };
        let state = vec![
            (ACTIVE_TREE.to_string(), encode_json(&active)),
            (ACTIVE_EPOCH.to_string(), epoch.to_string().into_bytes()),
        ];
        if distributor.epoch >= epoch {
            return Ok(StepOutcome::Done {
                result: serde_json::json!({ "activated": true, "by": "already" }),
                state,
                sent: false,
            });
        }
        let proposal = rewards::root_proposal(cluster, &address).await?;
        if proposal.content != args.content() {
            return Err(PipelineError::Invalid {
                epoch,
                message: format!(
                    "the distributor's proposal (epoch {}, status {:?}) is not this epoch's root: \
                     vetoed or replaced; an operator must look",
                    proposal.content.epoch, proposal.status
                ),
            });
        }
        match proposal.status {
            ProposalStatus::Pending => {
                return Ok(StepOutcome::Wait(format!(
                    "approvals: {} of {}",
                    proposal.approval_count, proposal.approvals_needed
                )))
            }
            ProposalStatus::Approved => {}
            status => {
                return Err(PipelineError::Invalid {
                    epoch,
                    message: format!("the root's proposal is {status:?}"),
                })
            }
        }
        let now = cluster.unix_timestamp().await?;
        let claimable_at = proposal.claimable_at();
        if now < claimable_at {
            return Ok(StepOutcome::Wait(format!(
                "challenge period until {claimable_at} (chain time now {now})"
            )));
        }
        cluster
            .send(&[rewards::activate_root(&address)], &[])
            .await?;
        Ok(StepOutcome::Done {
            result: serde_json::json!({ "activated": true, "by": "crank" }),
            state,
            sent: true,
        })
    }
}
