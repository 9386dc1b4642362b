//! `depin init`'s bootstrap: interrupted, rerun, rerun again.

use std::sync::atomic::{AtomicU64, Ordering};

use depin_client::local::LocalCluster;
use depin_client::registry::{self, permission};
use depin_client::{token, ClientError, Cluster, Instruction, Keypair, Pubkey, Sent, Signer};
use depin_migrations::{bootstrap, BootstrapError, BootstrapSpec, Outcome, RewardMint, Step};
use solana_account::Account;

/// Sends until `sends_left` runs out, then fails every send: a run that dies
/// half way.
struct FailsAfter<'a> {
    inner: &'a LocalCluster,
    sends_left: AtomicU64,
}

impl Cluster for FailsAfter<'_> {
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
        if self
            .sends_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_err()
        {
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

fn spec(grants: Vec<(Pubkey, u16)>) -> BootstrapSpec {
    BootstrapSpec {
        network_name: "berlin".into(),
        epoch_length_secs: 86_400,
        min_operator_bond: 0,
        reward_mint: RewardMint::Create { decimals: 6 },
        grants,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_completes_after_a_partial_failure_and_creates_nothing_twice() {
    let cluster = LocalCluster::start().await;
    let creator = cluster.payer().insecure_clone();
    let oracle = Keypair::new().pubkey();
    let ops = Keypair::new().pubkey();
    let spec = spec(vec![
        (oracle, permission::ORACLE),
        (ops, permission::MAKER_MANAGER | permission::DEVICE_MANAGER),
    ]);

    // Dies after the platform and the mint: no network yet.
    let dying = FailsAfter {
        inner: &cluster,
        sends_left: AtomicU64::new(2),
    };
    let error = bootstrap(&dying, &creator, &spec).await.unwrap_err();
    assert!(error.to_string().contains("connection reset"), "{error}");
    assert!(registry::platform(&cluster).await.unwrap().is_some());
    assert_eq!(registry::next_network_id(&cluster).await.unwrap(), 0);

    // The rerun finds platform and mint, makes the rest.
    let report = bootstrap(&cluster, &creator, &spec).await.unwrap();
    assert_eq!(report.platform.outcome, Outcome::AlreadyPresent);
    assert_eq!(report.reward_mint.outcome, Outcome::AlreadyPresent);
    assert_eq!(report.network.outcome, Outcome::Created);
    assert!(report.roles.iter().all(|r| r.outcome == Outcome::Created));
    assert_eq!(
        report.roles[1].granted,
        permission::MAKER_MANAGER | permission::DEVICE_MANAGER
    );

    // Everything is there: a third run sends nothing.
    let counting = FailsAfter {
        inner: &cluster,
        sends_left: AtomicU64::new(0),
    };
    let again = bootstrap(&counting, &creator, &spec).await.unwrap();
    assert_eq!(again.platform.outcome, Outcome::AlreadyPresent);
    let present = |address| Step {
        address,
        outcome: Outcome::AlreadyPresent,
    };
    assert_eq!(again.reward_mint, present(report.reward_mint.address));
    assert_eq!(again.network, present(report.network.address));
    assert_eq!(again.network_id, 0);
    assert!(again
        .roles
        .iter()
        .all(|r| r.outcome == Outcome::AlreadyPresent && r.granted == 0));

    // What the chain holds: one network with that mint, the roles granted.
    assert_eq!(registry::next_network_id(&cluster).await.unwrap(), 1);
    let network = registry::network(&cluster, &report.network.address)
        .await
        .unwrap();
    assert_eq!(network.reward_mint, report.reward_mint.address);
    assert_eq!(network.name(), "berlin");
    assert_eq!(
        token::mint_supply(&cluster, &network.reward_mint)
            .await
            .unwrap(),
        0
    );
    let oracle_member = registry::member(&cluster, &report.network.address, &oracle)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(oracle_member.permissions, permission::ORACLE);

    // A role added later is granted alone; the others stay untouched.
    let mut more = spec.clone();
    more.grants
        .push((oracle, permission::ORACLE | permission::TREASURY));
    let report = bootstrap(&cluster, &creator, &more).await.unwrap();
    assert_eq!(report.roles[2].granted, permission::TREASURY);
    assert_eq!(report.roles[2].outcome, Outcome::Created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_network_keeps_its_reward_mint() {
    let cluster = LocalCluster::start().await;
    let creator = cluster.payer().insecure_clone();
    let mint = token::create_mint(&cluster, &creator.pubkey(), 9)
        .await
        .unwrap();
    let mut with_mint = spec(vec![]);
    with_mint.reward_mint = RewardMint::Existing(mint);
    let report = bootstrap(&cluster, &creator, &with_mint).await.unwrap();
    assert_eq!(report.reward_mint.address, mint);
    assert_eq!(report.network.outcome, Outcome::Created);

    let mut other_mint = with_mint.clone();
    other_mint.reward_mint = RewardMint::Existing(Pubkey::new_unique());
    let error = bootstrap(&cluster, &creator, &other_mint)
        .await
        .unwrap_err();
    assert!(
        matches!(error, BootstrapError::RewardMintMismatch { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("--reward-mint"), "{error}");
}
