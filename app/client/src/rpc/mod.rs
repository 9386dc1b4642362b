//! A [`Cluster`] over JSON-RPC: devnet, mainnet or a local validator.
//!
//! # HTTP stack
//!
//! `solana-rpc-client` 4.2.2's nonblocking `RpcClient` for the typed calls
//! (the request and response types stay the node's own), over this crate's
//! [`RetryingSender`](transport::RetryingSender) on reqwest for the retry,
//! backoff and rate policy. Version 4.2.2 is already in the workspace's
//! build (solana-program-test 4.2.2 pulls it in) and shares
//! solana-transaction 4.1 / solana-message 4.4 with this crate, so it adds no
//! crates; anchor-client 1.2.2 would bring solana-rpc-client 3.x, a second
//! stack of about 190 crates whose transaction types differ from ours. No
//! feature gate: every user of this crate builds that stack already.
//!
//! # Sending
//!
//! [`RpcCluster::send`] (the trait's) and [`RpcCluster::send_with`]:
//! 1. the priority fee (median of `getRecentPrioritizationFees` over the
//!    writable accounts, floor and cap; or fixed) and a simulation with the
//!    maximum compute-unit limit run side by side; a failing simulation is
//!    reported as a named program error and nothing is sent;
//! 2. the compute-unit limit is the simulated units plus a margin, and the
//!    simulation's blockhash is used (no `getLatestBlockhash` round trip);
//! 3. the send loop (`deliver.rs`) confirms at the configured commitment,
//!    rebroadcasting while the blockhash is valid, and re-signs only after a
//!    history lookup proved the expired signature never landed;
//! 4. `getTransaction` gives the compute units, logs and fee actually paid.
//!
//! On a local validator a send takes about 6 requests: fees (reused for 10 s
//! per account set), simulation, send, one or two status polls, the
//! transaction.

mod airdrop;
mod backoff;
mod budget;
mod chain;
mod config;
mod deliver;
mod dry_run;
mod fee_cache;
mod offline;
mod rate_limit;
mod reads;
mod send;
mod transport;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_commitment_config::CommitmentConfig;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client::rpc_client::RpcClientConfig;

pub use backoff::Backoff;
pub use budget::MAX_COMPUTE_UNIT_LIMIT;
pub use config::{
    is_public_endpoint, resolve_url, CommitmentLevel, ComputeUnitMargin, ConfirmPolicy,
    PriorityFee, RateLimit, RpcConfig, TransportPolicy, DEVNET_URL, LOCALNET_URL, MAINNET_URL,
};
pub use dry_run::{AccountChange, DryRun, TokenChange};
pub use offline::{assemble, offline_message, sign_partial, PartialSignatures};
pub use send::SendOptions;
pub use transport::RpcStats;

use crate::cluster::{AccountFilter, Cluster, Sent};
use crate::error::ClientError;
use deliver::RecentSignatures;

/// A cluster reached over JSON-RPC. Cheap to share by reference; sends may
/// run concurrently.
pub struct RpcCluster {
    client: RpcClient,
    url: String,
    payer: Keypair,
    config: RpcConfig,
    stats: Arc<Mutex<RpcStats>>,
    recent: RecentSignatures,
    fees: fee_cache::FeeCache,
    rent: Mutex<HashMap<usize, u64>>,
}

impl RpcCluster {
    /// A cluster at `url` (a URL or a moniker such as `devnet`, see
    /// [`resolve_url`]) paying with `payer`, configured for that endpoint
    /// ([`RpcConfig::for_url`]).
    pub fn new(url: &str, payer: Keypair) -> Result<Self, ClientError> {
        let url = resolve_url(url);
        let config = RpcConfig::for_url(&url);
        Self::with_config(&url, payer, config)
    }

