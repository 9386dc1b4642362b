//! Shared set-up for the integration tests: a started cluster with a
//! platform, a reward mint and one network whose creator holds every role.
//! `DEPIN_PROGRAM_MODE=sbf` runs the same tests against the SBF builds.

use anchor_lang::prelude::Pubkey;
use depin_client::local::LocalCluster;
use depin_client::registry::{self, CreateNetworkArgs, NewDevice};
use depin_client::{token, ClientError, Cluster, Instruction, Keypair, Sent, Signer};
use depin_registry::state::DeviceKind;
pub use solana_instruction::error::InstructionError;
use solana_transaction_error::TransactionError;

pub const SOL: u64 = 1_000_000_000;
/// San Francisco, H3 resolution 9.
pub const SF_CELL: u64 = 0x8928308280fffff;
/// San Francisco, H3 resolution 5.
pub const SF_CELL_RES5: u64 = 0x85283473fffffff;

pub struct Env {
    pub cluster: LocalCluster,
    /// Created the network; holds every permission.
    pub admin: Keypair,
    pub network: Pubkey,
    pub network_id: u32,
    pub reward_mint: Pubkey,
}

impl Env {
    pub async fn new() -> Env {
        Self::with_admin(Keypair::new()).await
    }

    /// Like [`Env::new`] with a chosen creator key (fixed keys make PDA bump
    /// searches, and so compute units, repeatable).
    pub async fn with_admin(admin: Keypair) -> Env {
        let cluster = LocalCluster::start().await;
        cluster.airdrop(&admin.pubkey(), 10 * SOL).await.unwrap();
        let payer = cluster.payer().pubkey();
        if registry::platform(&cluster).await.unwrap().is_none() {
            cluster
                .send(&[registry::initialize_platform(&payer)], &[])
                .await
                .unwrap();
        }
        let reward_mint = token::create_mint(&cluster, &admin.pubkey(), 6)
            .await
            .unwrap();
        let network_id = registry::next_network_id(&cluster).await.unwrap();
        let args = CreateNetworkArgs {
            name: "solar-berlin".into(),
            epoch_length_secs: 86_400,
            min_operator_bond: 1_000,
        };
        let ix = registry::create_network(&payer, &admin.pubkey(), network_id, &reward_mint, args);
        cluster.send(&[ix], &[&admin]).await.unwrap();
        let network = depin_registry::pda::network(network_id).0;
        Env {
            cluster,
            admin,
            network,
            network_id,
            reward_mint,
        }
    }

