//! `post_root`: who may post, and what makes a root acceptable (forward
//! epochs, a total that never shrinks, full funding, an open distributor).

use depin_client::rewards;
use depin_client::Signer;
use depin_registry::state::permission;
use depin_rewards::errors::RewardsError;
use depin_tests::*;

use crate::fixture::{self, transfer_ix, Pool, FUNDING};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_by_the_oracle_stores_root_epoch_and_totals() {
    let pool = Pool::new(1_000).await;
    let (alice, _) = pool.recipient().await;
    let (bob, _) = pool.recipient().await;
    let (carol, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100), (&bob, 250), (&carol, 0)]);
    pool.post(&tree, 3).await;
    let d = pool.state().await;
    assert_eq!(d.root, tree.root());
    assert_eq!(
        (d.epoch, d.cumulative_total, d.recipient_count),
        (3, 350, 3)
    );
    // Posting moves no tokens.
    assert_eq!((d.total_claimed, d.total_funded), (0, 1_000));
    assert_eq!(pool.balance(&pool.vault).await, 1_000);

    // Epochs may skip numbers.
    let next = pool.tree(&[(&alice, 150), (&bob, 250), (&carol, 40)]);
    pool.post(&next, 10).await;
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.cumulative_total, d.root),
        (10, 440, next.root())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_requires_the_oracle_permission() {
    let pool = Pool::new(1_000).await;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    let before = pool.snapshot(&[]).await;
    // The admin-like member holds ADMIN, TREASURY, ... but not ORACLE.
    fixture::assert_requires_permission(
        &pool.env,
        |authority| {
            rewards::post_root(
                authority,
                &pool.env.network,
                &pool.distributor,
                tree.post_root_args(1),
            )
        },
        permission::ORACLE,
    )
    .await;
    pool.assert_unchanged(&before).await;
    let d = pool.state().await;
    assert_eq!((d.epoch, d.root, d.cumulative_total), (0, [0; 32], 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_rejects_a_replayed_or_older_epoch() {
    let pool = Pool::new(1_000).await;
    let (alice, _) = pool.recipient().await;
    let (bob, _) = pool.recipient().await;
    let epoch5 = pool.tree(&[(&alice, 100), (&bob, 100)]);
    pool.post(&epoch5, 5).await;

    // The same transaction again (a replayed root), then a bigger root
    // under the same and an older epoch.
    let bigger = pool.tree(&[(&alice, 300), (&bob, 100)]);
    let before = pool.snapshot(&[]).await;
    assert_error(
        pool.try_post(&epoch5, 5).await,
        RewardsError::EpochNotIncreasing,
    );
    assert_error(
        pool.try_post(&bigger, 5).await,
        RewardsError::EpochNotIncreasing,
    );
    assert_error(
        pool.try_post(&bigger, 4).await,
        RewardsError::EpochNotIncreasing,
    );
    assert_error(
        pool.try_post(&bigger, 0).await,
        RewardsError::EpochNotIncreasing,
    );
    pool.assert_unchanged(&before).await;
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.root, d.cumulative_total),
        (5, epoch5.root(), 200)
    );

    pool.post(&bigger, 6).await;
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.root, d.cumulative_total),
        (6, bigger.root(), 400)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_rejects_a_shrinking_cumulative_total() {
    let pool = Pool::new(1_000).await;
    let (alice, _) = pool.recipient().await;
    let (bob, _) = pool.recipient().await;
    let first = pool.tree(&[(&alice, 100), (&bob, 200)]);
    pool.post(&first, 1).await;

    // Bob's reward moved to alice: same total, accepted as is.
    let shuffled = pool.tree(&[(&alice, 200), (&bob, 100)]);
    pool.post(&shuffled, 2).await;
    assert_eq!(pool.state().await.cumulative_total, 300);

    let shrunk = pool.tree(&[(&alice, 200), (&bob, 99)]);
    let before = pool.snapshot(&[]).await;
    assert_error(
        pool.try_post(&shrunk, 3).await,
        RewardsError::CumulativeTotalDecreased,
    );
    pool.assert_unchanged(&before).await;
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.cumulative_total, d.root),
        (2, 300, shuffled.root())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_refuses_an_unfunded_root_until_the_vault_covers_it() {
    let pool = Pool::new(100).await;
    let (alice, _) = pool.recipient().await;
    let (bob, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100), (&bob, 50)]);
    let before = pool.snapshot(&[]).await;
    assert_error(pool.try_post(&tree, 1).await, RewardsError::RootUnfunded);
    pool.assert_unchanged(&before).await;

    pool.fund(49).await;
    assert_error(pool.try_post(&tree, 1).await, RewardsError::RootUnfunded);
    assert_eq!(pool.state().await.epoch, 0);

    // Exactly funded is enough.
    pool.fund(1).await;
    pool.post(&tree, 1).await;
    let d = pool.state().await;
    assert_eq!((d.epoch, d.cumulative_total, d.total_funded), (1, 150, 150));
    assert_eq!(pool.balance(&pool.vault).await, 150);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_counts_already_claimed_amounts_as_funding() {
    let pool = Pool::new(300).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let first = pool.tree(&[(&alice, 100), (&bob, 200)]);
    pool.post(&first, 1).await;
    pool.claim(&alice, &alice_tokens, &first).await.unwrap();
    pool.claim(&bob, &bob_tokens, &first).await.unwrap();
    assert_eq!(pool.balance(&pool.vault).await, 0);

    // 350 promised in total, 300 already paid: the vault needs only 50.
    let second = pool.tree(&[(&alice, 130), (&bob, 220)]);
    assert_error(pool.try_post(&second, 2).await, RewardsError::RootUnfunded);
    pool.fund(49).await;
    assert_error(pool.try_post(&second, 2).await, RewardsError::RootUnfunded);
    pool.fund(1).await;
    pool.post(&second, 2).await;
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.cumulative_total, d.total_claimed, d.total_funded),
        (2, 350, 300, 350)
    );

    pool.claim(&alice, &alice_tokens, &second).await.unwrap();
    pool.push(&bob.pubkey(), &bob_tokens, &second)
        .await
        .unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, pool.vault]).await,
        [130, 220, 0]
    );
    assert_eq!(pool.state().await.total_claimed, 350);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_counts_tokens_sent_to_the_vault_directly() {
    let pool = Pool::new(0).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 80)]);
    assert_error(pool.try_post(&tree, 1).await, RewardsError::RootUnfunded);
    let admin = &pool.env.admin;
    let ix = transfer_ix(&pool.funding, &pool.vault, &admin.pubkey(), 80);
    pool.env.send(&[ix], &[admin]).await.unwrap();
    pool.post(&tree, 1).await;
    // Not recorded as funding, but claimable.
    assert_eq!(pool.state().await.total_funded, 0);
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [80, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_rejects_a_vault_that_is_not_the_distributors() {
    let pool = Pool::new(10).await;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 500)]);
    // The admin's funding account holds plenty: presenting it as the vault
    // would make an unfunded root look funded.
    let ix = substitute(pool.post_root_ix(&tree, 1), &pool.vault, &pool.funding);
    let before = pool.snapshot(&[]).await;
    assert_error(
        pool.env.send(&[ix], &[&pool.oracle]).await,
        RewardsError::WrongVault,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balance(&pool.funding).await, FUNDING - 10);

    // A token account of the mint owned by the distributor PDA is no vault
    // either.
    let decoy = pool.token_account(&pool.distributor).await;
    let admin = &pool.env.admin;
    let fill = transfer_ix(&pool.funding, &decoy, &admin.pubkey(), 500);
    pool.env.send(&[fill], &[admin]).await.unwrap();
    let ix = substitute(pool.post_root_ix(&tree, 1), &pool.vault, &decoy);
    assert_error(
        pool.env.send(&[ix], &[&pool.oracle]).await,
        RewardsError::WrongVault,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.state().await.epoch, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_after_expiry_fails() {
    let pool = Pool::expiring_in(1_000, 3_600).await;
    let (alice, _) = pool.recipient().await;
    let first = pool.tree(&[(&alice, 100)]);
    pool.post(&first, 1).await;
    pool.env.cluster.advance_clock(3_599).await.unwrap();
    let second = pool.tree(&[(&alice, 200)]);
    pool.post(&second, 2).await;

    pool.expire().await;
    let third = pool.tree(&[(&alice, 300)]);
    let before = pool.snapshot(&[]).await;
    assert_error(pool.try_post(&third, 3).await, RewardsError::Expired);
    pool.assert_unchanged(&before).await;
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.cumulative_total, d.root),
        (2, 200, second.root())
    );
}
