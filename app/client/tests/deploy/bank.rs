//! A bank with no depin program preloaded, so they can be deployed through
//! the loader at their own addresses, and whose slot moves on.
//!
//! A real cluster produces a slot every 400 ms, so a program deployed in one
//! transaction runs from the next, and an upgrade after an extension lands in
//! a later slot. The bank stays in one slot unless warped; this one warps to
//! the next slot before a transaction when a program changed in the current
//! slot, and only then: a program-test bank warped twice past a deployment no
//! longer finds that deployment in its program cache (it reloads the program
//! and trips a debug assertion). Tests run on a current-thread runtime, so
//! nothing else touches the bank while it warps (program-test's blockhash
//! ticker would otherwise race the freeze).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use depin_client::deploy::LOADER_ID;
use depin_client::error::TxFailure;
use depin_client::{ClientError, Cluster, Instruction, Keypair, Pubkey, Sent, Signer};
use solana_account::Account;
use solana_program_test::{BanksClient, ProgramTest, ProgramTestContext};
use solana_transaction::Transaction;

pub struct Bank {
    context: Mutex<ProgramTestContext>,
    banks: BanksClient,
    payer: Keypair,
    slot: AtomicU64,
    /// The last slot in which a loader instruction changed a program.
    program_changed: AtomicU64,
    sent: Mutex<HashSet<[u8; 64]>>,
}

fn cluster_err(e: impl std::fmt::Display) -> ClientError {
    ClientError::Cluster(e.to_string())
}

/// A loader instruction that changes a program: deploy (2), upgrade (3),
/// set authority (4), close (5), extend (6).
fn changes_a_program(ix: &Instruction) -> bool {
    ix.program_id == LOADER_ID && matches!(ix.data.first(), Some(2..=6))
}

impl Bank {
    pub async fn start() -> Self {
        let mut program_test = ProgramTest::default();
        program_test.prefer_bpf(true);
        let context = program_test.start_with_context().await;
        let banks = context.banks_client.clone();
        let payer = context.payer.insecure_clone();
        let clock: anchor_lang::prelude::Clock = banks.get_sysvar().await.unwrap();
        Bank {
            context: Mutex::new(context),
            banks,
            payer,
            slot: AtomicU64::new(clock.slot),
            program_changed: AtomicU64::new(u64::MAX),
            sent: Mutex::new(HashSet::new()),
        }
    }

    /// The same bank, paid by `payer` from now on.
    pub fn paid_by(mut self, payer: Keypair) -> Self {
        self.payer = payer;
        self
    }

    pub fn next_slot(&self) {
        let slot = self.slot.fetch_add(1, Ordering::SeqCst) + 1;
        self.context.lock().unwrap().warp_to_slot(slot).unwrap();
    }

    pub async fn lamports(&self, address: &Pubkey) -> u64 {
        self.get_balance(address).await.unwrap()
    }

    pub async fn fund(&self, to: &Pubkey, lamports: u64) {
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &self.payer.pubkey(),
            to,
            lamports,
        );
        self.send(&[ix], &[]).await.unwrap();
    }
}

impl Cluster for Bank {
    fn payer(&self) -> &Keypair {
        &self.payer
    }

    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ClientError> {
        self.banks.get_account(*address).await.map_err(cluster_err)
    }

    async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, ClientError> {
        if self.program_changed.load(Ordering::SeqCst) == self.slot.load(Ordering::SeqCst) {
            self.next_slot();
        }
        if instructions.iter().any(changes_a_program) {
            self.program_changed
                .store(self.slot.load(Ordering::SeqCst), Ordering::SeqCst);
        }
        let mut all_signers: Vec<&Keypair> = vec![&self.payer];
        for signer in signers {
            if !all_signers.iter().any(|s| s.pubkey() == signer.pubkey()) {
                all_signers.push(signer);
            }
        }
        let mut blockhash = self
            .banks
            .get_latest_blockhash()
            .await
            .map_err(cluster_err)?;
        let transaction = loop {
            let tx = Transaction::new_signed_with_payer(
                instructions,
                Some(&self.payer.pubkey()),
                &all_signers,
                blockhash,
            );
            if self
                .sent
                .lock()
                .unwrap()
                .insert(*tx.signatures[0].as_array())
            {
                break tx;
            }
            // Identical bytes would be dropped as a duplicate.
            self.next_slot();
            blockhash = self
                .banks
                .get_latest_blockhash()
                .await
                .map_err(cluster_err)?;
        };
        let signature = transaction.signatures[0];
        let outcome = self
            .banks
            .process_transaction_with_metadata(transaction)
            .await
            .map_err(cluster_err)?;
        let (compute_units, logs) = outcome
            .metadata
            .map(|m| (m.compute_units_consumed, m.log_messages))
            .unwrap_or_default();
        match outcome.result {
            Ok(()) => Ok(Sent {
                signature,
                compute_units,
                logs,
                fee: None,
            }),
            Err(error) => Err(ClientError::Transaction(Box::new(TxFailure::new(
                error, logs,
            )))),
        }
    }

    async fn unix_timestamp(&self) -> Result<i64, ClientError> {
        let clock: anchor_lang::prelude::Clock =
            self.banks.get_sysvar().await.map_err(cluster_err)?;
        Ok(clock.unix_timestamp)
    }

    async fn minimum_balance(&self, data_len: usize) -> Result<u64, ClientError> {
        let rent = self.banks.get_rent().await.map_err(cluster_err)?;
        Ok(rent.minimum_balance(data_len))
    }
}

/// Passes everything to `inner` until `sends_left` transactions were sent,
/// then fails every send like a dropped connection: a deploy interrupted
/// mid-write.
pub struct Interrupted<'a> {
    pub inner: &'a Bank,
    pub sends_left: AtomicU64,
}

impl Cluster for Interrupted<'_> {
    fn payer(&self) -> &Keypair {
        self.inner.payer()
    }

    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ClientError> {
        self.inner.get_account(address).await
    }

    async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, ClientError> {
        let allowed = self
            .sends_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_ok();
        if !allowed {
            return Err(ClientError::Cluster("connection reset by peer".into()));
        }
        self.inner.send(instructions, signers).await
    }

    async fn unix_timestamp(&self) -> Result<i64, ClientError> {
        self.inner.unix_timestamp().await
    }

    async fn minimum_balance(&self, data_len: usize) -> Result<u64, ClientError> {
        self.inner.minimum_balance(data_len).await
    }
}
