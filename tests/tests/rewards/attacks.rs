//! The attacks, from the attacker's side: one leaked oracle key
//! posts a root that pays the attacker the whole vault (or pays a leaf
//! twice). Each guard on its own keeps the vault: two required approvals,
//! an admin veto in the challenge period, and the outflow limit.

use depin_client::rewards::{self, ProposalStatus};
use depin_client::{Keypair, Signer};
use depin_registry::errors::RegistryError;
use depin_registry::state::permission;
use depin_rewards::errors::RewardsError;
use depin_tests::*;

use crate::fixture::{approvals, outflow, Pool};

const VAULT: u64 = 10_000;

/// A pool with an honest root active (alice 100, bob 200), an attacker
/// wallet with a token account, and the attacker's root: the same leaves
/// plus everything left in the vault for the attacker, in two leaves.
struct Scene {
    pool: Pool,
    alice: (Keypair, depin_client::Pubkey),
    bob: (Keypair, depin_client::Pubkey),
    attacker: (Keypair, depin_client::Pubkey),
}

impl Scene {
    async fn new(pool: Pool, honest: &[&Keypair]) -> Scene {
        let alice = pool.recipient().await;
        let bob = pool.recipient().await;
        let attacker = pool.recipient().await;
        let scene = Scene {
            pool,
            alice,
            bob,
            attacker,
        };
        let tree = scene.honest(100, 200);
        for oracle in honest {
            scene.pool.approve(oracle, &tree, 1).await.unwrap();
        }
        let period = scene.pool.proposal().await.challenge_period;
        if period > 0 {
            scene.pool.wait(i64::from(period)).await;
            scene.pool.activate().await.unwrap();
        }
        assert_eq!(scene.pool.state().await.root, tree.root());
        scene
    }

    fn honest(&self, alice: u64, bob: u64) -> depin_client::rewards::RewardTree {
        self.pool.tree(&[
            (&self.alice.0, alice),
            (&self.bob.0, bob),
            (&self.attacker.0, 0),
        ])
    }

    /// Alice and bob as in the honest root; the attacker's own leaf holds
    /// `amount`, a second leaf for the attacker (the issue's "two leaves for
    /// one recipient") `second`, and a filler leaf the rest of the vault, so
    /// the declared total is always the whole vault.
    fn forged(&self, amount: u64, second: u64) -> depin_client::rewards::RewardTree {
        depin_client::rewards::RewardTree::new(
            self.pool.distributor,
            vec![
                (self.alice.0.pubkey(), 100),
                (self.bob.0.pubkey(), 200),
                (self.attacker.0.pubkey(), amount),
                (self.attacker.0.pubkey(), second),
                (
                    depin_client::Pubkey::new_unique(),
                    VAULT - 300 - amount - second,
                ),
            ],
        )
    }

    /// Every account the attacker wants to move, with its balance.
    async fn balances(&self) -> Vec<u64> {
        self.pool
            .balances(&[self.pool.vault, self.attacker.1, self.alice.1, self.bob.1])
            .await
    }

    /// The attacker claims its first (index 2) leaf of `tree`.
    async fn attacker_claims(
        &self,
        tree: &depin_client::rewards::RewardTree,
    ) -> Result<depin_client::Sent, depin_client::ClientError> {
        self.pool
            .claim(&self.attacker.0, &self.attacker.1, tree)
            .await
    }

