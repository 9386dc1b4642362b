//! The `Cluster` trait every reader and sender is written against, and
//! generic readers of Anchor accounts.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountDeserialize, Discriminator};
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signature::Signature;

use crate::error::ClientError;

/// What a confirmed transaction reports back.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The signature that landed (after re-signing, the last one).
    pub signature: Signature,
    /// Compute units consumed (meaningful when programs run in the SBF VM).
    pub compute_units: u64,
    /// The transaction's log lines.
    pub logs: Vec<String>,
    /// Lamports paid in fees (base and priority), when the cluster reports it.
    pub fee: Option<u64>,
}

/// A server-side filter for [`Cluster::get_program_accounts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountFilter {
    /// The account's data is exactly this many bytes long.
    DataSize(u64),
    /// The account's data holds `bytes` at `offset`.
    Memcmp {
        /// Where the bytes start in the account's data.
        offset: usize,
        /// What must be there.
        bytes: Vec<u8>,
    },
}

impl AccountFilter {
    /// Whether `data` passes the filter (what the node checks).
    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            AccountFilter::DataSize(len) => u64::try_from(data.len()).is_ok_and(|n| n == *len),
            AccountFilter::Memcmp { offset, bytes } => offset
                .checked_add(bytes.len())
                .and_then(|end| data.get(*offset..end))
                .is_some_and(|window| window == bytes.as_slice()),
        }
    }
}

/// A place the programs run: an in-process bank (`local::LocalCluster`) or a
/// JSON-RPC endpoint (`rpc::RpcCluster`). Every reader and sender in this
/// crate is written against this trait, so the same code serves tests, the
/// demo and the CLI.
#[allow(async_fn_in_trait)]
pub trait Cluster {
    /// Pays fees and rent unless told otherwise.
    fn payer(&self) -> &Keypair;

    /// The account at `address`, `None` when it does not exist.
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ClientError>;

    /// The accounts at `addresses`, in order (`None` where none exists).
    /// Clusters that can read many at once override this loop.
    async fn get_multiple_accounts(
        &self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, ClientError> {
        let mut accounts = Vec::with_capacity(addresses.len());
        for address in addresses {
            accounts.push(self.get_account(address).await?);
        }
        Ok(accounts)
    }

    /// Every account owned by `program` that passes all `filters`. The
    /// default (the in-process bank, which cannot scan) reports
    /// [`ClientError::Unsupported`].
    async fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ClientError> {
        let _ = (program, filters);
        Err(ClientError::Unsupported {
            what: "listing program accounts",
            cluster: "the in-process cluster",
        })
    }

    /// Lamports held at `address` (0 when no account exists).
    async fn get_balance(&self, address: &Pubkey) -> Result<u64, ClientError> {
        Ok(self
            .get_account(address)
            .await?
            .map(|account| account.lamports)
            .unwrap_or(0))
    }

    /// Signs with the payer plus `signers`, sends, waits for confirmation.
    async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, ClientError>;

    /// The cluster clock's Unix time (the Clock sysvar).
    async fn unix_timestamp(&self) -> Result<i64, ClientError>;

    /// Lamports an account of `data_len` bytes needs to be rent exempt.
    async fn minimum_balance(&self, data_len: usize) -> Result<u64, ClientError>;
}

/// Reads and decodes an Anchor account, checking its discriminator.
pub async fn fetch_optional<T: AccountDeserialize>(
    cluster: &impl Cluster,
    address: &Pubkey,
) -> Result<Option<T>, ClientError> {
    let Some(account) = cluster.get_account(address).await? else {
        return Ok(None);
    };
    T::try_deserialize(&mut account.data.as_slice())
        .map(Some)
        .map_err(|e| ClientError::Decode {
            address: *address,
            expected: type_name::<T>(),
            reason: e.to_string(),
        })
}

/// Reads and decodes an Anchor account that must exist.
pub async fn fetch<T: AccountDeserialize>(
    cluster: &impl Cluster,
    address: &Pubkey,
) -> Result<T, ClientError> {
    fetch_optional(cluster, address)
        .await?
        .ok_or(ClientError::AccountNotFound(*address))
}

/// Every `T` account of `program` passing `filters` (`T`'s discriminator is
/// added as the first filter), decoded.
pub async fn fetch_all<T: AccountDeserialize + Discriminator>(
    cluster: &impl Cluster,
    program: &Pubkey,
    filters: &[AccountFilter],
) -> Result<Vec<(Pubkey, T)>, ClientError> {
    let mut all_filters = Vec::with_capacity(filters.len().saturating_add(1));
    all_filters.push(AccountFilter::Memcmp {
        offset: 0,
        bytes: T::DISCRIMINATOR.to_vec(),
    });
    all_filters.extend_from_slice(filters);
    cluster
        .get_program_accounts(program, &all_filters)
        .await?
        .into_iter()
        .map(|(address, account)| {
            T::try_deserialize(&mut account.data.as_slice())
                .map(|decoded| (address, decoded))
                .map_err(|e| ClientError::Decode {
                    address,
                    expected: type_name::<T>(),
                    reason: e.to_string(),
                })
        })
        .collect()
}

fn type_name<T>() -> &'static str {
    std::any::type_name::<T>()
        .rsplit("::")
        .next()
        .unwrap_or("account")
}

/// A reference or a shared pointer to a cluster is a cluster: services hold
/// an `Arc<RpcCluster>`, tests lend a `&LocalCluster` they keep using.
macro_rules! delegate_cluster {
    ($($wrapper:ty),*) => {$(
        impl<C: Cluster> Cluster for $wrapper {
            fn payer(&self) -> &Keypair {
                (**self).payer()
            }

            async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ClientError> {
                (**self).get_account(address).await
            }

            async fn get_multiple_accounts(
                &self,
                addresses: &[Pubkey],
            ) -> Result<Vec<Option<Account>>, ClientError> {
                (**self).get_multiple_accounts(addresses).await
            }

            async fn get_program_accounts(
                &self,
                program: &Pubkey,
                filters: &[AccountFilter],
            ) -> Result<Vec<(Pubkey, Account)>, ClientError> {
                (**self).get_program_accounts(program, filters).await
            }

            async fn get_balance(&self, address: &Pubkey) -> Result<u64, ClientError> {
                (**self).get_balance(address).await
            }

            async fn send(
                &self,
                instructions: &[Instruction],
                signers: &[&Keypair],
            ) -> Result<Sent, ClientError> {
                (**self).send(instructions, signers).await
            }

            async fn unix_timestamp(&self) -> Result<i64, ClientError> {
                (**self).unix_timestamp().await
            }

            async fn minimum_balance(&self, data_len: usize) -> Result<u64, ClientError> {
                (**self).minimum_balance(data_len).await
            }
        }
    )*};
}

delegate_cluster!(&C, std::sync::Arc<C>);
