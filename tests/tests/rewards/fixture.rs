//! A network with a funded distributor: the admin holds every role, the
//! oracle posts roots, recipients have token accounts. By default a root
//! activates as soon as the oracle posts it (one approval, no challenge
//! period, no outflow limit); `Pool::guarded` opens one with other guards.
//! Also the generic checks the rewards tests share (permission checks,
//! "nothing moved").

use depin_client::rewards::{
    self, ClaimArgs, CreateDistributorArgs, Guards, RewardTree, RootProposal,
};
use depin_client::{token, ClientError, Cluster, Instruction, Keypair, Pubkey, Sent, Signer};
use depin_registry::state::permission;
use depin_rewards::errors::RewardsError;
use depin_rewards::state::{ClaimLedger, Distributor};
use depin_tests::*;

pub use depin_tests::{member_record, snapshot, Snapshot};

/// Tokens minted to the admin's funding account of every pool.
pub const FUNDING: u64 = 1_000_000_000;

pub struct Pool {
    pub env: Env,
    pub oracle: Keypair,
    pub mint: Pubkey,
    pub distributor: Pubkey,
    pub vault: Pubkey,
    /// The admin's token account fixed at creation for the clawback.
    pub treasury: Pubkey,
    /// The admin's token account the pool is funded from.
    pub funding: Pubkey,
}

/// Another distributor of the same network and mint (another `pool_id`).
pub struct Sibling {
    pub distributor: Pubkey,
    pub vault: Pubkey,
}

impl Pool {
    /// A distributor of a fresh mint (pool 0, never expires) with one ledger
    /// page and `funded` tokens in its vault, whose roots activate as soon as
    /// the oracle posts them.
    pub async fn new(funded: u64) -> Pool {
        Self::open(funded, None, Guards::SINGLE_ORACLE).await
    }

    /// A pool (as [`Pool::new`]) that expires `seconds` from its creation.
    pub async fn expiring_in(funded: u64, seconds: i64) -> Pool {
        Self::open(funded, Some(seconds), Guards::SINGLE_ORACLE).await
    }

    /// A pool (as [`Pool::new`]) with these guards.
    pub async fn guarded(funded: u64, guards: Guards) -> Pool {
        Self::open(funded, None, guards).await
    }

    /// A pool with these guards, expiring `expires_in` seconds from its
    /// creation if set.
    pub async fn open(funded: u64, expires_in: Option<i64>, guards: Guards) -> Pool {
        let env = Env::new().await;
        let expires_at = match expires_in {
            Some(seconds) => env.cluster.unix_timestamp().await.unwrap() + seconds,
            None => 0,
        };
        let admin = env.admin.pubkey();
        let oracle = env.member(permission::ORACLE).await;
        let mint = token::create_mint(&env.cluster, &admin, 6).await.unwrap();
        let treasury = token::create_token_account(&env.cluster, &mint, &admin)
            .await
            .unwrap();
        let funding = token::create_token_account(&env.cluster, &mint, &admin)
            .await
            .unwrap();
        token::mint_to(&env.cluster, &mint, &funding, &env.admin, FUNDING)
            .await
            .unwrap();
        let args = CreateDistributorArgs {
            pool_id: 0,
            expires_at,
            guards,
        };
        let ix =
            rewards::create_distributor(&env.payer(), &admin, &env.network, &mint, &treasury, args);
        env.send(&[ix], &[&env.admin]).await.unwrap();
        let distributor = depin_rewards::pda::distributor(&env.network, &mint, 0).0;
        let vault = depin_rewards::pda::vault(&distributor).0;
        let pool = Pool {
            env,
            oracle,
            mint,
            distributor,
            vault,
            treasury,
            funding,
        };
        pool.add_page(0).await;
        if funded > 0 {
            pool.fund(funded).await;
        }
        pool
    }

