//! Transactions signed in more than one place, the `solana` CLI's offline
//! signing: every party builds the same message from the same instructions,
//! fee payer, blockhash and explicit compute budget (nothing is simulated or
//! looked up, so the bytes agree), signs with the keys it holds, and passes
//! `PUBKEY=SIGNATURE` pairs on. Whoever holds the last key assembles the
//! transaction and sends it with [`RpcCluster::send_signed`].

use anchor_lang::prelude::Pubkey;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

use super::budget;
use super::deliver::{self, Chain};
use super::RpcCluster;
use crate::cluster::Sent;
use crate::error::{ClientError, FailureStage, TxFailure};

/// Blocks a blockhash stays usable (agave's MAX_PROCESSING_AGE).
const BLOCKHASH_LIFETIME: u64 = 150;

/// The message every party signs: the compute budget instructions only when
/// given (the same on every side), then `instructions`.
pub fn offline_message(
    instructions: &[Instruction],
    fee_payer: &Pubkey,
    blockhash: Hash,
    compute_unit_limit: Option<u32>,
    compute_unit_price: Option<u64>,
) -> Message {
    let mut all = budget::budget_instructions(compute_unit_limit, compute_unit_price);
    all.extend_from_slice(instructions);
    Message::new_with_blockhash(&all, Some(fee_payer), &blockhash)
}

/// What one party's signing produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialSignatures {
    pub blockhash: Hash,
    /// Signatures made here, in the message's signer order.
    pub signed: Vec<(Pubkey, Signature)>,
    /// Signers whose signatures must come from elsewhere.
    pub absent: Vec<Pubkey>,
}

/// Signs `message` with those of `keypairs` it needs.
pub fn sign_partial(message: &Message, keypairs: &[&Keypair]) -> PartialSignatures {
    let bytes = message.serialize();
    let mut signed = Vec::new();
    let mut absent = Vec::new();
    for key in message.signer_keys() {
        match keypairs.iter().find(|k| k.pubkey() == *key) {
            Some(keypair) => signed.push((*key, keypair.sign_message(&bytes))),
            None => absent.push(*key),
        }
    }
    PartialSignatures {
        blockhash: message.recent_blockhash,
        signed,
        absent,
    }
}

/// The signed transaction: `keypairs` sign, `given` signatures are checked
/// against the message and put in place. Every signer must be covered.
pub fn assemble(
    message: Message,
    keypairs: &[&Keypair],
    given: &[(Pubkey, Signature)],
) -> Result<Transaction, ClientError> {
    let bytes = message.serialize();
    let signers: Vec<Pubkey> = message.signer_keys().into_iter().copied().collect();
    let mut signatures = Vec::with_capacity(signers.len());
    for key in &signers {
        let signature = match keypairs.iter().find(|k| k.pubkey() == *key) {
            Some(keypair) => keypair.sign_message(&bytes),
            None => {
                let (_, signature) = given
                    .iter()
                    .find(|(signer, _)| signer == key)
                    .ok_or(ClientError::MissingSigner(*key))?;
                if !signature.verify(key.as_ref(), &bytes) {
                    return Err(ClientError::BadSignature(*key));
                }
                *signature
            }
        };
        signatures.push(signature);
    }
    if let Some((stray, _)) = given.iter().find(|(key, _)| !signers.contains(key)) {
        return Err(ClientError::NotASigner(*stray));
    }
    let mut transaction = Transaction::new_unsigned(message);
    transaction.signatures = signatures;
    Ok(transaction)
}

impl RpcCluster {
    /// Simulates, sends and confirms a transaction signed elsewhere. It
    /// cannot be signed again: if its blockhash expires unprocessed (looked
    /// up with history), the error says so and nothing was applied.
    pub async fn send_signed(&self, transaction: Transaction) -> Result<Sent, ClientError> {
        let message = transaction.message.clone();
        let programs = budget::message_programs(&message);
        let prepended = programs
            .iter()
            .take_while(|p| **p == solana_compute_budget_interface::ID)
            .count();
        let simulation = self.simulate(&message).await?;
        let logs = simulation.logs.clone().unwrap_or_default();
        if let Some(error) = simulation.err {
            let failure = TxFailure::new(TransactionError::from(error), logs)
                .at(FailureStage::Simulation)
                .with_programs(&programs, prepended);
            return Err(failure.into());
        }
        let chain = self.chain();
        let blockhash = message.recent_blockhash;
        let last_valid = chain
            .block_height()
            .await?
            .saturating_add(BLOCKHASH_LIFETIME);
        let policy = super::ConfirmPolicy {
            max_resigns: 0,
            ..self.config.confirm
        };
        let delivered = deliver::deliver(
            &chain,
            &policy,
            &self.recent,
            (blockhash, last_valid),
            |offered| {
                if offered == blockhash {
                    Ok(transaction.clone())
                } else {
                    Err(ClientError::BlockhashExpired(blockhash))
                }
            },
        )
        .await?;
        let prepared = super::send::Prepared {
            message,
            prepended,
            limit: None,
            price: None,
            blockhash: None,
            simulated_units: simulation.units_consumed.unwrap_or(0),
            simulated_logs: logs,
        };
        self.outcome(&prepared, delivered).await
    }
}
