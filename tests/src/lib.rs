//! Shared set-up for the integration tests: a started cluster with a
//! platform, a reward mint and one network whose creator holds every role.
//! `DEPIN_PROGRAM_MODE=sbf` runs the same tests against the SBF builds.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use depin_client::local::LocalCluster;
use depin_client::registry::{
    self, AttestationTarget, CreateNetworkArgs, NewDevice, UpdateDeviceArgs,
};
use depin_client::{token, ClientError, Cluster, Instruction, Keypair, Sent, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::pda;
use depin_registry::state::{Device, DeviceKind, Maker, Member, Network};
pub use solana_instruction::error::InstructionError;
use solana_transaction_error::TransactionError;

pub mod market;

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
        self.register_in(network, maker, &key, &device, None)
            .await
            .unwrap();
        key
    }

    /// Tries to register a new battery owned by the admin through `maker`,
    /// paying `fee` if given: for tests of what onboarding refuses or costs.
    pub async fn try_device(
        &self,
        maker: &Keypair,
        fee: Option<registry::FeePayment>,
    ) -> (Keypair, Result<Sent, ClientError>) {
        let (key, device) = Self::new_device(&self.admin.pubkey());
        let result = self
            .register_in(&self.network, maker, &key, &device, fee)
            .await;
        (key, result)
    }

    /// Sends `register_device` for `device` (whose own key `key` signs)
    /// through `maker`, with no onboarding fee.
    pub async fn register(
        &self,
        maker: &Keypair,
        key: &Keypair,
        device: &NewDevice,
    ) -> Result<Sent, ClientError> {
        self.register_in(&self.network, maker, key, device, None)
            .await
    }

    /// [`Env::register`] in `network`, paying `fee` if given.
    pub async fn register_in(
        &self,
        network: &Pubkey,
        maker: &Keypair,
        key: &Keypair,
        device: &NewDevice,
        fee: Option<registry::FeePayment>,
    ) -> Result<Sent, ClientError> {
        let ix = registry::register_device(&self.payer(), network, &maker.pubkey(), device, fee);
        self.send(&[ix], &[key, maker]).await
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
        let mint = self.mint().await;
        let treasury = self.token_account(&mint, &self.admin.pubkey()).await;
        let ix = registry::set_onboarding_fee(
            &self.admin.pubkey(),
            &self.network,
            Some((mint, treasury)),
            amount,
        );
        self.send(&[ix], &[&self.admin]).await.unwrap();
        let source = self.token_account(&mint, &self.payer()).await;
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

    /// Whether `device_key` has a device record in this network (a refused
    /// registration must leave none behind).
    pub async fn device_exists(&self, device_key: &Pubkey) -> bool {
        self.exists(&pda::device(&self.network, device_key).0).await
    }

    /// Token balance of `token_account`.
    pub async fn balance(&self, token_account: &Pubkey) -> u64 {
        token::balance(&self.cluster, token_account).await.unwrap()
    }

    /// A new mint (6 decimals) the admin can mint from.
    pub async fn mint(&self) -> Pubkey {
        token::create_mint(&self.cluster, &self.admin.pubkey(), 6)
            .await
            .unwrap()
    }

    /// A new token account of `mint` owned by `owner`.
    pub async fn token_account(&self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        token::create_token_account(&self.cluster, mint, owner)
            .await
            .unwrap()
    }

    /// Pauses or unpauses this network as its admin.
    pub async fn set_paused(&self, paused: bool) {
        let ix = registry::set_network_paused(&self.admin.pubkey(), &self.network, paused);
        self.send(&[ix], &[&self.admin]).await.unwrap();
    }

    // Stored records, read after nearly every step (often a failed one, to
    // show nothing moved); the `_in`/`_at` forms read another network's.

    pub async fn network_state(&self) -> Network {
        self.network_state_at(&self.network).await
    }

    pub async fn network_state_at(&self, network: &Pubkey) -> Network {
        registry::network(&self.cluster, network).await.unwrap()
    }

    pub async fn maker_state(&self, authority: &Pubkey) -> Maker {
        self.maker_state_in(&self.network, authority).await
    }

    pub async fn maker_state_in(&self, network: &Pubkey, authority: &Pubkey) -> Maker {
        registry::maker(&self.cluster, network, authority)
            .await
            .unwrap()
    }

    pub async fn device_state(&self, device_key: &Pubkey) -> Device {
        self.device_state_in(&self.network, device_key).await
    }

    pub async fn device_state_in(&self, network: &Pubkey, device_key: &Pubkey) -> Device {
        registry::device(&self.cluster, network, device_key)
            .await
            .unwrap()
    }

    /// `None` when `authority` holds no role.
    pub async fn member_state(&self, authority: &Pubkey) -> Option<Member> {
        self.member_state_in(&self.network, authority).await
    }

    pub async fn member_state_in(&self, network: &Pubkey, authority: &Pubkey) -> Option<Member> {
        registry::member(&self.cluster, network, authority)
            .await
            .unwrap()
    }

    /// `ix` with `key`'s `record` (`pda::member`, `pda::maker` or
    /// `pda::device`) in this network swapped for the same key's record in
    /// `network`: a well-formed account, but of the wrong network.
    pub fn cross_network(
        &self,
        ix: Instruction,
        record: RecordAddress,
        key: &Pubkey,
        network: &Pubkey,
    ) -> Instruction {
        substitute(ix, &record(&self.network, key).0, &record(network, key).0)
    }

    /// `ix`, acting as `signer`, presenting `holder`'s member record instead
    /// of `signer`'s own: borrowing someone else's permissions.
    pub fn borrow_record(&self, ix: Instruction, signer: &Pubkey, holder: &Pubkey) -> Instruction {
        substitute(
            ix,
            &pda::member(&self.network, signer).0,
            &pda::member(&self.network, holder).0,
        )
    }
}