    /// The bank's unix time.
    pub async fn now(&self) -> i64 {
        self.env.cluster.unix_timestamp().await.unwrap()
    }

    /// Moves the clock to exactly the distributor's `expires_at`.
    pub async fn expire(&self) {
        let expires_at = self.state().await.expires_at;
        assert_ne!(expires_at, 0, "this pool never expires");
        let now = self.now().await;
        self.env
            .cluster
            .advance_clock(expires_at - now)
            .await
            .unwrap();
        assert_eq!(self.now().await, expires_at);
    }

    pub fn add_page_ix(&self, payer: &Pubkey, authority: &Pubkey, page: u32) -> Instruction {
        rewards::create_ledger_page(payer, authority, &self.env.network, &self.distributor, page)
    }

    pub async fn add_page(&self, page: u32) {
        let ix = self.add_page_ix(&self.env.payer(), &self.oracle.pubkey(), page);
        self.env.send(&[ix], &[&self.oracle]).await.unwrap();
    }

    pub fn fund_ix(&self, amount: u64) -> Instruction {
        rewards::fund(
            &self.env.admin.pubkey(),
            &self.distributor,
            &self.funding,
            amount,
        )
    }

    pub async fn fund(&self, amount: u64) {
        self.try_fund(amount).await.unwrap();
    }

    pub async fn try_fund(&self, amount: u64) -> Result<Sent, ClientError> {
        self.env
            .send(&[self.fund_ix(amount)], &[&self.env.admin])
            .await
    }

    /// Opens distributor `pool_id` of the same network and mint, with one
    /// ledger page and `funded` tokens from the admin's funding account.
    pub async fn sibling(&self, pool_id: u16, funded: u64) -> Sibling {
        let admin = &self.env.admin;
        let args = CreateDistributorArgs {
            pool_id,
            expires_at: 0,
            guards: Guards::SINGLE_ORACLE,
        };
        let ix = rewards::create_distributor(
            &self.env.payer(),
            &admin.pubkey(),
            &self.env.network,
            &self.mint,
            &self.treasury,
            args,
        );
        self.env.send(&[ix], &[admin]).await.unwrap();
        let distributor = depin_rewards::pda::distributor(&self.env.network, &self.mint, pool_id).0;
        let page = rewards::create_ledger_page(
            &self.env.payer(),
            &self.oracle.pubkey(),
            &self.env.network,
            &distributor,
            0,
        );
        self.env.send(&[page], &[&self.oracle]).await.unwrap();
        if funded > 0 {
            let ix = rewards::fund(&admin.pubkey(), &distributor, &self.funding, funded);
            self.env.send(&[ix], &[admin]).await.unwrap();
        }
        Sibling {
            distributor,
            vault: depin_rewards::pda::vault(&distributor).0,
        }
    }

    pub fn post_root_ix(&self, tree: &RewardTree, epoch: u64) -> Instruction {
        rewards::post_root(
            &self.oracle.pubkey(),
            &self.env.network,
            tree.distributor(),
            tree.post_root_args(epoch),
        )
    }

    pub async fn post(&self, tree: &RewardTree, epoch: u64) {
        self.try_post(tree, epoch).await.unwrap();
    }

    pub async fn try_post(&self, tree: &RewardTree, epoch: u64) -> Result<Sent, ClientError> {
        self.env
            .send(&[self.post_root_ix(tree, epoch)], &[&self.oracle])
            .await
    }

    /// `oracle`'s post_root of `tree` at `epoch`: proposes or approves it.
    pub fn approve_ix(&self, oracle: &Pubkey, tree: &RewardTree, epoch: u64) -> Instruction {
        rewards::post_root(
            oracle,
            &self.env.network,
            tree.distributor(),
            tree.post_root_args(epoch),
        )
    }