    /// A cluster at `url` with an explicit configuration.
    pub fn with_config(url: &str, payer: Keypair, config: RpcConfig) -> Result<Self, ClientError> {
        let url = resolve_url(url);
        let stats = Arc::new(Mutex::new(RpcStats::default()));
        let sender = transport::RetryingSender::new(&url, config.transport, stats.clone())
            .map_err(|e| ClientError::Cluster(format!("cannot build an HTTP client: {e}")))?;
        let client = RpcClient::new_sender(
            sender,
            RpcClientConfig::with_commitment(CommitmentConfig {
                commitment: config.commitment,
            }),
        );
        let fee_reuse = match config.priority_fee {
            PriorityFee::Recent { reuse_for, .. } => reuse_for,
            PriorityFee::Fixed(_) => std::time::Duration::ZERO,
        };
        Ok(RpcCluster {
            client,
            url,
            payer,
            fees: fee_cache::FeeCache::new(fee_reuse),
            config,
            stats,
            recent: RecentSignatures::default(),
            rent: Mutex::new(HashMap::new()),
        })
    }

    /// The endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The configuration in force.
    pub fn config(&self) -> &RpcConfig {
        &self.config
    }

    /// The commitment of reads and confirmations.
    pub fn commitment(&self) -> CommitmentConfig {
        CommitmentConfig {
            commitment: self.config.commitment,
        }
    }

    /// The typed RPC client underneath (same transport, retries and
    /// counters), for calls the [`Cluster`] trait does not cover.
    pub fn rpc(&self) -> &RpcClient {
        &self.client
    }

    /// Requests made so far, retries and throttling included.
    pub fn stats(&self) -> RpcStats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Lamports held at `address` (0 when no account exists).
    pub async fn lamports(&self, address: &Pubkey) -> Result<u64, ClientError> {
        self.get_balance(address).await
    }
}

impl Cluster for RpcCluster {
    fn payer(&self) -> &Keypair {
        &self.payer
    }

    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ClientError> {
        self.read_account(address).await
    }

    async fn get_multiple_accounts(
        &self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, ClientError> {
        self.read_accounts(addresses).await
    }

    async fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ClientError> {
        self.list_program_accounts(program, filters).await
    }

    async fn get_balance(&self, address: &Pubkey) -> Result<u64, ClientError> {
        self.read_balance(address).await
    }

    async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, ClientError> {
        self.send_with(instructions, signers, &SendOptions::default())
            .await
    }

    async fn unix_timestamp(&self) -> Result<i64, ClientError> {
        self.read_unix_timestamp().await
    }

    async fn minimum_balance(&self, data_len: usize) -> Result<u64, ClientError> {
        self.read_minimum_balance(data_len).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use solana_signer::Signer;

    fn assert_send<T: Send>(_: &T) {}

    /// A crank or CLI may `tokio::spawn` sends and reads.
    #[test]
    fn futures_of_sends_and_reads_are_send() {
        let cluster = RpcCluster::new(LOCALNET_URL, Keypair::new()).unwrap();
        let options = SendOptions::default();
        assert_send(&cluster.send_with(&[], &[], &options));
        assert_send(&cluster.send(&[], &[]));
        assert_send(&cluster.get_multiple_accounts(&[]));
        assert_send(&cluster.get_program_accounts(&Pubkey::default(), &[]));
        assert_send(&cluster.airdrop(&Pubkey::default(), 1));
        assert_send(&cluster.unix_timestamp());
        assert_send(&cluster.minimum_balance(0));
    }

    /// Refused before any request (the endpoint here does not exist).
    #[tokio::test]
    async fn a_missing_signer_is_named_before_anything_is_asked() {
        let cluster = RpcCluster::new("http://127.0.0.1:9", Keypair::new()).unwrap();
        let owner = Keypair::new().pubkey();
        let ix = anchor_lang::solana_program::system_instruction::transfer(&owner, &owner, 1);
        let error = cluster.send(&[ix], &[]).await.unwrap_err();
        assert!(
            matches!(error, ClientError::MissingSigner(key) if key == owner),
            "{error}"
        );
        assert_eq!(cluster.stats().calls, 0);
    }
}
