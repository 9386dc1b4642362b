//! Faucet lamports for tests and devnet users.

use serde_json::json;
use solana_rpc_client_api::config::RpcRequestAirdropConfig;
use solana_rpc_client_api::request::RpcRequest;
use solana_signature::Signature;
use tokio::time::Instant;

use anchor_lang::prelude::Pubkey;

use super::chain::rpc_error;
use super::deliver::Chain;
use super::RpcCluster;
use crate::error::{ClientError, TxFailure};

impl RpcCluster {
    /// Asks the cluster's faucet (`requestAirdrop`) for `lamports` to `to`
    /// and waits until the transfer reaches the commitment. Not retried once
    /// the request may have reached the faucet (it would pay twice): a
    /// `Transport` error means the airdrop may or may not have happened.
    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<Signature, ClientError> {
        let answer: String = self
            .client
            .send(
                RpcRequest::RequestAirdrop,
                json!([
                    to.to_string(),
                    lamports,
                    RpcRequestAirdropConfig {
                        commitment: Some(self.commitment()),
                        recent_blockhash: None,
                    }
                ]),
            )
            .await
            .map_err(rpc_error("requestAirdrop"))?;
        let signature: Signature = answer.parse().map_err(|_| ClientError::Rpc {
            method: "requestAirdrop".into(),
            reason: format!("not a signature: {answer}"),
        })?;
        let chain = self.chain();
        let started = Instant::now();
        loop {
            tokio::time::sleep(self.config.confirm.poll_interval).await;
            match chain.status(&signature, false).await {
                Ok(Some(landed)) if landed.committed => {
                    return match landed.err {
                        None => Ok(signature),
                        Some(error) => Err(TxFailure::new(error, Vec::new())
                            .with_signature(signature)
                            .into()),
                    };
                }
                Ok(_) | Err(ClientError::Transport { .. }) => {}
                Err(error) => return Err(error),
            }
            if started.elapsed() > self.config.confirm.outcome_timeout {
                return Err(ClientError::OutcomeUnknown {
                    signature,
                    reason: "the airdrop did not confirm in time".into(),
                });
            }
        }
    }
}