    /// `oracle` proposes or approves `tree` at `epoch`.
    pub async fn approve(
        &self,
        oracle: &Keypair,
        tree: &RewardTree,
        epoch: u64,
    ) -> Result<Sent, ClientError> {
        let ix = self.approve_ix(&oracle.pubkey(), tree, epoch);
        self.env.send(&[ix], &[oracle]).await
    }

    /// `count` more wallets holding the oracle permission.
    pub async fn oracles(&self, count: usize) -> Vec<Keypair> {
        let mut oracles = Vec::with_capacity(count);
        for _ in 0..count {
            oracles.push(self.env.member(permission::ORACLE).await);
        }
        oracles
    }

    pub async fn activate(&self) -> Result<Sent, ClientError> {
        self.env
            .send(&[rewards::activate_root(&self.distributor)], &[])
            .await
    }

    pub fn veto_ix(&self, authority: &Pubkey) -> Instruction {
        rewards::veto_root(authority, &self.env.network, &self.distributor)
    }

    /// The admin vetoes the open proposal.
    pub async fn veto(&self) -> Result<Sent, ClientError> {
        let admin = &self.env.admin;
        self.env
            .send(&[self.veto_ix(&admin.pubkey())], &[admin])
            .await
    }

    pub fn set_guards_ix(&self, authority: &Pubkey, guards: Guards) -> Instruction {
        rewards::set_guards(authority, &self.env.network, &self.distributor, guards)
    }

    /// The admin sets the pool's guards.
    pub async fn set_guards(&self, guards: Guards) -> Result<Sent, ClientError> {
        let admin = &self.env.admin;
        self.env
            .send(&[self.set_guards_ix(&admin.pubkey(), guards)], &[admin])
            .await
    }

    /// The pool's root proposal as stored.
    pub async fn proposal(&self) -> RootProposal {
        rewards::root_proposal(&self.env.cluster, &self.distributor)
            .await
            .unwrap()
    }

    pub fn proposal_address(&self) -> Pubkey {
        depin_rewards::pda::root_proposal(&self.distributor).0
    }

    /// Moves the clock forward.
    pub async fn wait(&self, seconds: i64) {
        self.env.cluster.advance_clock(seconds).await.unwrap();
    }

    /// The reward tree of this pool's distributor.
    pub fn tree(&self, entries: &[(&Keypair, u64)]) -> RewardTree {
        tree_of(&self.distributor, entries)
    }

    /// A recipient wallet with an empty token account of the pool's mint.
    pub async fn recipient(&self) -> (Keypair, Pubkey) {
        let wallet = self.env.wallet().await;
        let account = self.token_account(&wallet.pubkey()).await;
        (wallet, account)
    }

    /// A new token account of the pool's mint owned by `owner`.
    pub async fn token_account(&self, owner: &Pubkey) -> Pubkey {
        self.account_of(&self.mint, owner).await
    }

