//! The circuit breaker: claims and push claims together take at most the
//! outflow limit per window; the clawback to the network's treasury is not
//! limited.

use depin_client::rewards;
use depin_client::Signer;
use depin_rewards::errors::RewardsError;
use depin_rewards::state::OutflowBreaker;
use depin_tests::*;

use crate::fixture::{outflow, Pool};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_beyond_the_limit_are_refused_until_the_next_window() {
    let pool = Pool::guarded(10_000, outflow(500, 3_600)).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let (carol, carol_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 300), (&bob, 300), (&carol, 200)]);
    pool.post(&tree, 1).await;

    let start = pool.now().await;
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    assert_eq!(
        pool.state().await.breaker,
        OutflowBreaker {
            limit: 500,
            period_secs: 3_600,
            window_start: start,
            window_outflow: 300,
            _padding: [0; 4],
        }
    );
    // 300 more would make 600 in this window.
    let before = pool.snapshot(&[bob_tokens]).await;
    assert_error(
        pool.claim(&bob, &bob_tokens, &tree).await,
        RewardsError::OutflowLimitExceeded,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.claimed(1).await, 0);
    // Exactly up to the limit goes through.
    pool.claim(&carol, &carol_tokens, &tree).await.unwrap();
    assert_eq!(pool.state().await.breaker.window_outflow, 500);

    // Still the same window one second before its end.
    pool.wait(3_599).await;
    assert_error(
        pool.claim(&bob, &bob_tokens, &tree).await,
        RewardsError::OutflowLimitExceeded,
    );
    pool.wait(1).await;
    pool.claim(&bob, &bob_tokens, &tree).await.unwrap();
    let d = pool.state().await;
    assert_eq!(
        (d.breaker.window_start, d.breaker.window_outflow),
        (start + 3_600, 300)
    );
    assert_eq!(d.total_claimed, 800);
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, carol_tokens, pool.vault])
            .await,
        [300, 300, 200, 9_200]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_claims_count_toward_the_limit_too() {
    let pool = Pool::guarded(10_000, outflow(1_000, 86_400)).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let (carol, carol_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 400), (&bob, 400), (&carol, 400)]);
    pool.post(&tree, 1).await;

    pool.push(&alice.pubkey(), &alice_tokens, &tree)
        .await
        .unwrap();
    assert_eq!(pool.state().await.breaker.window_outflow, 400);
    // The crank's batch of two more: the second would pass the limit, so
    // the whole transaction fails.
    let batch = [
        Pool::push_ix(&bob.pubkey(), &bob_tokens, &tree),
        Pool::push_ix(&carol.pubkey(), &carol_tokens, &tree),
    ];
    let before = pool.snapshot(&[bob_tokens, carol_tokens]).await;
    assert_error(
        pool.env.send(&batch, &[]).await,
        RewardsError::OutflowLimitExceeded,
    );
    pool.assert_unchanged(&before).await;
    // A claim by the recipient counts the same.
    pool.push(&bob.pubkey(), &bob_tokens, &tree).await.unwrap();
    assert_error(
        pool.claim(&carol, &carol_tokens, &tree).await,
        RewardsError::OutflowLimitExceeded,
    );
    assert_error(
        pool.push(&carol.pubkey(), &carol_tokens, &tree).await,
        RewardsError::OutflowLimitExceeded,
    );
    assert_eq!(pool.balance(&carol_tokens).await, 0);
    assert_eq!(pool.state().await.breaker.window_outflow, 800);

    pool.wait(86_400).await;
    pool.push(&carol.pubkey(), &carol_tokens, &tree)
        .await
        .unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, carol_tokens, pool.vault])
            .await,
        [400, 400, 400, 8_800]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaf_larger_than_the_limit_waits_until_the_admin_raises_it() {
    let pool = Pool::guarded(10_000, outflow(1_000, 3_600)).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 1_500)]);
    pool.post(&tree, 1).await;
    // Claims pay the whole difference or nothing, so no window ever fits it.
    let before = pool.snapshot(&[alice_tokens]).await;
    assert_error(
        pool.claim(&alice, &alice_tokens, &tree).await,
        RewardsError::OutflowLimitExceeded,
    );
    pool.wait(3_600).await;
    assert_error(
        pool.claim(&alice, &alice_tokens, &tree).await,
        RewardsError::OutflowLimitExceeded,
    );
    pool.assert_unchanged(&before).await;
    pool.set_guards(outflow(2_000, 3_600)).await.unwrap();
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    assert_eq!(pool.balance(&alice_tokens).await, 1_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clawback_to_the_treasury_is_not_limited_nor_counted() {
    let pool = Pool::open(5_000, Some(3_600), outflow(100, 86_400)).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    let breaker = pool.state().await.breaker;
    assert_eq!(breaker.window_outflow, 100);

    pool.expire().await;
    pool.env
        .send(&[rewards::clawback(&pool.distributor, &pool.treasury)], &[])
        .await
        .unwrap();
    assert_eq!(
        pool.balances(&[pool.vault, pool.treasury, alice_tokens])
            .await,
        [0, 4_900, 100]
    );
    let d = pool.state().await;
    assert!(d.is_clawed_back());
    assert_eq!(d.breaker, breaker);
}
