//! An in-process cluster: a solana-program-test bank with the real SPL Token
//! program and the depin programs, run natively (fast, debuggable) or from
//! their SBF builds in the real VM (compute units). Tests and `depin demo`
//! both start their cluster here.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;

use anchor_lang::prelude::{AccountInfo, Pubkey};
use solana_account::Account;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_program_test::{processor, BanksClient, ProgramTest, ProgramTestContext};
use solana_signer::Signer;
use solana_transaction::Transaction;

use crate::cluster::{Cluster, Sent};
use crate::error::{ClientError, TxFailure};

/// How the programs run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgramMode {
    /// Compiled into this process: fast; compute units are not measured.
    Native,
    /// The `.so` ELFs from `scripts/build-sbf`, in the real SBF VM.
    Sbf { dir: PathBuf },
}

impl ProgramMode {
    /// `DEPIN_PROGRAM_MODE=sbf` selects the SBF builds (from `SBF_OUT_DIR`,
    /// default `<workspace>/target/deploy`); anything else runs natively.
    pub fn from_env() -> Self {
        match std::env::var("DEPIN_PROGRAM_MODE").as_deref() {
            Ok("sbf") => ProgramMode::Sbf {
                dir: Self::from_env_dir(),
            },
            _ => ProgramMode::Native,
        }
    }

    /// Where SBF builds are read from: `SBF_OUT_DIR`, else `<workspace>/target/deploy`.
    pub fn from_env_dir() -> PathBuf {
        std::env::var_os("SBF_OUT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(default_sbf_dir)
    }

    pub fn is_sbf(&self) -> bool {
        matches!(self, ProgramMode::Sbf { .. })
    }
}

fn default_sbf_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/deploy")
}

/// Anchor's `entry<'info>` wants one lifetime for the account slice and the
/// accounts, which `processor!` cannot give; this wrapper only widens the
/// slice's, and the accounts outlive the call.
macro_rules! native_entry {
    ($name:ident, $program:ident) => {
        fn $name(
            program_id: &Pubkey,
            accounts: &[AccountInfo],
            data: &[u8],
        ) -> anchor_lang::solana_program::entrypoint::ProgramResult {
            let accounts: &[AccountInfo] = unsafe { core::mem::transmute(accounts) };
            $program::entry(program_id, accounts, data)
        }
    };
}

native_entry!(registry_entry, depin_registry);
native_entry!(rewards_entry, depin_rewards);
native_entry!(staking_entry, depin_staking);
native_entry!(revenue_entry, depin_revenue);
native_entry!(fractional_entry, depin_fractional);
native_entry!(payments_entry, depin_payments);

pub use crate::PROGRAMS;

fn add_native_programs(pt: &mut ProgramTest) {
    pt.add_program(
        "depin_registry",
        depin_registry::ID,
        processor!(registry_entry),
    );
    pt.add_program(
        "depin_rewards",
        depin_rewards::ID,
        processor!(rewards_entry),
    );
    pt.add_program(
        "depin_staking",
        depin_staking::ID,
        processor!(staking_entry),
    );
    pt.add_program(
        "depin_revenue",
        depin_revenue::ID,
        processor!(revenue_entry),
    );
    pt.add_program(
        "depin_fractional",
        depin_fractional::ID,
        processor!(fractional_entry),
    );
    pt.add_program(
        "depin_payments",
        depin_payments::ID,
        processor!(payments_entry),
    );
}

pub struct LocalCluster {
    context: tokio::sync::Mutex<ProgramTestContext>,
    banks: BanksClient,
    payer: Keypair,
    mode: ProgramMode,
    /// Signatures already sent: resending identical bytes would be dropped as
    /// a duplicate by the bank, so a fresh blockhash is taken instead.
    sent: Mutex<HashSet<[u8; 64]>>,
}

static START_LOCK: Mutex<bool> = Mutex::new(false);

impl LocalCluster {
    pub async fn start() -> Self {
        Self::start_with(ProgramMode::from_env(), |_| {}).await
    }