    /// A new token account of `mint` owned by `owner`.
    pub async fn account_of(&self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        token::create_token_account(&self.env.cluster, mint, owner)
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

    /// The pool's distributor as stored.
    pub async fn state(&self) -> Distributor {
        self.state_of(&self.distributor).await
    }

    pub async fn state_of(&self, distributor: &Pubkey) -> Distributor {
        rewards::distributor(&self.env.cluster, distributor)
            .await
            .unwrap()
    }

    /// What leaf `index` of the pool's distributor has claimed so far.
    pub async fn claimed(&self, index: u32) -> u64 {
        self.claimed_in(&self.distributor, index).await
    }

    pub async fn claimed_in(&self, distributor: &Pubkey, index: u32) -> u64 {
        rewards::claimed(&self.env.cluster, distributor, index)
            .await
            .unwrap()
    }

    /// Ledger page `page` of the pool's distributor as stored.
    pub async fn ledger(&self, page: u32) -> ClaimLedger {
        depin_client::fetch(&self.env.cluster, &self.page_address(page))
            .await
            .unwrap()
    }

    pub fn page_address(&self, page: u32) -> Pubkey {
        depin_rewards::pda::ledger(&self.distributor, page).0
    }

    /// `recipient`'s claim under `tree` into `destination`.
    pub fn claim_ix(recipient: &Keypair, destination: &Pubkey, tree: &RewardTree) -> Instruction {
        rewards::claim(
            &recipient.pubkey(),
            tree.distributor(),
            destination,
            args_of(tree, &recipient.pubkey()),
        )
    }

    /// Sends `recipient`'s claim under `tree` into `destination`.
    pub async fn claim(
        &self,
        recipient: &Keypair,
        destination: &Pubkey,
        tree: &RewardTree,
    ) -> Result<Sent, ClientError> {
        let ix = Self::claim_ix(recipient, destination, tree);
        self.env.send(&[ix], &[recipient]).await
    }

    /// A push of `recipient`'s claim under `tree` into `destination`.
    pub fn push_ix(recipient: &Pubkey, destination: &Pubkey, tree: &RewardTree) -> Instruction {
        rewards::push_claim(
            tree.distributor(),
            recipient,
            destination,
            args_of(tree, recipient),
        )
    }

    /// Pushes `recipient`'s claim under `tree` (only the fee payer signs).
    pub async fn push(
        &self,
        recipient: &Pubkey,
        destination: &Pubkey,
        tree: &RewardTree,
    ) -> Result<Sent, ClientError> {
        let ix = Self::push_ix(recipient, destination, tree);
        self.env.send(&[ix], &[]).await
    }

    /// Lamports and data of the distributor, its vault, root proposal,
    /// ledger page 0 and `extra`, to show a failed instruction changed
    /// nothing.
    pub async fn snapshot(&self, extra: &[Pubkey]) -> Snapshot {
        let mut addresses = vec![
            self.distributor,
            self.vault,
            self.proposal_address(),
            self.page_address(0),
        ];
        addresses.extend_from_slice(extra);
        snapshot(&self.env, &addresses).await
    }

    /// Asserts that nothing in `before` changed since it was taken.
    pub async fn assert_unchanged(&self, before: &Snapshot) {
        before.assert_unchanged(&self.env).await;
    }
}

/// The reward tree of `distributor`.
pub fn tree_of(distributor: &Pubkey, entries: &[(&Keypair, u64)]) -> RewardTree {
    RewardTree::new(
        *distributor,
        entries.iter().map(|(k, a)| (k.pubkey(), *a)).collect(),
    )
}

/// `recipient`'s claim arguments under `tree` (which must hold it).
pub fn args_of(tree: &RewardTree, recipient: &Pubkey) -> ClaimArgs {
    tree.claim_args(recipient)
        .unwrap_or_else(|| panic!("{recipient} has no leaf in this tree"))
}

pub use depin_client::token::transfer as transfer_ix;

/// The permission checks of a role-gated rewards instruction (see
/// `assert_member_permission_checks`); someone else's member record fails
/// the instruction's `has_one` with `RewardsError::MissingPermission`.
pub async fn assert_requires_permission(
    env: &Env,
    ix: impl Fn(&Pubkey) -> Instruction,
    needed: u16,
) {
    let borrowed = u32::from(RewardsError::MissingPermission);
    assert_member_permission_checks(env, ix, needed, borrowed).await;
}

/// `required_approvals` of the oracles and a challenge period, no outflow
/// limit.
pub fn approvals(required_approvals: u8, challenge_period_secs: u32) -> Guards {
    Guards {
        required_approvals,
        challenge_period_secs,
        ..Guards::SINGLE_ORACLE
    }
}

/// Roots activate on the oracle's post; claims may take `limit` per window
/// of `period_secs`.
pub fn outflow(limit: u64, period_secs: u32) -> Guards {
    Guards {
        outflow_limit: limit,
        outflow_period_secs: period_secs,
        ..Guards::SINGLE_ORACLE
    }
}
