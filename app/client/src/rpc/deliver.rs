//! Getting one transaction applied exactly once: send, rebroadcast and poll
//! while its blockhash is valid; once the blockhash has expired, look the
//! signature up in the full history, and only if it never landed sign again
//! with a fresh blockhash (an expired transaction can never land later, so
//! the new signature cannot apply the effect a second time). Written against
//! [`Chain`] so the logic is tested with a fake cluster.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use solana_hash::Hash;
use solana_signature::Signature;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use tokio::time::Instant;

use super::config::ConfirmPolicy;
use crate::error::ClientError;

/// A signature the cluster knows about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landed {
    /// `Some` when the transaction failed (it still landed and paid its fee).
    pub err: Option<TransactionError>,
    /// Whether it reached the configured commitment.
    pub committed: bool,
}

/// What the send loop needs from a cluster.
#[allow(async_fn_in_trait)]
pub trait Chain {
    /// The latest blockhash and the last block height it is valid at.
    async fn latest_blockhash(&self) -> Result<(Hash, u64), ClientError>;
    /// Hands the signed transaction to the cluster (no preflight). An
    /// `Err(ClientError::Transport)` leaves open whether it arrived.
    async fn submit(&self, transaction: &Transaction) -> Result<(), ClientError>;
    /// The signature's status; `search_history` looks beyond recent slots.
    async fn status(
        &self,
        signature: &Signature,
        search_history: bool,
    ) -> Result<Option<Landed>, ClientError>;
    /// The block height at (at least) `confirmed` commitment, which decides
    /// whether a blockhash has expired.
    async fn block_height(&self) -> Result<u64, ClientError>;
}

/// The outcome of [`deliver`].
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The signature that landed.
    pub signature: Signature,
    /// `Some` when it landed and failed.
    pub err: Option<TransactionError>,
    /// Signatures made (1 unless blockhashes expired).
    pub signatures: u32,
}

/// Signatures sent lately. Signing the same instructions with the same
/// blockhash yields the same signature, which the runtime takes only once:
/// a second, identical send must wait for a newer blockhash, else it would
/// be reported as done without having been applied.
#[derive(Debug, Default)]
pub struct RecentSignatures {
    inner: Mutex<(HashSet<Signature>, VecDeque<Signature>)>,
}

/// Far more than can be in flight within one blockhash's lifetime.
const REMEMBERED_SIGNATURES: usize = 16_384;

impl RecentSignatures {
    /// Records `signature`; `false` if it was sent lately.
    pub fn insert(&self, signature: Signature) -> bool {
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (set, order) = &mut *guard;
        if !set.insert(signature) {
            return false;
        }
        order.push_back(signature);
        if order.len() > REMEMBERED_SIGNATURES {
            if let Some(oldest) = order.pop_front() {
                set.remove(&oldest);
            }
        }
        true
    }
}

/// How many polls for a blockhash newer than one already used.
const NEWER_BLOCKHASH_POLLS: u32 = 100;

/// Signs with `first_blockhash` (hash, last valid block height), sends and
/// confirms; re-signs with a fresh blockhash at most `policy.max_resigns`
/// times, each time only after the expired signature was looked up.
pub async fn deliver<C: Chain>(
    chain: &C,
    policy: &ConfirmPolicy,
    recent: &RecentSignatures,
    first_blockhash: (Hash, u64),
    sign: impl Fn(Hash) -> Result<Transaction, ClientError>,
) -> Result<Delivered, ClientError> {
    let (mut blockhash, mut last_valid) = first_blockhash;
    let mut signatures = 0u32;
    loop {
        let transaction = sign(blockhash)?;
        let signature = first_signature(&transaction)?;
        if !recent.insert(signature) {
            (blockhash, last_valid) = newer_blockhash(chain, blockhash, policy).await?;
            continue;
        }
        signatures = signatures.saturating_add(1);
        if let Some(landed) = watch(chain, policy, &transaction, last_valid).await? {
            return Ok(Delivered {
                signature,
                err: landed.err,
                signatures,
            });
        }
        if signatures > policy.max_resigns {
            return Err(ClientError::NotConfirmed {
                attempts: signatures,
                last: signature,
            });
        }
        (blockhash, last_valid) = newer_blockhash(chain, blockhash, policy).await?;
    }
}

