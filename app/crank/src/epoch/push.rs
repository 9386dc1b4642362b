//! Push claims: the crank pays recipients who opted in, or whose unclaimed
//! reward is above a threshold, several per transaction, within a SOL budget
//! per epoch. What each leaf has claimed is read from its ledger page first,
//! so a rerun never pushes a leaf twice (and the program would refuse it).

use std::collections::HashSet;

use anchor_lang::prelude::Pubkey;
use anchor_lang::Discriminator;
use depin_client::rewards::{self, ClaimArgs};
use depin_client::{token, Cluster};
use depin_rewards::pda;
use depin_rewards::state::{ClaimLedger, LEDGER_PAGE_SIZE};

use super::inputs::reward_tree;
use super::records::{ActiveTree, PushRecord};
use super::{Pipeline, PipelineResult, StepOutcome, ACTIVE_TREE};

/// The base fee of a transaction with one signature (lamports).
pub const FEE_PER_SIGNATURE: u64 = 5_000;

/// Who gets pushed, and how much the crank may spend on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushPolicy {
    /// Push a recipient whose unclaimed amount reaches this (base units);
    /// `u64::MAX` pushes only the opted-in.
    pub min_amount: u64,
    /// Recipients pushed whatever their unclaimed amount (above 0).
    pub opted_in: Vec<Pubkey>,
    /// Push claims per transaction (each carries a proof; 4 fit well below
    /// the transaction size limit at depth 20).
    pub per_transaction: usize,
    /// Lamports the crank may spend on push-claim fees per epoch.
    pub lamports_per_epoch: u64,
}

impl Default for PushPolicy {
    fn default() -> Self {
        PushPolicy {
            min_amount: u64::MAX,
            opted_in: vec![],
            per_transaction: 4,
            lamports_per_epoch: 0,
        }
    }
}

impl<C: Cluster> Pipeline<C> {
    pub(crate) async fn push_claims(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let network = self.config.network.to_bytes();
        let Some(bytes) = self.storage.get_state(&network, ACTIVE_TREE)? else {
            return Ok(StepOutcome::done(
                serde_json::to_value(PushRecord::default()).expect("serializes"),
            ));
        };
        let active: ActiveTree = super::records::decode_json(&bytes, ACTIVE_TREE)?;
        let policy = &self.config.push;
        let opted_in: HashSet<Pubkey> = policy.opted_in.iter().copied().collect();
        let leaves = active.ledger.leaves();
        let claimed =
            claimed_by_leaf(&self.cluster, &self.config.distributor, leaves.len()).await?;
        let mut candidates: Vec<(Pubkey, u32)> = vec![];
        for leaf in leaves {
            let recipient = Pubkey::new_from_array(leaf.recipient.to_bytes());
            let unclaimed = leaf
                .cumulative_amount
                .saturating_sub(claimed[leaf.index as usize]);
            if unclaimed > 0 && (unclaimed >= policy.min_amount || opted_in.contains(&recipient)) {
                candidates.push((recipient, leaf.index));
            }
        }
        let mut record = PushRecord::default();
        if candidates.is_empty() {
            return Ok(StepOutcome::done(
                serde_json::to_value(record).expect("serializes"),
            ));
        }
        let distributor = rewards::distributor(&self.cluster, &self.config.distributor).await?;
        let destinations: Vec<Pubkey> = candidates
            .iter()
            .map(|(recipient, _)| token::associated_address(recipient, &distributor.mint))
            .collect();
        let existing = self.cluster.get_multiple_accounts(&destinations).await?;
        let tree = reward_tree(&self.config.distributor, &active.ledger);
        let mut ready: Vec<(Pubkey, Pubkey, ClaimArgs)> = vec![];
        for (((recipient, index), destination), account) in
            candidates.iter().zip(&destinations).zip(existing)
        {
            match (account, tree.claim_args_at(*index)) {
                (Some(_), Some(args)) => ready.push((*recipient, *destination, args)),
                _ => record.skipped_no_account += 1,
            }
        }
        let mut spent = 0u64;
        let per_transaction = policy.per_transaction.max(1);
        for chunk in ready.chunks(per_transaction) {
            if spent + FEE_PER_SIGNATURE > policy.lamports_per_epoch {
                record.skipped_budget += chunk.len() as u32;
                continue;
            }
            let instructions: Vec<_> = chunk
                .iter()
                .map(|(recipient, destination, args)| {
                    rewards::push_claim(
                        &self.config.distributor,
                        recipient,
                        destination,
                        args.clone(),
                    )
                })
                .collect();
            let sent = self.cluster.send(&instructions, &[]).await?;
            spent += sent.fee.unwrap_or(FEE_PER_SIGNATURE);
            record.transactions += 1;
            for (recipient, _, args) in chunk {
                record.pushed += 1;
                let index = args.index as usize;
                record.amount += args.cumulative_amount.saturating_sub(claimed[index]);
                tracing::info!(epoch, %recipient, "push claim");
            }
        }
        Ok(StepOutcome::Done {
            sent: record.transactions > 0,
            result: serde_json::to_value(record).expect("serializes"),
            state: vec![],
        })
    }
}

/// What each of the first `leaves` leaves of `distributor` has claimed, from
/// its ledger pages (0 where a page is missing).
pub async fn claimed_by_leaf(
    cluster: &impl Cluster,
    distributor: &Pubkey,
    leaves: usize,
) -> Result<Vec<u64>, depin_client::ClientError> {
    let pages = rewards::pages_for(leaves as u32);
    let addresses: Vec<Pubkey> = (0..pages)
        .map(|page| pda::ledger(distributor, page).0)
        .collect();
    let accounts = cluster.get_multiple_accounts(&addresses).await?;
    let mut claimed = vec![0u64; pages as usize * LEDGER_PAGE_SIZE];
    for (page, account) in accounts.into_iter().enumerate() {
        let Some(account) = account else { continue };
        let body = account
            .data
            .strip_prefix(ClaimLedger::DISCRIMINATOR)
            .and_then(|body| bytemuck::try_from_bytes::<ClaimLedger>(body).ok());
        if let Some(ledger) = body {
            let start = page * LEDGER_PAGE_SIZE;
            claimed[start..start + LEDGER_PAGE_SIZE].copy_from_slice(&ledger.claimed);
        }
    }
    claimed.truncate(leaves);
    Ok(claimed)
}
