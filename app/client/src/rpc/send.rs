//! Sending: budget, simulation, the send loop, and what landed.

use std::str::FromStr;
use std::time::Instant;

use anchor_lang::prelude::Pubkey;
use serde_json::json;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_rpc_client_api::config::{RpcSimulateTransactionConfig, RpcTransactionConfig};
use solana_rpc_client_api::request::RpcRequest;
use solana_rpc_client_api::response::RpcSimulateTransactionResult;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::option_serializer::OptionSerializer;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, UiTransactionEncoding,
};

use super::budget::{self, CallerBudget, MAX_COMPUTE_UNIT_LIMIT};
use super::chain::{at_least_confirmed, rpc_error, RpcChain};
use super::config::PriorityFee;
use super::deliver::{self, Chain, Delivered};
use super::RpcCluster;
use crate::cluster::Sent;
use crate::error::{ClientError, FailureStage, TxFailure};

/// Per-send overrides of the cluster's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// This compute-unit limit instead of the simulated units plus margin.
    pub compute_unit_limit: Option<u32>,
    /// This unit price (micro-lamports) instead of the configured choice.
    pub compute_unit_price: Option<u64>,
    /// Send without simulating first: a failure is then found on chain
    /// (and pays its fee). Without a `compute_unit_limit`, the cluster's
    /// default limit applies.
    pub skip_simulation: bool,
}

/// How often `getTransaction` is asked before settling for the simulation's
/// figures (a node may index a confirmed transaction a moment late).
const DETAIL_ATTEMPTS: u32 = 5;

/// The transaction as it will be sent, before the blockhash.
pub(super) struct Prepared {
    pub(super) message: Message,
    /// Compute budget instructions put in front of the caller's.
    pub(super) prepended: usize,
    /// The limit and price those instructions set.
    pub(super) limit: Option<u32>,
    pub(super) price: Option<u64>,
    /// The simulation's blockhash, if it ran.
    pub(super) blockhash: Option<(Hash, u64)>,
    pub(super) simulated_units: u64,
    pub(super) simulated_logs: Vec<String>,
}

impl RpcCluster {
    /// Sends `instructions` signed by the payer and `signers` (signers the
    /// transaction does not need are left out), with per-send `options`.
    pub async fn send_with(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        options: &SendOptions,
    ) -> Result<Sent, ClientError> {
        // Budget instructions add no signers: check them before any request.
        let unbudgeted = Message::new(instructions, Some(&self.payer.pubkey()));
        let signers = self.signers_for(&unbudgeted, signers)?;
        let prepared = self.prepare(instructions, options).await?;
        let chain = self.chain();
        let first_blockhash = match prepared.blockhash {
            Some(blockhash) => blockhash,
            None => chain.latest_blockhash().await?,
        };
        let message = &prepared.message;
        let delivered = deliver::deliver(
            &chain,
            &self.config.confirm,
            &self.recent,
            first_blockhash,
            |blockhash| {
                let mut transaction = Transaction::new_unsigned(message.clone());
                transaction
                    .try_sign(&signers, blockhash)
                    .map_err(|e| ClientError::Cluster(format!("signing: {e}")))?;
                Ok(transaction)
            },
        )
        .await?;
        if delivered.signatures > 1 {
            let resigned = u64::from(delivered.signatures.saturating_sub(1));
            let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
            stats.resigned = stats.resigned.saturating_add(resigned);
        }
        self.outcome(&prepared, delivered).await
    }