fn first_signature(transaction: &Transaction) -> Result<Signature, ClientError> {
    transaction
        .signatures
        .first()
        .copied()
        .ok_or_else(|| ClientError::Cluster("a transaction without a signature".into()))
}

/// A blockhash other than `used`.
async fn newer_blockhash<C: Chain>(
    chain: &C,
    used: Hash,
    policy: &ConfirmPolicy,
) -> Result<(Hash, u64), ClientError> {
    for _ in 0..NEWER_BLOCKHASH_POLLS {
        let latest = chain.latest_blockhash().await?;
        if latest.0 != used {
            return Ok(latest);
        }
        tokio::time::sleep(policy.poll_interval).await;
    }
    Err(ClientError::Cluster(format!(
        "the cluster's blockhash stayed {used}: is it producing blocks?"
    )))
}

/// Submits `transaction` and waits until it is committed (`Some`) or its
/// blockhash expired without it landing (`None`).
async fn watch<C: Chain>(
    chain: &C,
    policy: &ConfirmPolicy,
    transaction: &Transaction,
    last_valid: u64,
) -> Result<Option<Landed>, ClientError> {
    let signature = first_signature(transaction)?;
    match chain.submit(transaction).await {
        Ok(()) | Err(ClientError::Transport { .. }) => {}
        // The node refused it outright (malformed, bad signature): not sent.
        Err(refused) => return Err(refused),
    }
    let mut last_submit = Instant::now();
    let mut failing = FailingSince::default();
    let mut landed_at: Option<Instant> = None;
    loop {
        tokio::time::sleep(policy.poll_interval).await;
        match chain.status(&signature, false).await {
            Ok(Some(landed)) if landed.committed => return Ok(Some(landed)),
            Ok(Some(_)) => {
                // Processed, not yet committed: only wait (bounded).
                failing.clear();
                let since = *landed_at.get_or_insert_with(Instant::now);
                if since.elapsed() > policy.outcome_timeout {
                    return Err(ClientError::OutcomeUnknown {
                        signature,
                        reason: "it was processed but never reached the commitment".into(),
                    });
                }
                continue;
            }
            Ok(None) => failing.clear(),
            Err(error) => failing.note(error, signature, policy)?,
        }
        if last_submit.elapsed() < policy.resend_interval {
            continue;
        }
        // Rebroadcast the same bytes (harmless: one signature lands once),
        // best effort: a rebroadcast stuck in transport retries must not
        // hold up the polls and the expiry check.
        let _ = tokio::time::timeout(policy.resend_interval, chain.submit(transaction)).await;
        last_submit = Instant::now();
        let height = match chain.block_height().await {
            Ok(height) => height,
            Err(error) => {
                failing.note(error, signature, policy)?;
                continue;
            }
        };
        if height <= last_valid {
            continue;
        }
        // Expired: it can no longer land. Did it land earlier, unseen?
        match chain.status(&signature, true).await {
            Ok(Some(landed)) if landed.committed => return Ok(Some(landed)),
            Ok(Some(_)) => {
                landed_at.get_or_insert_with(Instant::now);
            }
            Ok(None) => return Ok(None),
            Err(error) => failing.note(error, signature, policy)?,
        }
    }
}

/// Tracks how long the endpoint has failed to answer while a sent
/// transaction's outcome is pending.
#[derive(Default)]
struct FailingSince(Option<Instant>);

impl FailingSince {
    fn clear(&mut self) {
        self.0 = None;
    }

    /// Tolerates failures for `policy.outcome_timeout`, then reports the
    /// outcome as unknown (the transaction may still land).
    fn note(
        &mut self,
        error: ClientError,
        signature: Signature,
        policy: &ConfirmPolicy,
    ) -> Result<(), ClientError> {
        let since = *self.0.get_or_insert_with(Instant::now);
        if since.elapsed() > policy.outcome_timeout {
            return Err(ClientError::OutcomeUnknown {
                signature,
                reason: error.to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
