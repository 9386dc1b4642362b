//! A network with a stake pool in its token: the admin holds every role and
//! a funding account of the token; stakers get wallets with tokens. Also the
//! checks the staking tests share: errors told apart by name and origin,
//! permission checks, and snapshots proving a failed call changed nothing.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::Space;
use depin_client::local::ProgramMode;
use depin_client::staking::{self, PoolParams, PoolView, SlashArgs, StakeArgs, BPS, DAY};
use depin_client::{token, ClientError, Cluster, Instruction, Keypair, Pubkey, Sent, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::state::permission;
use depin_staking::errors::StakingError;
use depin_staking::state::{BoostEnd, Position, StakePool};
use depin_tests::*;

pub use depin_tests::{snapshot, Snapshot};

/// Tokens minted to the admin's funding account.
pub const FUNDING: u64 = 1_000_000_000;

pub struct Staking {
    pub env: Env,
    pub pool: Pubkey,
    pub stake_vault: Pubkey,
    pub reward_vault: Pubkey,
    pub treasury: Pubkey,
    /// The admin's token account rewards are funded from.
    pub funding: Pubkey,
}

pub fn params() -> PoolParams {
    PoolParams {
        max_lockup_secs: 365 * DAY,
        max_multiplier_bps: 3 * BPS,
        cooldown_secs: 7 * DAY,
    }
}

/// The weight of `amount` locked for `lockup_secs` under `params()`,
/// computed here from the rule (1x unlocked, linear to 3x at 365 days,
/// rounded down), not with the program's code.
pub fn weight(amount: u64, lockup_secs: i64) -> u128 {
    let multiplier_bps = 10_000 + 20_000 * lockup_secs as u128 / (365 * DAY) as u128;
    amount as u128 * multiplier_bps / 10_000
}

/// The part of [`weight`] the lock adds (it ends with the lock).
pub fn boost(amount: u64, lockup_secs: i64) -> u128 {
    weight(amount, lockup_secs) - u128::from(amount)
}

/// When a lock of `lockup_secs` taken at `now` ends, from the rule: `now`
/// for none, else the UTC midnight at or after `now + lockup_secs`.
pub fn lock_end(now: i64, lockup_secs: i64) -> i64 {
    if lockup_secs == 0 {
        now
    } else {
        (now + lockup_secs).div_euclid(DAY) * DAY
            + if (now + lockup_secs) % DAY == 0 {
                0
            } else {
                DAY
            }
    }
}

/// The day (since the epoch) a lock ending at `lock_end` has its bucket on.
pub fn day(lock_end: i64) -> i64 {
    lock_end.div_euclid(DAY)
}

pub fn slash_args(amount: u64) -> SlashArgs {
    SlashArgs {
        amount,
        reason: 7,
        evidence: [0xab; 32],
    }
}

/// A network with no stake pool yet, a treasury and a funding account of
/// its token (both the admin's): the starting point of `create_pool`.
pub struct Unopened {
    pub env: Env,
    pub treasury: Pubkey,
    pub funding: Pubkey,
}

impl Unopened {
    pub async fn new() -> Unopened {
        let env = Env::new().await;
        let admin = env.admin.pubkey();
        let mint = env.reward_mint;
        let treasury = env.token_account(&mint, &admin).await;
        let funding = env.token_account(&mint, &admin).await;
        token::mint_to(&env.cluster, &mint, &funding, &env.admin, FUNDING)
            .await
            .unwrap();
        Unopened {
            env,
            treasury,
            funding,
        }
    }

    /// `create_pool` by `authority` with the network's mint and treasury.
    pub fn create_ix(&self, authority: &Pubkey, params: PoolParams) -> Instruction {
        staking::create_pool(
            &self.env.payer(),
            authority,
            &self.env.network,
            &self.env.reward_mint,
            &self.treasury,
            params,
        )
    }

    /// Opens the pool (the admin signs) with `params()`.
    pub async fn open(self) -> Staking {
        let ix = self.create_ix(&self.env.admin.pubkey(), params());
        self.env.send(&[ix], &[&self.env.admin]).await.unwrap();
        let pool = staking::pool_address(&self.env.network);
        Staking {
            env: self.env,
            pool,
            stake_vault: depin_staking::pda::stake_vault(&pool).0,
            reward_vault: depin_staking::pda::reward_vault(&pool).0,
            treasury: self.treasury,
            funding: self.funding,
        }
    }
}

/// The stake pool of a second network of the same cluster and token, opened
/// by that network's admin (for cross-pool substitutions).
pub struct OtherPool {
    pub other: OtherNetwork,
    pub network: Pubkey,
    pub pool: Pubkey,
    pub stake_vault: Pubkey,
    pub reward_vault: Pubkey,
    pub treasury: Pubkey,
}

impl Staking {
    pub async fn new() -> Staking {
        Unopened::new().await.open().await
    }

    pub fn net(&self) -> Pubkey {
        self.env.network
    }

    /// A wallet holding `tokens` of the network token in a token account.
    pub async fn staker(&self, tokens: u64) -> (Keypair, Pubkey) {
        let wallet = self.env.wallet().await;
        let account = self
            .env
            .token_account(&self.env.reward_mint, &wallet.pubkey())
            .await;
        if tokens > 0 {
            self.mint_to(&account, tokens).await;
        }
        (wallet, account)
    }

    /// Mints `amount` of the network token (the admin is the mint authority).
    pub async fn mint_to(&self, account: &Pubkey, amount: u64) {
        token::mint_to(
            &self.env.cluster,
            &self.env.reward_mint,
            account,
            &self.env.admin,
            amount,
        )
        .await
        .unwrap();
    }

    // ---- time ----

    /// The bank's unix time.
    pub async fn now(&self) -> i64 {
        self.env.cluster.unix_timestamp().await.unwrap()
    }

    pub async fn advance(&self, seconds: i64) {
        let before = self.now().await;
        self.env.cluster.advance_clock(seconds).await.unwrap();
        assert_eq!(self.now().await, before + seconds);
    }

    /// To the next UTC midnight plus `offset` seconds; returns that time.
    pub async fn to_midnight(&self, offset: i64) -> i64 {
        let now = self.now().await;
        let target = (now.div_euclid(DAY) + 1) * DAY + offset;
        self.advance(target - now).await;
        target
    }

    // ---- state ----

    pub async fn state(&self) -> StakePool {
        staking::pool(&self.env.cluster, &self.net()).await.unwrap()
    }

    pub async fn position(&self, address: &Pubkey) -> Position {
        staking::position(&self.env.cluster, address).await.unwrap()
    }

    pub fn position_address(&self, owner: &Pubkey, id: u32) -> Pubkey {
        staking::position_address(&self.net(), owner, id)
    }

    pub fn bond_address(&self, operator: &Pubkey) -> Pubkey {
        staking::bond_address(&self.net(), operator)
    }

    /// The pool and the clock, read now: the client's builders.
    pub async fn view(&self) -> PoolView {
        PoolView::read(&self.env.cluster, &self.net())
            .await
            .unwrap()
    }

    /// The lock-end bucket of `day`'s address.
    pub fn boost_end_address(&self, day: i64) -> Pubkey {
        staking::boost_end_address(&self.net(), day)
    }

    /// The lock-end bucket of `day`, if it exists.
    pub async fn boost_end(&self, day: i64) -> Option<BoostEnd> {
        staking::boost_end(&self.env.cluster, &self.net(), day)
            .await
            .unwrap()
    }

    /// The days whose buckets are due now.
    pub async fn due_days(&self) -> Vec<i64> {
        self.state().await.boost_end_days_due(self.now().await)
    }

    /// The weight `position` earns with now (its boost left out once its
    /// lock's midnight passed, stored or not).
    pub async fn effective_weight(&self, position: &Pubkey) -> u128 {
        staking::effective_weight(&self.env.cluster, &self.net(), position)
            .await
            .unwrap()
    }

    /// What `position` could claim now (the client's view, the program's math).
    pub async fn pending(&self, position: &Pubkey) -> u64 {
        staking::pending_rewards(&self.env.cluster, &self.net(), position)
            .await
            .unwrap()
    }

    pub async fn eligible(&self, operator: &Pubkey) -> bool {
        staking::is_eligible_operator(&self.env.cluster, &self.net(), operator)
            .await
            .unwrap()
    }

    pub async fn balance(&self, account: &Pubkey) -> u64 {
        token::balance(&self.env.cluster, account).await.unwrap()
    }

    /// Token balances of `accounts`, in order.
    pub async fn balances(&self, accounts: &[Pubkey]) -> Vec<u64> {
        let mut balances = Vec::with_capacity(accounts.len());
        for account in accounts {
            balances.push(self.balance(account).await);
        }
        balances
    }

    /// Stake vault, reward vault and treasury balances.
    pub async fn vaults(&self) -> [u64; 3] {
        [
            self.balance(&self.stake_vault).await,
            self.balance(&self.reward_vault).await,
            self.balance(&self.treasury).await,
        ]
    }

    /// Rent of a position or bond account.
    pub async fn position_rent(&self) -> u64 {
        self.env
            .cluster
            .minimum_balance(8 + Position::INIT_SPACE)
            .await
            .unwrap()
    }

    // ---- instructions ----

    pub async fn stake_ix(
        &self,
        owner: &Pubkey,
        source: &Pubkey,
        id: u32,
        amount: u64,
        lockup_secs: i64,
    ) -> Instruction {
        let args = StakeArgs {
            id,
            amount,
            lockup_secs,
        };
        self.view()
            .await
            .stake(&self.env.payer(), owner, source, args)
            .unwrap()
    }

    pub async fn try_stake(
        &self,
        owner: &Keypair,
        source: &Pubkey,
        id: u32,
        amount: u64,
        lockup_secs: i64,
    ) -> Result<Sent, ClientError> {
        let ix = self
            .stake_ix(&owner.pubkey(), source, id, amount, lockup_secs)
            .await;
        self.env.send(&[ix], &[owner]).await
    }

    /// Opens position `id` of `owner`; returns its address.
    pub async fn stake(
        &self,
        owner: &Keypair,
        source: &Pubkey,
        id: u32,
        amount: u64,
        lockup_secs: i64,
    ) -> Pubkey {
        self.try_stake(owner, source, id, amount, lockup_secs)
            .await
            .unwrap();
        self.position_address(&owner.pubkey(), id)
    }

    pub async fn extend_ix(
        &self,
        owner: &Pubkey,
        position: &Pubkey,
        lockup_secs: i64,
    ) -> Instruction {
        let c = &self.env.cluster;
        staking::extend_lockup(
            c,
            &self.env.payer(),
            owner,
            &self.net(),
            position,
            lockup_secs,
        )
        .await
        .unwrap()
    }

    pub async fn try_extend(
        &self,
        owner: &Keypair,
        position: &Pubkey,
        lockup_secs: i64,
    ) -> Result<Sent, ClientError> {
        let ix = self.extend_ix(&owner.pubkey(), position, lockup_secs).await;
        self.env.send(&[ix], &[owner]).await
    }

    pub async fn claim_ix(
        &self,
        owner: &Pubkey,
        position: &Pubkey,
        destination: &Pubkey,
    ) -> Instruction {
        staking::claim_rewards(&self.env.cluster, owner, &self.net(), position, destination)
            .await
            .unwrap()
    }

    pub async fn try_claim(
        &self,
        owner: &Keypair,
        position: &Pubkey,
        destination: &Pubkey,
    ) -> Result<Sent, ClientError> {
        let ix = self.claim_ix(&owner.pubkey(), position, destination).await;
        self.env.send(&[ix], &[owner]).await
    }

    /// Claims into `destination`; returns what arrived there.
    pub async fn claim(&self, owner: &Keypair, position: &Pubkey, destination: &Pubkey) -> u64 {
        let before = self.balance(destination).await;
        self.try_claim(owner, position, destination).await.unwrap();
        self.balance(destination).await - before
    }

    pub async fn unstake_ix(&self, owner: &Pubkey, position: &Pubkey) -> Instruction {
        staking::request_unstake(&self.env.cluster, owner, &self.net(), position)
            .await
            .unwrap()
    }

    pub async fn try_request_unstake(
        &self,
        owner: &Keypair,
        position: &Pubkey,
    ) -> Result<Sent, ClientError> {
        let ix = self.unstake_ix(&owner.pubkey(), position).await;
        self.env.send(&[ix], &[owner]).await
    }

    pub async fn request_unstake(&self, owner: &Keypair, position: &Pubkey) {
        self.try_request_unstake(owner, position).await.unwrap();
    }

    pub async fn withdraw_ix(
        &self,
        owner: &Pubkey,
        position: &Pubkey,
        destination: &Pubkey,
    ) -> Instruction {
        staking::withdraw(&self.env.cluster, owner, &self.net(), position, destination)
            .await
            .unwrap()
    }

    pub async fn try_withdraw(
        &self,
        owner: &Keypair,
        position: &Pubkey,
        destination: &Pubkey,
    ) -> Result<Sent, ClientError> {
        let ix = self
            .withdraw_ix(&owner.pubkey(), position, destination)
            .await;
        self.env.send(&[ix], &[owner]).await
    }

    /// `fund_rewards` by the admin from the funding account.
    pub async fn fund_ix(&self, amount: u64, duration_secs: i64) -> Instruction {
        let admin = self.env.admin.pubkey();
        self.view()
            .await
            .fund_rewards(&admin, &self.funding, amount, duration_secs)
            .unwrap()
    }

    pub async fn try_fund(&self, amount: u64, duration_secs: i64) -> Result<Sent, ClientError> {
        let ix = self.fund_ix(amount, duration_secs).await;
        self.env.send(&[ix], &[&self.env.admin]).await
    }

    pub async fn fund(&self, amount: u64, duration_secs: i64) {
        self.try_fund(amount, duration_secs).await.unwrap();
    }

    pub async fn bond_ix(&self, operator: &Pubkey, source: &Pubkey, amount: u64) -> Instruction {
        self.view()
            .await
            .bond(&self.env.payer(), operator, source, amount)
            .unwrap()
    }

    pub async fn try_bond(
        &self,
        operator: &Keypair,
        source: &Pubkey,
        amount: u64,
    ) -> Result<Sent, ClientError> {
        let ix = self.bond_ix(&operator.pubkey(), source, amount).await;
        self.env.send(&[ix], &[operator]).await
    }

    /// Bonds `amount` more; returns the bond's address.
    pub async fn bond(&self, operator: &Keypair, source: &Pubkey, amount: u64) -> Pubkey {
        self.try_bond(operator, source, amount).await.unwrap();
        self.bond_address(&operator.pubkey())
    }

    /// `slash` of `operator`'s bond by `authority` into the pool's treasury.
    pub async fn slash_ix(
        &self,
        authority: &Pubkey,
        operator: &Pubkey,
        amount: u64,
    ) -> Instruction {
        self.view()
            .await
            .slash(authority, operator, &self.treasury, slash_args(amount))
            .unwrap()
    }

    /// Slashes `operator` as the admin.
    pub async fn try_slash(&self, operator: &Pubkey, amount: u64) -> Result<Sent, ClientError> {
        let ix = self
            .slash_ix(&self.env.admin.pubkey(), operator, amount)
            .await;
        self.env.send(&[ix], &[&self.env.admin]).await
    }

    /// `apply_boost_ends` with the buckets of `days`, signed by nobody but
    /// the fee payer.
    pub async fn try_apply(&self, days: &[i64]) -> Result<Sent, ClientError> {
        let ix = staking::apply_boost_ends(&self.net(), days);
        self.env.send(&[ix], &[]).await
    }

    // ---- other pools ----

    /// A second network (same token) with its own pool, opened by its admin
    /// with `params()` and a treasury of its own.
    pub async fn other_pool(&self) -> OtherPool {
        let other = self.env.other_network().await;
        let admin = other.admin.pubkey();
        let treasury = self.env.token_account(&self.env.reward_mint, &admin).await;
        let ix = staking::create_pool(
            &self.env.payer(),
            &admin,
            &other.network,
            &self.env.reward_mint,
            &treasury,
            params(),
        );
        self.env.send(&[ix], &[&other.admin]).await.unwrap();
        let network = other.network;
        let pool = staking::pool_address(&network);
        OtherPool {
            other,
            network,
            pool,
            stake_vault: depin_staking::pda::stake_vault(&pool).0,
            reward_vault: depin_staking::pda::reward_vault(&pool).0,
            treasury,
        }
    }

    /// `owner` stakes `amount` (no lockup) as position 0 in `other`'s pool.
    pub async fn stake_in(&self, other: &OtherPool, owner: &Keypair, source: &Pubkey, amount: u64) {
        let args = StakeArgs {
            id: 0,
            amount,
            lockup_secs: 0,
        };
        let ix = staking::stake(
            &self.env.cluster,
            &self.env.payer(),
            &owner.pubkey(),
            &other.network,
            source,
            args,
        )
        .await
        .unwrap();
        self.env.send(&[ix], &[owner]).await.unwrap();
    }

    // ---- nothing moved ----

    /// Lamports and data of the pool, its vaults, the treasury, the funding
    /// account and `extra`, to show a failed instruction changed nothing.
    pub async fn snapshot(&self, extra: &[Pubkey]) -> Snapshot {
        let mut addresses = vec![
            self.pool,
            self.stake_vault,
            self.reward_vault,
            self.treasury,
            self.funding,
        ];
        addresses.extend_from_slice(extra);
        snapshot(&self.env, &addresses).await
    }
}

impl OtherPool {
    pub fn position_address(&self, owner: &Pubkey, id: u32) -> Pubkey {
        staking::position_address(&self.network, owner, id)
    }
}

// ---- errors ----

/// The Anchor log line naming the error of a failed transaction.
fn anchor_line(error: &ClientError) -> Option<String> {
    error
        .logs()
        .iter()
        .rev()
        .find(|line| line.contains("Error Code: "))
        .cloned()
}

/// Asserts the custom error number and, where the program's log reaches the
/// transaction (in the SBF VM; natively Anchor's `msg!` lines go to stdout),
/// the error's name; returns that log line.
#[track_caller]
fn assert_named(error: ClientError, code: u32, name: &str) -> Option<String> {
    assert_eq!(
        error.custom_code(),
        Some(code),
        "expected {name} ({code}), got: {error}\nlogs:\n{}",
        error.logs().join("\n")
    );
    let line = anchor_line(&error);
    if ProgramMode::from_env().is_sbf() {
        let line = line.as_deref().unwrap_or_default();
        assert!(
            line.contains(&format!("Error Code: {name}. Error Number: {code}.")),
            "expected {name} ({code}), got: {line}\nlogs:\n{}",
            error.logs().join("\n")
        );
    }
    line
}

/// Asserts that `result` failed with exactly this staking error (number and
/// name, and not raised by registry code: registry and staking errors share
/// numbers, and `MissingPermission` even the name).
#[track_caller]
pub fn assert_staking_error<T: std::fmt::Debug>(
    result: Result<T, ClientError>,
    expected: StakingError,
) {
    let error = assert_fails(result);
    let line = assert_named(error, expected.into(), &expected.name());
    assert!(
        !line.is_some_and(|line| line.contains("registry")),
        "expected the staking program's {}",
        expected.name()
    );
}

/// Asserts that `result` failed with this registry error, raised by the
/// registry's own checks (e.g. `Member::require`) inside the staking program.
#[track_caller]
pub fn assert_registry_error<T: std::fmt::Debug>(
    result: Result<T, ClientError>,
    expected: RegistryError,
) {
    let error = assert_fails(result);
    let line = assert_named(error, expected.into(), &expected.name());
    assert!(
        !ProgramMode::from_env().is_sbf() || line.is_some_and(|line| line.contains("registry")),
        "expected the registry's {}",
        expected.name()
    );
}

/// The permission checks of a role-gated staking instruction, built by `ix`
/// for an acting authority, that needs `needed`; every attempt must fail
/// (callers check that nothing changed):
/// * a member holding every permission but `needed` → the registry's
///   `MissingPermission`;
/// * a wallet presenting the admin's member record → `has_one` fails with
///   `StakingError::MissingPermission`;
/// * the admin of another network with its own record there → the
///   registry's `MemberNetworkMismatch`;
/// * a wallet holding no role at all → the member account does not exist;
/// * the admin itself without its signature → `AccountNotSigner`.
pub async fn assert_requires_permission(
    env: &Env,
    ix: impl Fn(&Pubkey) -> Instruction,
    needed: u16,
) {
    let almost = env.member(permission::ALL & !needed).await;
    assert_registry_error(
        env.send(&[ix(&almost.pubkey())], &[&almost]).await,
        RegistryError::MissingPermission,
    );

    let impostor = env.wallet().await;
    let borrowed = env.borrow_record(
        ix(&impostor.pubkey()),
        &impostor.pubkey(),
        &env.admin.pubkey(),
    );
    assert_staking_error(
        env.send(&[borrowed], &[&impostor]).await,
        StakingError::MissingPermission,
    );

    let other = env.other_network().await;
    let admin = other.admin.pubkey();
    let foreign = env.cross_network(
        ix(&admin),
        depin_registry::pda::member,
        &admin,
        &other.network,
    );
    assert_registry_error(
        env.send(&[foreign], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );

    let nobody = env.wallet().await;
    assert_error(
        env.send(&[ix(&nobody.pubkey())], &[&nobody]).await,
        AnchorError::AccountNotInitialized,
    );

    let admin = env.admin.pubkey();
    assert_requires_signature(env, ix(&admin), &admin).await;
}

// ---- lock-end buckets in instructions ----

/// `ix` without the account `key` (a bucket left out of the remaining
/// accounts: what an attacker who wants to skip a lock end would send).
#[track_caller]
pub fn without(mut ix: Instruction, key: &Pubkey) -> Instruction {
    let before = ix.accounts.len();
    ix.accounts.retain(|meta| meta.pubkey != *key);
    assert!(
        ix.accounts.len() < before,
        "{key} is not an account of this instruction"
    );
    ix
}

/// `ix` with the optional account `key` passed as absent (Anchor reads the
/// program's own id in its place as `None`).
#[track_caller]
pub fn absent(mut ix: Instruction, key: &Pubkey) -> Instruction {
    let meta = ix
        .accounts
        .iter_mut()
        .find(|meta| meta.pubkey == *key)
        .expect("not an account of this instruction");
    *meta = depin_client::AccountMeta::new_readonly(depin_staking::ID, false);
    ix
}

/// `ix` with `key` passed read-only.
#[track_caller]
pub fn read_only(mut ix: Instruction, key: &Pubkey) -> Instruction {
    let meta = ix
        .accounts
        .iter_mut()
        .find(|meta| meta.pubkey == *key)
        .expect("not an account of this instruction");
    meta.is_writable = false;
    ix
}