    pub(super) fn chain(&self) -> RpcChain<'_> {
        RpcChain {
            client: &self.client,
            commitment: self.commitment(),
        }
    }

    /// Adds the compute budget and simulates (unless told not to).
    pub(super) async fn prepare(
        &self,
        instructions: &[Instruction],
        options: &SendOptions,
    ) -> Result<Prepared, ClientError> {
        let payer = self.payer.pubkey();
        let caller = CallerBudget::of(instructions);
        let probe = Message::new(instructions, Some(&payer));
        let price_needed = !caller.sets_price;
        let limit_needed = !caller.sets_limit;
        let price = async {
            match (price_needed, options.compute_unit_price) {
                (false, _) => Ok(None),
                (true, Some(price)) => Ok(Some(price)),
                (true, None) => self.priority_price(&probe).await.map(Some),
            }
        };
        if options.skip_simulation {
            let limit = options.compute_unit_limit.filter(|_| limit_needed);
            let price = price.await?.filter(|p| *p > 0);
            let (message, prepended) = with_budget(instructions, &payer, limit, price);
            return Ok(Prepared {
                message,
                prepended,
                limit,
                price,
                blockhash: None,
                simulated_units: 0,
                simulated_logs: Vec::new(),
            });
        }
        // Simulate with the largest limit and a zero price (the price does
        // not change execution): the same shape as the final transaction.
        let trial_limit = limit_needed.then_some(MAX_COMPUTE_UNIT_LIMIT);
        let trial_price = price_needed.then_some(0);
        let (trial, trial_prepended) = with_budget(instructions, &payer, trial_limit, trial_price);
        let (price, simulation) = tokio::join!(price, self.simulate(&trial));
        // The simulation's verdict first: a refusal says more than a fee
        // lookup that failed alongside it.
        let simulation = simulation?;
        let logs = simulation.logs.clone().unwrap_or_default();
        if let Some(error) = simulation.err {
            let failure = TxFailure::new(TransactionError::from(error), logs)
                .at(FailureStage::Simulation)
                .with_programs(&budget::message_programs(&trial), trial_prepended);
            return Err(failure.into());
        }
        let price = price?.filter(|p| *p > 0);
        let units = simulation.units_consumed.unwrap_or(0);
        let limit = match (limit_needed, options.compute_unit_limit) {
            (false, _) => None,
            (true, Some(limit)) => Some(limit),
            (true, None) => Some(budget::compute_unit_limit(units, self.config.compute_units)),
        };
        let (message, prepended) = with_budget(instructions, &payer, limit, price);
        Ok(Prepared {
            message,
            prepended,
            limit,
            price,
            blockhash: simulation.replacement_blockhash.and_then(|b| {
                Some((
                    Hash::from_str(&b.blockhash).ok()?,
                    b.last_valid_block_height,
                ))
            }),
            simulated_units: units,
            simulated_logs: logs,
        })
    }

    pub(super) async fn simulate(
        &self,
        message: &Message,
    ) -> Result<RpcSimulateTransactionResult, ClientError> {
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            commitment: Some(self.commitment()),
            encoding: Some(UiTransactionEncoding::Base64),
            ..RpcSimulateTransactionConfig::default()
        };
        self.client
            .simulate_transaction_with_config(&Transaction::new_unsigned(message.clone()), config)
            .await
            .map(|response| response.value)
            .map_err(rpc_error("simulateTransaction"))
    }

    /// The unit price the configuration asks for.
    async fn priority_price(&self, message: &Message) -> Result<u64, ClientError> {
        match self.config.priority_fee {
            PriorityFee::Fixed(price) => Ok(price),
            PriorityFee::Recent { floor, cap, .. } => {
                let accounts = budget::writable_accounts(message);
                if let Some(price) = self.fees.get(&accounts, Instant::now()) {
                    return Ok(price);
                }
                let recent = self
                    .client
                    .get_recent_prioritization_fees(&accounts)
                    .await
                    .map_err(rpc_error("getRecentPrioritizationFees"))?;
                let fees = recent.iter().map(|f| f.prioritization_fee).collect();
                let price = budget::priority_price(fees, floor, cap);
                self.fees.put(&accounts, price, Instant::now());
                Ok(price)
            }
        }
    }

    /// The payer and the given signers the message needs, each once; an
    /// error names a required signer that is missing.
    fn signers_for<'a>(
        &'a self,
        message: &Message,
        signers: &[&'a Keypair],
    ) -> Result<Vec<&'a Keypair>, ClientError> {
        let required = message.signer_keys();
        let mut chosen: Vec<&Keypair> = Vec::with_capacity(required.len());
        for key in required {
            let signer = std::iter::once(&self.payer)
                .chain(signers.iter().copied())
                .find(|s| s.pubkey() == *key)
                .ok_or(ClientError::MissingSigner(*key))?;
            chosen.push(signer);
        }
        Ok(chosen)
    }

    /// What landed: `Sent`, or the on-chain failure decoded.
    pub(super) async fn outcome(
        &self,
        prepared: &Prepared,
        delivered: Delivered,
    ) -> Result<Sent, ClientError> {
        let details = self.landed_details(&delivered.signature).await;
        if let Some(error) = delivered.err {
            let logs = details.map(|d| d.logs).unwrap_or_default();
            let failure = TxFailure::new(error, logs)
                .at(FailureStage::Execution)
                .with_signature(delivered.signature)
                .with_programs(
                    &budget::message_programs(&prepared.message),
                    prepared.prepended,
                );
            return Err(failure.into());
        }
        // The transaction is applied: whatever the details, report success
        // (an error here could make a caller send it again).
        Ok(match details {
            Some(details) => Sent {
                signature: delivered.signature,
                compute_units: details.compute_units.unwrap_or(prepared.simulated_units),
                logs: details.logs,
                fee: Some(details.fee),
            },
            None => Sent {
                signature: delivered.signature,
                compute_units: prepared.simulated_units,
                logs: prepared.simulated_logs.clone(),
                fee: None,
            },
        })
    }

    /// The landed transaction's meta, asked a few times.
    async fn landed_details(&self, signature: &Signature) -> Option<LandedDetails> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(at_least_confirmed(self.commitment())),
            max_supported_transaction_version: Some(0),
        };
        for attempt in 0..DETAIL_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(self.config.confirm.poll_interval).await;
            }
            let answer = self
                .client
                .send::<Option<EncodedConfirmedTransactionWithStatusMeta>>(
                    RpcRequest::GetTransaction,
                    json!([signature.to_string(), config]),
                )
                .await;
            if let Ok(Some(found)) = answer {
                let meta = found.transaction.meta?;
                return Some(LandedDetails {
                    fee: meta.fee,
                    compute_units: match meta.compute_units_consumed {
                        OptionSerializer::Some(units) => Some(units),
                        _ => None,
                    },
                    logs: match meta.log_messages {
                        OptionSerializer::Some(logs) => logs,
                        _ => Vec::new(),
                    },
                });
            }
        }
        None
    }
}

struct LandedDetails {
    fee: u64,
    compute_units: Option<u64>,
    logs: Vec<String>,
}

/// `instructions` behind the compute budget instructions for `limit` and
/// `price`; returns the message and how many were put in front.
fn with_budget(
    instructions: &[Instruction],
    payer: &Pubkey,
    limit: Option<u32>,
    price: Option<u64>,
) -> (Message, usize) {
    let mut all = budget::budget_instructions(limit, price);
    let prepended = all.len();
    all.extend_from_slice(instructions);
    (Message::new(&all, Some(payer)), prepended)
}