    pub async fn send(
        &self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, ClientError> {
        self.cluster.send(instructions, signers).await
    }

    /// A new wallet with some SOL.
    pub async fn wallet(&self) -> Keypair {
        let keypair = Keypair::new();
        self.cluster.airdrop(&keypair.pubkey(), SOL).await.unwrap();
        keypair
    }

    /// A new wallet holding `permissions` in the network.
    pub async fn member(&self, permissions: u16) -> Keypair {
        let wallet = self.wallet().await;
        let ix = registry::grant_role(
            &self.payer(),
            &self.admin.pubkey(),
            &self.network,
            &wallet.pubkey(),
            permissions,
        );
        self.send(&[ix], &[&self.admin]).await.unwrap();
        wallet
    }

    pub fn payer(&self) -> Pubkey {
        self.cluster.payer().pubkey()
    }

    /// Approves a new maker (by the admin) and returns its authority.
    pub async fn maker(&self, quota: u32) -> Keypair {
        self.maker_in(&self.network, &self.admin, quota).await
    }

    /// Approves a new maker in `network` (by `manager`, who holds
    /// MAKER_MANAGER there) and returns its authority.
    pub async fn maker_in(&self, network: &Pubkey, manager: &Keypair, quota: u32) -> Keypair {
        let authority = Keypair::new();
        let args = registry::ApproveMakerArgs {
            maker_authority: authority.pubkey(),
            name: "Acme Batteries".into(),
            quota,
        };
        let ix = registry::approve_maker(&self.payer(), &manager.pubkey(), network, args);
        self.send(&[ix], &[manager]).await.unwrap();
        authority
    }

    pub fn new_device(owner: &Pubkey) -> (Keypair, NewDevice) {
        let key = Keypair::new();
        let device = NewDevice {
            device_key: key.pubkey(),
            owner: *owner,
            kind: DeviceKind::Battery,
            location: SF_CELL,
            capacity: 13_500,
        };
        (key, device)
    }

    /// Registers a battery owned by `owner` through `maker`; returns its key.
    pub async fn device(&self, maker: &Keypair, owner: &Pubkey) -> Keypair {
        self.device_in(&self.network, maker, owner).await
    }

    /// Registers a battery in `network` (no onboarding fee) through `maker`.
    pub async fn device_in(&self, network: &Pubkey, maker: &Keypair, owner: &Pubkey) -> Keypair {
        let (key, device) = Self::new_device(owner);
        let ix = registry::register_device(&self.payer(), network, &maker.pubkey(), &device, None);
        self.send(&[ix], &[&key, maker]).await.unwrap();
        key
    }

    /// A second network in the same cluster, created by its own admin (for
    /// cross-network substitution tests).
    pub async fn other_network(&self) -> OtherNetwork {
        let admin = self.wallet().await;
        let network_id = registry::next_network_id(&self.cluster).await.unwrap();
        let args = CreateNetworkArgs {
            name: "wind-hamburg".into(),
            epoch_length_secs: 3_600,
            min_operator_bond: 0,
        };
        let ix = registry::create_network(
            &self.payer(),
            &admin.pubkey(),
            network_id,
            &self.reward_mint,
            args,
        );
        self.send(&[ix], &[&admin]).await.unwrap();
        let network = depin_registry::pda::network(network_id).0;
        OtherNetwork {
            admin,
            network,
            network_id,
        }
    }

    /// Sets an onboarding fee of `amount` (a new mint, treasury owned by the
    /// admin) and gives the cluster payer a fee account holding `payer_balance`.
    pub async fn set_fee(&self, amount: u64, payer_balance: u64) -> Fee {
        let mint = token::create_mint(&self.cluster, &self.admin.pubkey(), 6)
            .await
            .unwrap();
        let treasury = token::create_token_account(&self.cluster, &mint, &self.admin.pubkey())
            .await
            .unwrap();
        let ix = registry::set_onboarding_fee(
            &self.admin.pubkey(),
            &self.network,
            Some((mint, treasury)),
            amount,
        );
        self.send(&[ix], &[&self.admin]).await.unwrap();
        let source = token::create_token_account(&self.cluster, &mint, &self.payer())
            .await
            .unwrap();
        if payer_balance > 0 {
            token::mint_to(&self.cluster, &mint, &source, &self.admin, payer_balance)
                .await
                .unwrap();
        }
        Fee {
            mint,
            treasury,
            source,
            amount,
        }
    }

    /// Lamports held by `address` (0 when the account does not exist).
    pub async fn lamports(&self, address: &Pubkey) -> u64 {
        self.cluster.lamports(address).await.unwrap()
    }

    /// Whether an account exists at `address`.
    pub async fn exists(&self, address: &Pubkey) -> bool {
        self.cluster.get_account(address).await.unwrap().is_some()
    }

    /// Token balance of `token_account`.
    pub async fn balance(&self, token_account: &Pubkey) -> u64 {
        token::balance(&self.cluster, token_account).await.unwrap()
    }
}

/// A second network sharing the cluster with [`Env`]'s.
pub struct OtherNetwork {
    /// Holds every permission in `network` (and none in `Env::network`).
    pub admin: Keypair,
    pub network: Pubkey,
    pub network_id: u32,
}

/// A network's onboarding fee configuration and the payer's fee account.
#[derive(Debug, Clone, Copy)]
pub struct Fee {
    pub mint: Pubkey,
    pub treasury: Pubkey,
    /// The cluster payer's token account of `mint`.
    pub source: Pubkey,
    pub amount: u64,
}

impl Fee {
    /// The accounts `register_device` needs to pay this fee.
    pub fn payment(&self) -> registry::FeePayment {
        registry::FeePayment {
            mint: self.mint,
            source: self.source,
            treasury: self.treasury,
            token_program: token::TOKEN_PROGRAM_ID,
        }
    }
}

/// Asserts that `result` failed with exactly this program error.
#[track_caller]
pub fn assert_error<T: std::fmt::Debug>(result: Result<T, ClientError>, expected: impl Into<u32>) {
    let expected = expected.into();
    match result {
        Ok(value) => panic!("expected error {expected}, got success: {value:?}"),
        Err(error) => assert_eq!(
            error.custom_code(),
            Some(expected),
            "expected error {expected}, got: {error}\nlogs:\n{}",
            error.logs().join("\n")
        ),
    }
}

/// Asserts that instruction `index` of the transaction failed with `expected`
/// (for failures outside the registry: the Ed25519 precompile, SPL Token,
/// or account data the runtime or a foreign layout rejects).
#[track_caller]
pub fn assert_instruction_error<T: std::fmt::Debug>(
    result: Result<T, ClientError>,
    index: u8,
    expected: InstructionError,
) {
    let error = assert_fails(result);
    let expected = TransactionError::InstructionError(index, expected);
    assert_eq!(
        error.tx().map(|failure| &failure.error),
        Some(&expected),
        "got: {error}\nlogs:\n{}",
        error.logs().join("\n")
    );
}

/// Asserts a failed transaction whatever the error (for runtime-level
/// rejections such as a missing signature).
#[track_caller]
pub fn assert_fails<T: std::fmt::Debug>(result: Result<T, ClientError>) -> ClientError {
    match result {
        Ok(value) => panic!("expected failure, got success: {value:?}"),
        Err(error) => error,
    }
}

/// Clears the signer flag of `key` in `ix`, so the transaction can be sent
/// without that signature (the "missing signer" attack).
pub fn unsign(mut ix: Instruction, key: &Pubkey) -> Instruction {
    let mut found = false;
    for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == *key) {
        meta.is_signer = false;
        found = true;
    }
    assert!(found, "{key} is not an account of this instruction");
    ix
}

/// Replaces every occurrence of account `from` with `to` (substitution attacks).
pub fn substitute(mut ix: Instruction, from: &Pubkey, to: &Pubkey) -> Instruction {
    let mut found = false;
    for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == *from) {
        meta.pubkey = *to;
        found = true;
    }
    assert!(found, "{from} is not an account of this instruction");
    ix
}

/// Asserts that `result` failed because an `init` target already exists (the
/// system program's "account already in use").
#[track_caller]
pub fn assert_already_in_use<T: std::fmt::Debug>(result: Result<T, ClientError>) {
    let error = assert_fails(result);
    assert!(
        error
            .logs()
            .iter()
            .any(|line| line.contains("already in use")),
        "expected \"already in use\", got: {error}\nlogs:\n{}",
        error.logs().join("\n")
    );
}