    /// Starts a bank; `setup` may add accounts or programs before genesis.
    pub async fn start_with(mode: ProgramMode, setup: impl FnOnce(&mut ProgramTest)) -> Self {
        let mut program_test = ProgramTest::default();
        match &mode {
            ProgramMode::Native => {
                program_test.prefer_bpf(false);
                add_native_programs(&mut program_test);
            }
            ProgramMode::Sbf { dir } => {
                for (name, _) in PROGRAMS {
                    let so = dir.join(format!("{name}.so"));
                    assert!(
                        so.exists(),
                        "{} is missing: run scripts/build-sbf first",
                        so.display()
                    );
                }
                set_sbf_out_dir(dir);
                program_test.prefer_bpf(true);
                for (name, id) in PROGRAMS {
                    program_test.add_program(name, *id, None);
                }
            }
        }
        setup(&mut program_test);

        // The first start installs solana-program-test's syscall stubs; the
        // stub bridge must go in before any other bank runs a transaction.
        let context = {
            let mut bridged = START_LOCK.lock().unwrap_or_else(|e| e.into_inner());
            let context = start_blocking(program_test);
            if !*bridged {
                stub_bridge::install();
                *bridged = true;
            }
            context
        };
        let banks = context.banks_client.clone();
        let payer = context.payer.insecure_clone();
        LocalCluster {
            context: tokio::sync::Mutex::new(context),
            banks,
            payer,
            mode,
            sent: Mutex::new(HashSet::new()),
        }
    }

    pub fn mode(&self) -> &ProgramMode {
        &self.mode
    }

    pub fn banks(&self) -> &BanksClient {
        &self.banks
    }

    /// Moves the bank's clock forward by `seconds` (the slot stays).
    ///
    /// Only the clock sysvar of the working bank is set: warping to a new
    /// slot (`warp_to_slot`) freezes the working bank while program-test's
    /// blockhash ticker task may still register a blockhash in it, which
    /// panics the bank (`!self.freeze_started()`) in about a third of warps.
    pub async fn advance_clock(&self, seconds: i64) -> Result<(), ClientError> {
        let context = self.context.lock().await;
        let mut clock: anchor_lang::prelude::Clock =
            self.banks.get_sysvar().await.map_err(cluster_err)?;
        clock.unix_timestamp += seconds;
        context.set_sysvar(&clock);
        Ok(())
    }

    /// Sends SOL from the payer (to fund a test wallet).
    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<(), ClientError> {
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &self.payer.pubkey(),
            to,
            lamports,
        );
        self.send(&[ix], &[]).await.map(|_| ())
    }

    pub async fn lamports(&self, address: &Pubkey) -> Result<u64, ClientError> {
        Ok(self
            .get_account(address)
            .await?
            .map(|a| a.lamports)
            .unwrap_or(0))
    }

    async fn fresh_blockhash(&self) -> Result<Hash, ClientError> {
        let mut context = self.context.lock().await;
        context
            .get_new_latest_blockhash()
            .await
            .map_err(cluster_err)
    }
}

/// solana-program-test's `start_with_context` spawns tasks on the current
/// runtime; starting it inside `block_in_place` keeps callers free to be on
/// any runtime flavour.
fn start_blocking(program_test: ProgramTest) -> ProgramTestContext {
    let handle = tokio::runtime::Handle::current();
    match handle.runtime_flavor() {
        tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| handle.block_on(program_test.start_with_context()))
        }
        _ => futures_lite_block_on(&handle, program_test),
    }
}

fn futures_lite_block_on(
    handle: &tokio::runtime::Handle,
    program_test: ProgramTest,
) -> ProgramTestContext {
    // Current-thread runtimes cannot block_in_place; run the start on a
    // helper thread that enters the same runtime.
    let handle = handle.clone();
    std::thread::scope(|scope| {
        scope
            .spawn(move || handle.block_on(program_test.start_with_context()))
            .join()
            .expect("program-test start panicked")
    })
}

fn set_sbf_out_dir(dir: &std::path::Path) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    let dir = dir.to_path_buf();
    // solana-program-test finds `.so` files through this variable; it is set
    // once, before any bank starts.
    ONCE.call_once(move || std::env::set_var("SBF_OUT_DIR", dir));
}

fn cluster_err(e: impl std::fmt::Display) -> ClientError {
    ClientError::Cluster(e.to_string())
}

impl Cluster for LocalCluster {
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
            let signature = *tx.signatures[0].as_array();
            if self.sent.lock().unwrap().insert(signature) {
                break tx;
            }
            blockhash = self.fresh_blockhash().await?;
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

    async fn minimum_balance(&self, data_len: usize) -> Result<u64, ClientError> {
        let rent = self.banks.get_rent().await.map_err(cluster_err)?;
        Ok(rent.minimum_balance(data_len))
    }

    async fn unix_timestamp(&self) -> Result<i64, ClientError> {
        let clock: anchor_lang::prelude::Clock =
            self.banks.get_sysvar().await.map_err(cluster_err)?;
        Ok(clock.unix_timestamp)
    }
}