/// How a registry record's address derives from its network and key
/// (`pda::member`, `pda::maker`, `pda::device`).
pub type RecordAddress = fn(&Pubkey, &Pubkey) -> (Pubkey, u8);

/// A network with one maker and one battery registered to `owner`, the
/// starting point of the device, lifecycle and attestation tests; sends each
/// device instruction for that battery.
pub struct DeviceFixture {
    pub env: Env,
    pub maker: Keypair,
    pub owner: Keypair,
    pub device: Keypair,
}

impl DeviceFixture {
    pub async fn new() -> DeviceFixture {
        let env = Env::new().await;
        let maker = env.maker(100).await;
        let owner = env.wallet().await;
        let device = env.device(&maker, &owner.pubkey()).await;
        DeviceFixture {
            env,
            maker,
            owner,
            device,
        }
    }

    pub fn key(&self) -> Pubkey {
        self.device.pubkey()
    }

    /// The device record's address.
    pub fn address(&self) -> Pubkey {
        pda::device(&self.env.network, &self.key()).0
    }

    pub async fn stored(&self) -> Device {
        self.env.device_state(&self.key()).await
    }

    /// What the device's attestations must name; re-read after a
    /// re-registration, which changes it.
    pub async fn attestation_target(&self) -> AttestationTarget {
        registry::attestation_target(&self.env.cluster, &self.env.network, &self.key())
            .await
            .unwrap()
    }

    /// A device of a second network (same cluster), owned by `self.owner`.
    pub async fn foreign_device(&self) -> (OtherNetwork, Keypair) {
        let other = self.env.other_network().await;
        let maker = self.env.maker_in(&other.network, &other.admin, 5).await;
        let device = self
            .env
            .device_in(&other.network, &maker, &self.owner.pubkey())
            .await;
        (other, device)
    }

    pub async fn update(&self, by: &Keypair, args: UpdateDeviceArgs) -> Result<Sent, ClientError> {
        let ix = registry::update_device(&by.pubkey(), &self.env.network, &self.key(), args);
        self.env.send(&[ix], &[by]).await
    }

    pub async fn transfer(&self, by: &Keypair, to: &Pubkey) -> Result<Sent, ClientError> {
        let ix = registry::transfer_device(&by.pubkey(), &self.env.network, &self.key(), to);
        self.env.send(&[ix], &[by]).await
    }

    pub async fn set_operator(&self, by: &Keypair, operator: &Pubkey) -> Result<Sent, ClientError> {
        let ix =
            registry::set_device_operator(&by.pubkey(), &self.env.network, &self.key(), operator);
        self.env.send(&[ix], &[by]).await
    }