    /// The attacker claims its second leaf (index 3) of `tree`.
    async fn attacker_claims_second_leaf(
        &self,
        tree: &depin_client::rewards::RewardTree,
    ) -> Result<depin_client::Sent, depin_client::ClientError> {
        let args = tree.claim_args_at(3).unwrap();
        let ix = rewards::claim(
            &self.attacker.0.pubkey(),
            &self.pool.distributor,
            &self.attacker.1,
            args,
        );
        self.pool.env.send(&[ix], &[&self.attacker.0]).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_approvals_required_a_leaked_key_never_makes_its_root_claimable() {
    let pool = Pool::guarded(VAULT, approvals(2, 0)).await;
    let honest = pool.oracles(1).await.remove(0);
    let leaked = pool.oracle.insecure_clone();
    let scene = Scene::new(pool, &[&leaked, &honest]).await;
    let pool = &scene.pool;
    let before = scene.balances().await;
    assert_eq!(before, [VAULT, 0, 0, 0]);

    // The attacker's root pays it everything the vault holds beyond the
    // honest leaves (and a second leaf on top): fully funded, so one more
    // approval would make it claimable.
    let forged = scene.forged(VAULT - 300, 0);
    pool.approve(&leaked, &forged, 2).await.unwrap();
    let p = pool.proposal().await;
    assert_eq!((p.status, p.approval_count), (ProposalStatus::Pending, 1));
    // It cannot approve twice, activate, or claim under it.
    assert_error(
        pool.approve(&leaked, &forged, 2).await,
        RewardsError::DuplicateApproval,
    );
    assert_error(pool.activate().await, RewardsError::NotFullyApproved);
    assert_error(
        scene.attacker_claims(&forged).await,
        RewardsError::InvalidProof,
    );
    // Nor pass off another network's membership as a second oracle.
    let other = pool.env.other_network().await;
    let admin = other.admin.pubkey();
    let ix = substitute(
        pool.approve_ix(&admin, &forged, 2),
        &member_record(&pool.env.network, &admin),
        &member_record(&other.network, &admin),
    );
    assert_error(
        pool.env.send(&[ix], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );
    assert_eq!(scene.balances().await, before);
    let d = pool.state().await;
    assert_eq!((d.epoch, d.total_claimed), (1, 0));

    // The honest oracle's root replaces the forged one; the admin revokes
    // the leaked key, which can then neither delay nor approve anything.
    let next = scene.honest(150, 260);
    pool.approve(&honest, &next, 2).await.unwrap();
    assert_eq!(pool.proposal().await.content.root, next.root());
    let ix = depin_client::registry::revoke_role(
        &pool.env.admin.pubkey(),
        &pool.env.network,
        &leaked.pubkey(),
        permission::ORACLE,
        &pool.env.admin.pubkey(),
    );
    pool.env.send(&[ix], &[&pool.env.admin]).await.unwrap();
    assert_fails(pool.approve(&leaked, &forged, 2).await);
    assert_eq!(pool.proposal().await.content.root, next.root());
    // A new oracle key takes its place.
    let replacement = pool.oracles(1).await.remove(0);
    pool.approve(&replacement, &next, 2).await.unwrap();
    assert_eq!(pool.state().await.root, next.root());
    pool.claim(&scene.alice.0, &scene.alice.1, &next)
        .await
        .unwrap();
    assert_eq!(scene.balances().await, [VAULT - 150, 0, 150, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_one_approval_and_a_challenge_period_the_admin_vetoes_the_leaked_keys_root() {
    let pool = Pool::guarded(VAULT, approvals(1, 86_400)).await;
    let leaked = pool.oracle.insecure_clone();
    let scene = Scene::new(pool, &[&leaked]).await;
    let pool = &scene.pool;

    // One key is enough to approve here, but not to make it claimable.
    let forged = scene.forged(VAULT - 300, 0);
    pool.approve(&leaked, &forged, 2).await.unwrap();
    let p = pool.proposal().await;
    assert_eq!(p.status, ProposalStatus::Approved);
    assert_error(pool.activate().await, RewardsError::ChallengePeriodActive);
    assert_error(
        scene.attacker_claims(&forged).await,
        RewardsError::InvalidProof,
    );
    // Meanwhile the honest root still pays.
    let honest = scene.honest(100, 200);
    pool.claim(&scene.alice.0, &scene.alice.1, &honest)
        .await
        .unwrap();
    // The attacker cannot replace its own root with a bigger one either.
    assert_error(
        pool.approve(&leaked, &scene.forged(VAULT - 301, 1), 2)
            .await,
        RewardsError::RootAwaitingActivation,
    );

    // The admin vetoes it and revokes the key.
    pool.veto().await.unwrap();
    let ix = depin_client::registry::revoke_role(
        &pool.env.admin.pubkey(),
        &pool.env.network,
        &leaked.pubkey(),
        permission::ORACLE,
        &pool.env.admin.pubkey(),
    );
    pool.env.send(&[ix], &[&pool.env.admin]).await.unwrap();
    pool.wait(86_400).await;
    let before = pool.snapshot(&[scene.attacker.1]).await;
    assert_error(pool.activate().await, RewardsError::RootVetoed);
    assert_error(
        scene.attacker_claims(&forged).await,
        RewardsError::InvalidProof,
    );
    assert_fails(pool.approve(&leaked, &forged, 2).await);
    pool.assert_unchanged(&before).await;
    assert_eq!(scene.balances().await, [VAULT - 100, 0, 100, 0]);
    let d = pool.state().await;
    assert_eq!((d.epoch, d.root), (1, honest.root()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn even_an_activated_forged_root_pays_at_most_the_limit_per_window() {
    // The weakest setting: one approval, no challenge period; only the
    // breaker stands: 1,000 per day.
    let pool = Pool::guarded(VAULT, outflow(1_000, 86_400)).await;
    let leaked = pool.oracle.insecure_clone();
    let scene = Scene::new(pool, &[&leaked]).await;
    let pool = &scene.pool;

    // All at once: refused.
    let forged = scene.forged(VAULT - 300, 0);
    pool.approve(&leaked, &forged, 2).await.unwrap();
    assert_eq!(pool.state().await.root, forged.root());
    assert_error(
        scene.attacker_claims(&forged).await,
        RewardsError::OutflowLimitExceeded,
    );
    // Within the limit, through its two leaves: the second pays again
    // (the oracle set's rule, stable and unique leaf indexes, is broken),
    // but the window holds.
    let forged = scene.forged(950, 600);
    pool.approve(&leaked, &forged, 3).await.unwrap();
    scene.attacker_claims(&forged).await.unwrap();
    assert_error(
        scene.attacker_claims_second_leaf(&forged).await,
        RewardsError::OutflowLimitExceeded,
    );
    assert_eq!(scene.balances().await, [VAULT - 950, 950, 0, 0]);
    // Honest recipients wait too: the cost of the breaker tripping.
    assert_error(
        pool.claim(&scene.alice.0, &scene.alice.1, &forged).await,
        RewardsError::OutflowLimitExceeded,
    );

    // The next day it takes at most the limit again: the second leaf's 600
    // goes through, 500 more on its first leaf would pass the limit.
    pool.wait(86_400).await;
    scene.attacker_claims_second_leaf(&forged).await.unwrap();
    let more = scene.forged(1_450, 600);
    pool.approve(&leaked, &more, 4).await.unwrap();
    assert_error(
        scene.attacker_claims(&more).await,
        RewardsError::OutflowLimitExceeded,
    );
    assert_eq!(scene.balances().await, [VAULT - 1_550, 1_550, 0, 0]);
    assert_eq!(pool.state().await.breaker.window_outflow, 600);

    // The admin pauses the pool once it notices: nothing more leaves.
    let admin = &pool.env.admin;
    let pause = rewards::set_paused(&admin.pubkey(), &pool.env.network, &pool.distributor, true);
    pool.env.send(&[pause], &[admin]).await.unwrap();
    pool.wait(86_400).await;
    assert_error(scene.attacker_claims(&more).await, RewardsError::Paused);
    assert_eq!(scene.balances().await, [VAULT - 1_550, 1_550, 0, 0]);
}
