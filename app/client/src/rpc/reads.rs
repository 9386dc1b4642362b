//! Reads: single and batched accounts, filtered program accounts, balances,
//! the clock and rent.

use anchor_lang::prelude::Clock;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::sysvar::SysvarId;
use base64::Engine;
use solana_account::Account;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_api::filter::{Memcmp, MemcmpEncodedBytes, RpcFilterType};

use super::chain::rpc_error;
use super::RpcCluster;
use crate::cluster::AccountFilter;
use crate::error::ClientError;

/// `getMultipleAccounts` takes at most this many addresses.
pub const MULTIPLE_ACCOUNTS_CHUNK: usize = 100;

/// Where the Clock sysvar keeps `unix_timestamp`: after `slot: u64`,
/// `epoch_start_timestamp: i64`, `epoch: u64` and `leader_schedule_epoch: u64`
/// (a fixed on-chain layout).
const CLOCK_UNIX_TIMESTAMP: std::ops::Range<usize> = 32..40;

impl RpcCluster {
    pub(super) async fn read_account(
        &self,
        address: &Pubkey,
    ) -> Result<Option<Account>, ClientError> {
        self.client
            .get_account_with_commitment(address, self.commitment())
            .await
            .map(|response| response.value)
            .map_err(rpc_error("getAccountInfo"))
    }

    pub(super) async fn read_accounts(
        &self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, ClientError> {
        let mut accounts = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(MULTIPLE_ACCOUNTS_CHUNK) {
            let found = self
                .client
                .get_multiple_accounts_with_commitment(chunk, self.commitment())
                .await
                .map_err(rpc_error("getMultipleAccounts"))?
                .value;
            if found.len() != chunk.len() {
                return Err(ClientError::Rpc {
                    method: "getMultipleAccounts".into(),
                    reason: format!("{} accounts asked, {} answered", chunk.len(), found.len()),
                });
            }
            accounts.extend(found);
        }
        Ok(accounts)
    }

    pub(super) async fn list_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ClientError> {
        let config = RpcProgramAccountsConfig {
            filters: Some(filters.iter().map(rpc_filter).collect()),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64Zstd),
                commitment: Some(self.commitment()),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        self.client
            .get_program_ui_accounts_with_config(program, config)
            .await
            .map_err(rpc_error("getProgramAccounts"))?
            .into_iter()
            .map(|(address, ui_account)| {
                let account = ui_account.to_account().ok_or_else(|| ClientError::Rpc {
                    method: "getProgramAccounts".into(),
                    reason: format!("undecodable data for account {address}"),
                })?;
                Ok((address, account))
            })
            .collect()
    }

    pub(super) async fn read_balance(&self, address: &Pubkey) -> Result<u64, ClientError> {
        self.client
            .get_balance_with_commitment(address, self.commitment())
            .await
            .map(|response| response.value)
            .map_err(rpc_error("getBalance"))
    }

    pub(super) async fn read_unix_timestamp(&self) -> Result<i64, ClientError> {
        let clock_id = Clock::id();
        let clock = self
            .read_account(&clock_id)
            .await?
            .ok_or(ClientError::AccountNotFound(clock_id))?;
        let bytes = clock
            .data
            .get(CLOCK_UNIX_TIMESTAMP)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .ok_or_else(|| ClientError::Decode {
                address: clock_id,
                expected: "Clock",
                reason: format!("{} bytes", clock.data.len()),
            })?;
        Ok(i64::from_le_bytes(bytes))
    }

    /// Rent depends only on the size (and the cluster's rent rate, which
    /// does not change), so answers are kept.
    pub(super) async fn read_minimum_balance(&self, data_len: usize) -> Result<u64, ClientError> {
        if let Some(known) = self.rent_cache().get(&data_len) {
            return Ok(*known);
        }
        let lamports = self
            .client
            .get_minimum_balance_for_rent_exemption(data_len)
            .await
            .map_err(rpc_error("getMinimumBalanceForRentExemption"))?;
        self.rent_cache().insert(data_len, lamports);
        Ok(lamports)
    }

    fn rent_cache(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<usize, u64>> {
        self.rent.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn rpc_filter(filter: &AccountFilter) -> RpcFilterType {
    match filter {
        AccountFilter::DataSize(len) => RpcFilterType::DataSize(*len),
        AccountFilter::Memcmp { offset, bytes } => RpcFilterType::Memcmp(Memcmp::new(
            *offset,
            MemcmpEncodedBytes::Base64(base64::engine::general_purpose::STANDARD.encode(bytes)),
        )),
    }
}
