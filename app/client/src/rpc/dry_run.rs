//! `--dry-run`: what a transaction would do, from one simulation of the
//! exact message that would be sent (same compute budget, same fee payer):
//! the compute units, the fee, and each written account's lamports, size and
//! tokens before and after. Nothing is signed or sent.

use anchor_lang::prelude::Pubkey;
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding};
use solana_instruction::Instruction;
use solana_rpc_client_api::config::{
    RpcSimulateTransactionAccountsConfig, RpcSimulateTransactionConfig,
};
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status_client_types::{UiTransactionEncoding, UiTransactionTokenBalance};

use super::budget;
use super::chain::rpc_error;
use super::deliver::Chain;
use super::send::SendOptions;
use super::RpcCluster;
use crate::cluster::Cluster;
use crate::error::{ClientError, FailureStage, TxFailure};

/// What a transaction would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRun {
    /// Compute units the simulation consumed.
    pub compute_units: u64,
    /// The compute-unit limit the transaction would carry (None: the
    /// cluster's default).
    pub compute_unit_limit: Option<u32>,
    /// The unit price (micro-lamports) it would carry.
    pub compute_unit_price: Option<u64>,
    /// Lamports of fees (base and priority).
    pub fee: u64,
    /// Every account the transaction may write, in message order.
    pub writes: Vec<AccountChange>,
    /// The simulation's log lines.
    pub logs: Vec<String>,
}

/// One written account, before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub address: Pubkey,
    pub lamports_before: u64,
    pub lamports_after: u64,
    /// Data length; None where no account exists.
    pub size_before: Option<usize>,
    pub size_after: Option<usize>,
    /// Owner program after the transaction (None: closed or never created).
    pub owner_after: Option<Pubkey>,
    /// Token balance (base units) before and after, for token accounts.
    pub tokens: Option<TokenChange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenChange {
    pub mint: Pubkey,
    pub decimals: u8,
    pub before: u64,
    pub after: u64,
}

impl AccountChange {
    /// The account is created by the transaction.
    pub fn created(&self) -> bool {
        self.size_before.is_none() && self.size_after.is_some()
    }

    /// The account is closed by the transaction.
    pub fn closed(&self) -> bool {
        self.size_before.is_some() && self.size_after.is_none()
    }

    /// Lamports gained (positive) or lost (negative).
    pub fn lamports_delta(&self) -> i128 {
        i128::from(self.lamports_after) - i128::from(self.lamports_before)
    }
}

impl DryRun {
    /// Rent put into accounts the transaction creates.
    pub fn rent_of_created(&self) -> u64 {
        self.writes
            .iter()
            .filter(|w| w.created())
            .map(|w| w.lamports_after)
            .fold(0u64, u64::saturating_add)
    }
}

impl RpcCluster {
    /// Simulates `instructions` as [`RpcCluster::send_with`] would send them
    /// (fee payer, compute budget) and reports what they would change. A
    /// failing simulation is the same named error a send reports.
    pub async fn dry_run(
        &self,
        instructions: &[Instruction],
        options: &SendOptions,
    ) -> Result<DryRun, ClientError> {
        let prepared = self.prepare(instructions, options).await?;
        let mut message = prepared.message;
        let (blockhash, _) = self.chain().latest_blockhash().await?;
        message.recent_blockhash = blockhash;
        let writable = budget::writable_accounts(&message);
        let before = self.get_multiple_accounts(&writable).await?;
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: false,
            commitment: Some(self.commitment()),
            encoding: Some(UiTransactionEncoding::Base64),
            accounts: Some(RpcSimulateTransactionAccountsConfig {
                encoding: Some(UiAccountEncoding::Base64),
                addresses: writable.iter().map(Pubkey::to_string).collect(),
            }),
            ..RpcSimulateTransactionConfig::default()
        };
        let simulation = self
            .rpc()
            .simulate_transaction_with_config(&Transaction::new_unsigned(message.clone()), config)
            .await
            .map_err(rpc_error("simulateTransaction"))?
            .value;
        let logs = simulation.logs.clone().unwrap_or_default();
        if let Some(error) = simulation.err {
            let failure = TxFailure::new(TransactionError::from(error), logs)
                .at(FailureStage::Simulation)
                .with_programs(&budget::message_programs(&message), prepared.prepended);
            return Err(failure.into());
        }
        let fee = match simulation.fee {
            Some(fee) => fee,
            None => self
                .rpc()
                .get_fee_for_message(&message)
                .await
                .map_err(rpc_error("getFeeForMessage"))?,
        };
        let after = simulation.accounts.unwrap_or_default();
        let keys = &message.account_keys;
        let token_of = |balances: &Option<Vec<UiTransactionTokenBalance>>, address: &Pubkey| {
            balances.as_ref().and_then(|all| {
                all.iter()
                    .find(|b| keys.get(usize::from(b.account_index)) == Some(address))
                    .and_then(|b| {
                        Some((
                            b.mint.parse::<Pubkey>().ok()?,
                            b.ui_token_amount.decimals,
                            b.ui_token_amount.amount.parse::<u64>().ok()?,
                        ))
                    })
            })
        };
        let writes = writable
            .iter()
            .enumerate()
            .map(|(index, address)| {
                let before = before.get(index).cloned().flatten();
                let after: Option<&UiAccount> = after.get(index).and_then(Option::as_ref);
                // A simulated account with no lamports and no data is closed.
                let after = after.filter(|a| a.lamports > 0);
                let size_after = after.and_then(|a| a.data.decode()).map(|d| d.len());
                let pre = token_of(&simulation.pre_token_balances, address);
                let post = token_of(&simulation.post_token_balances, address);
                let tokens = match (pre, post) {
                    (None, None) => None,
                    (pre, post) => {
                        let (mint, decimals, _) = pre.or(post)?;
                        Some(TokenChange {
                            mint,
                            decimals,
                            before: pre.map(|p| p.2).unwrap_or(0),
                            after: post.map(|p| p.2).unwrap_or(0),
                        })
                    }
                };
                Some(AccountChange {
                    address: *address,
                    lamports_before: before.as_ref().map(|a| a.lamports).unwrap_or(0),
                    lamports_after: after.map(|a| a.lamports).unwrap_or(0),
                    size_before: before.as_ref().map(|a| a.data.len()),
                    size_after,
                    owner_after: after.and_then(|a| a.owner.parse().ok()),
                    tokens,
                })
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ClientError::Cluster("simulation returned a malformed token balance".into())
            })?;
        Ok(DryRun {
            compute_units: simulation
                .units_consumed
                .unwrap_or(prepared.simulated_units),
            compute_unit_limit: prepared.limit,
            compute_unit_price: prepared.price,
            fee,
            writes,
            logs,
        })
    }
}