    pub async fn suspend(&self, by: &Keypair) -> Result<Sent, ClientError> {
        let ix = registry::suspend_device(&by.pubkey(), &self.env.network, &self.key(), 7);
        self.env.send(&[ix], &[by]).await
    }

    pub async fn resume(&self, by: &Keypair) -> Result<Sent, ClientError> {
        let ix = registry::resume_device(&by.pubkey(), &self.env.network, &self.key());
        self.env.send(&[ix], &[by]).await
    }

    pub async fn retire(&self, by: &Keypair) -> Result<Sent, ClientError> {
        let ix = registry::retire_device(&by.pubkey(), &self.env.network, &self.key());
        self.env.send(&[ix], &[by]).await
    }

    pub async fn close(&self, by: &Keypair) -> Result<Sent, ClientError> {
        let ix = registry::close_device(&by.pubkey(), &self.env.network, &self.key());
        self.env.send(&[ix], &[by]).await
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

/// Sends `ix` with `signer`'s signature left out (only the fee payer signs):
/// the "missing signer" attack every instruction must refuse.
pub async fn assert_requires_signature(env: &Env, ix: Instruction, signer: &Pubkey) {
    assert_error(
        env.send(&[unsign(ix, signer)], &[]).await,
        AnchorError::AccountNotSigner,
    );
}

/// Sends `ix` (built for `env`'s network and `device_key`) against the same
/// key's device record in `other`: the registry must refuse a device of
/// another network, or it would check and count it against this one.
pub async fn assert_rejects_foreign_device(
    env: &Env,
    ix: Instruction,
    device_key: &Pubkey,
    other: &OtherNetwork,
    signers: &[&Keypair],
) {
    let ix = env.cross_network(ix, pda::device, device_key, &other.network);
    assert_error(
        env.send(&[ix], signers).await,
        RegistryError::DeviceNetworkMismatch,
    );
}

/// Anchor's two checks on a typed registry account, for `account` of `ix`:
/// a system-owned wallet in its place must fail the owner check and
/// `cosplay` (a registry record of another type) the discriminator check.
pub async fn assert_rejects_substitutes(
    env: &Env,
    ix: &Instruction,
    account: &Pubkey,
    cosplay: &Pubkey,
    signers: &[&Keypair],
) {
    assert_rejects_fake(env, ix, account, signers).await;
    assert_rejects_cosplay(env, ix, account, cosplay, signers).await;
}

/// The owner check of [`assert_rejects_substitutes`] alone, for accounts
/// the tests swap only for a fake.
pub async fn assert_rejects_fake(
    env: &Env,
    ix: &Instruction,
    account: &Pubkey,
    signers: &[&Keypair],
) {
    let fake = env.wallet().await.pubkey();
    assert_error(
        env.send(&[substitute(ix.clone(), account, &fake)], signers)
            .await,
        AnchorError::AccountOwnedByWrongProgram,
    );
}

/// The discriminator check of [`assert_rejects_substitutes`] alone.
pub async fn assert_rejects_cosplay(
    env: &Env,
    ix: &Instruction,
    account: &Pubkey,
    cosplay: &Pubkey,
    signers: &[&Keypair],
) {
    assert_error(
        env.send(&[substitute(ix.clone(), account, cosplay)], signers)
            .await,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

/// The permission checks every role-gated instruction shares (`ix` builds
/// it for an acting authority): a member holding every permission but
/// `needed`; the admin of another network presenting its record there; and
/// `impostor` presenting `holder`'s record. Returns the other network, for
/// checks that it was left alone.
pub async fn assert_requires_permission(
    env: &Env,
    ix: impl Fn(&Pubkey) -> Instruction,
    needed: u16,
    impostor: &Keypair,
    holder: &Pubkey,
) -> OtherNetwork {
    let almost = env.member(registry::permission::ALL & !needed).await;
    assert_error(
        env.send(&[ix(&almost.pubkey())], &[&almost]).await,
        RegistryError::MissingPermission,
    );

    let other = env.other_network().await;
    let admin = other.admin.pubkey();
    let foreign = env.cross_network(ix(&admin), pda::member, &admin, &other.network);
    assert_error(
        env.send(&[foreign], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );

    let borrowed = env.borrow_record(ix(&impostor.pubkey()), &impostor.pubkey(), holder);
    assert_error(
        env.send(&[borrowed], &[impostor]).await,
        RegistryError::MissingPermission,
    );
    other
}

/// An account's lamports and data (`None`: no account).
type AccountState = Option<(u64, Vec<u8>)>;

/// The state of some accounts at one moment: proves a failed call changed
/// nothing.
pub struct Snapshot(Vec<(Pubkey, AccountState)>);

pub async fn snapshot(env: &Env, addresses: &[Pubkey]) -> Snapshot {
    let mut accounts = Vec::with_capacity(addresses.len());
    for address in addresses {
        let account = env.cluster.get_account(address).await.unwrap();
        accounts.push((*address, account.map(|a| (a.lamports, a.data))));
    }
    Snapshot(accounts)
}

impl Snapshot {
    #[track_caller]
    pub fn assert_same(&self, now: &Snapshot) {
        for ((address, before), (_, after)) in self.0.iter().zip(&now.0) {
            assert!(
                before == after,
                "account {address} changed: lamports {:?} -> {:?}",
                before.as_ref().map(|a| a.0),
                after.as_ref().map(|a| a.0),
            );
        }
    }

    /// Asserts that none of the accounts changed since the snapshot.
    pub async fn assert_unchanged(&self, env: &Env) {
        let addresses: Vec<Pubkey> = self.0.iter().map(|(a, _)| *a).collect();
        self.assert_same(&snapshot(env, &addresses).await);
    }
}

/// The member record of `authority` in `network`.
pub fn member_record(network: &Pubkey, authority: &Pubkey) -> Pubkey {
    depin_registry::pda::member(network, authority).0
}

/// Every permission check of a role-gated instruction of a program other
/// than the registry, built by `ix` for an acting authority, that needs
/// `needed` (callers check that nothing moved):
/// * a member holding every permission but `needed` → the registry's
///   `MissingPermission` (its `Member::require`);
/// * a wallet presenting the admin's member record → the program's own
///   `has_one` error, `borrowed_record_error`;
/// * the admin of another network with its own record there → the
///   registry's `MemberNetworkMismatch`;
/// * a wallet holding no role at all → the member account does not exist;
/// * the admin itself without its signature → `AccountNotSigner`.
pub async fn assert_member_permission_checks(
    env: &Env,
    ix: impl Fn(&Pubkey) -> Instruction,
    needed: u16,
    borrowed_record_error: u32,
) {
    let almost = env.member(registry::permission::ALL & !needed).await;
    assert_error(
        env.send(&[ix(&almost.pubkey())], &[&almost]).await,
        RegistryError::MissingPermission,
    );

    let impostor = env.wallet().await;
    let borrowed = substitute(
        ix(&impostor.pubkey()),
        &member_record(&env.network, &impostor.pubkey()),
        &member_record(&env.network, &env.admin.pubkey()),
    );
    assert_error(
        env.send(&[borrowed], &[&impostor]).await,
        borrowed_record_error,
    );

    let other = env.other_network().await;
    let admin = other.admin.pubkey();
    let foreign = substitute(
        ix(&admin),
        &member_record(&env.network, &admin),
        &member_record(&other.network, &admin),
    );
    assert_error(
        env.send(&[foreign], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );

    let nobody = env.wallet().await;
    assert_error(
        env.send(&[ix(&nobody.pubkey())], &[&nobody]).await,
        AnchorError::AccountNotInitialized,
    );

    let admin = env.admin.pubkey();
    assert_error(
        env.send(&[unsign(ix(&admin), &admin)], &[]).await,
        AnchorError::AccountNotSigner,
    );
}

/// Runs a property over `cases` random inputs where each case drives its own
/// bank (so: few cases, short shrinking, no failure files).
pub fn run_bank_property<S, F, Fut>(cases: u32, strategy: &S, case: F)
where
    S: proptest::strategy::Strategy,
    F: Fn(S::Value) -> Fut,
    Fut: std::future::Future<Output = Result<(), proptest::test_runner::TestCaseError>>,
{
    use proptest::test_runner::{Config, TestRunner};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 32,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(strategy, |value| runtime.block_on(case(value)))
        .unwrap();
}
