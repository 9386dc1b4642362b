use anchor_lang::prelude::Pubkey;
use anchor_lang::AccountDeserialize;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signature::Signature;

use crate::error::ClientError;

/// What a confirmed transaction reports back.
#[derive(Debug, Clone)]
pub struct Sent {
    pub signature: Signature,
    /// Compute units consumed (meaningful when programs run in the SBF VM).
    pub compute_units: u64,
    pub logs: Vec<String>,
}

/// A place the programs run: an in-process bank (`local::LocalCluster`) or,
/// later, an RPC endpoint. Every reader and sender in this crate is written
/// against this trait, so the same code serves tests, the demo and the CLI.
#[allow(async_fn_in_trait)]
pub trait Cluster {
    /// Pays fees and rent unless told otherwise.
    fn payer(&self) -> &Keypair;

    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ClientError>;

    /// Signs with the payer plus `signers`, sends, waits for confirmation.
    async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, ClientError>;

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
            expected: std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("account"),
            reason: e.to_string(),
        })
}

pub async fn fetch<T: AccountDeserialize>(
    cluster: &impl Cluster,
    address: &Pubkey,
) -> Result<T, ClientError> {
    fetch_optional(cluster, address)
        .await?
        .ok_or(ClientError::AccountNotFound(*address))
}
