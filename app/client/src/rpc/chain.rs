//! The send loop's view of a JSON-RPC endpoint, and how the RPC client's
//! errors become [`ClientError`]s.

use solana_commitment_config::{CommitmentConfig, CommitmentLevel};
use solana_hash::Hash;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::{Error as RpcClientError, ErrorKind};
use solana_rpc_client_api::config::RpcSendTransactionConfig;
use solana_signature::Signature;
use solana_transaction::Transaction;
use solana_transaction_status_client_types::UiTransactionEncoding;

use super::deliver::{Chain, Landed};
use crate::error::ClientError;

/// `client` at `commitment`.
pub struct RpcChain<'a> {
    pub client: &'a RpcClient,
    pub commitment: CommitmentConfig,
}

/// At least `confirmed`: a block height or status seen only at `processed`
/// may belong to a fork that is dropped, so it cannot decide that a
/// blockhash expired.
pub fn at_least_confirmed(commitment: CommitmentConfig) -> CommitmentConfig {
    match commitment.commitment {
        CommitmentLevel::Processed => CommitmentConfig::confirmed(),
        _ => commitment,
    }
}

/// Maps an RPC client error: no usable answer is `Transport`, anything the
/// node said is `Rpc`.
pub fn rpc_error(method: &str) -> impl FnOnce(RpcClientError) -> ClientError + '_ {
    move |error| {
        let method = error
            .request()
            .map(|r| r.to_string())
            .unwrap_or_else(|| method.to_string());
        match error.kind() {
            ErrorKind::Io(_) | ErrorKind::Reqwest(_) | ErrorKind::Middleware(_) => {
                ClientError::Transport {
                    method,
                    reason: error.kind().to_string(),
                }
            }
            kind => ClientError::Rpc {
                method,
                reason: kind.to_string(),
            },
        }
    }
}

impl Chain for RpcChain<'_> {
    async fn latest_blockhash(&self) -> Result<(Hash, u64), ClientError> {
        self.client
            .get_latest_blockhash_with_commitment(self.commitment)
            .await
            .map_err(rpc_error("getLatestBlockhash"))
    }

    async fn submit(&self, transaction: &Transaction) -> Result<(), ClientError> {
        let config = RpcSendTransactionConfig {
            // Simulated already; the runtime's checks still apply on chain.
            skip_preflight: true,
            preflight_commitment: Some(self.commitment.commitment),
            encoding: Some(UiTransactionEncoding::Base64),
            max_retries: None,
            min_context_slot: None,
        };
        self.client
            .send_transaction_with_config(transaction, config)
            .await
            .map(|_| ())
            .map_err(rpc_error("sendTransaction"))
    }

    async fn status(
        &self,
        signature: &Signature,
        search_history: bool,
    ) -> Result<Option<Landed>, ClientError> {
        let signatures = [*signature];
        let response = if search_history {
            self.client
                .get_signature_statuses_with_history(&signatures)
                .await
        } else {
            self.client.get_signature_statuses(&signatures).await
        }
        .map_err(rpc_error("getSignatureStatuses"))?;
        Ok(response
            .value
            .into_iter()
            .next()
            .flatten()
            .map(|status| Landed {
                committed: status.satisfies_commitment(self.commitment),
                err: status.err,
            }))
    }

    async fn block_height(&self) -> Result<u64, ClientError> {
        self.client
            .get_block_height_with_commitment(at_least_confirmed(self.commitment))
            .await
            .map_err(rpc_error("getBlockHeight"))
    }
}