/// Bridges two copies of the native syscall stubs. Anchor 1.2 (solana v3
/// crates) and solana-program-test 4.2 (v4 crates) each keep their own stub
/// registry, and program-test fills only v4's, so natively Anchor's CPIs
/// would silently do nothing and `Rent::get()` would fail. This moves
/// program-test's stubs out of v4 and installs one forwarder in both.
mod stub_bridge {
    use anchor_lang::prelude::{AccountInfo, Pubkey};
    use solana_instruction::Instruction;
    use solana_sysvar_v3::program_stubs as v3;
    use solana_sysvar_v4::program_stubs as v4;

    type ProgramResult = Result<(), anchor_lang::prelude::ProgramError>;

    struct Placeholder;
    impl v4::SyscallStubs for Placeholder {}

    struct Forwarder(&'static dyn v4::SyscallStubs);

    pub fn install() {
        let program_test_stubs: &'static dyn v4::SyscallStubs =
            Box::leak(v4::set_syscall_stubs(Box::new(Placeholder)));
        v4::set_syscall_stubs(Box::new(Forwarder(program_test_stubs)));
        v3::set_syscall_stubs(Box::new(Forwarder(program_test_stubs)));
    }

    macro_rules! forward {
        ($trait:path) => {
            impl $trait for Forwarder {
                fn sol_log(&self, message: &str) {
                    self.0.sol_log(message)
                }
                fn sol_log_compute_units(&self) {
                    self.0.sol_log_compute_units()
                }
                fn sol_remaining_compute_units(&self) -> u64 {
                    self.0.sol_remaining_compute_units()
                }
                fn sol_invoke_signed(
                    &self,
                    instruction: &Instruction,
                    account_infos: &[AccountInfo],
                    signers_seeds: &[&[&[u8]]],
                ) -> ProgramResult {
                    self.0
                        .sol_invoke_signed(instruction, account_infos, signers_seeds)
                }
                fn sol_get_sysvar(
                    &self,
                    sysvar_id_addr: *const u8,
                    var_addr: *mut u8,
                    offset: u64,
                    length: u64,
                ) -> u64 {
                    self.0
                        .sol_get_sysvar(sysvar_id_addr, var_addr, offset, length)
                }
                fn sol_get_clock_sysvar(&self, var_addr: *mut u8) -> u64 {
                    self.0.sol_get_clock_sysvar(var_addr)
                }
                fn sol_get_epoch_schedule_sysvar(&self, var_addr: *mut u8) -> u64 {
                    self.0.sol_get_epoch_schedule_sysvar(var_addr)
                }
                fn sol_get_fees_sysvar(&self, var_addr: *mut u8) -> u64 {
                    self.0.sol_get_fees_sysvar(var_addr)
                }
                fn sol_get_rent_sysvar(&self, var_addr: *mut u8) -> u64 {
                    self.0.sol_get_rent_sysvar(var_addr)
                }
                fn sol_get_epoch_rewards_sysvar(&self, var_addr: *mut u8) -> u64 {
                    self.0.sol_get_epoch_rewards_sysvar(var_addr)
                }
                fn sol_get_last_restart_slot(&self, var_addr: *mut u8) -> u64 {
                    self.0.sol_get_last_restart_slot(var_addr)
                }
                fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
                    self.0.sol_get_epoch_stake(vote_address)
                }
                unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
                    unsafe { self.0.sol_memcpy(dst, src, n) }
                }
                unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
                    unsafe { self.0.sol_memmove(dst, src, n) }
                }
                unsafe fn sol_memcmp(
                    &self,
                    s1: *const u8,
                    s2: *const u8,
                    n: usize,
                    result: *mut i32,
                ) {
                    unsafe { self.0.sol_memcmp(s1, s2, n, result) }
                }
                unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
                    unsafe { self.0.sol_memset(s, c, n) }
                }
                fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
                    self.0.sol_get_return_data()
                }
                fn sol_set_return_data(&self, data: &[u8]) {
                    self.0.sol_set_return_data(data)
                }
                fn sol_log_data(&self, fields: &[&[u8]]) {
                    self.0.sol_log_data(fields)
                }
                fn sol_get_processed_sibling_instruction(
                    &self,
                    index: usize,
                ) -> Option<Instruction> {
                    self.0.sol_get_processed_sibling_instruction(index)
                }
                fn sol_get_stack_height(&self) -> u64 {
                    self.0.sol_get_stack_height()
                }
            }
        };
    }

    forward!(v3::SyscallStubs);
    forward!(v4::SyscallStubs);
}
