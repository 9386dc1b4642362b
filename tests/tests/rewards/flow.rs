use depin_client::rewards;
use depin_client::Signer;

use crate::fixture::Pool;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_follow_cumulative_roots() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;

    let epoch1 = pool.tree(&[(&alice, 100), (&bob, 200)]);
    pool.post(&epoch1, 1).await;
    let ix = rewards::claim(
        &alice.pubkey(),
        &pool.distributor,
        &alice_tokens,
        epoch1.claim_args(&alice.pubkey()).unwrap(),
    );
    pool.env.send(&[ix], &[&alice]).await.unwrap();
    assert_eq!(pool.balance(&alice_tokens).await, 100);

    // Epoch 2: alice earns 50 more, bob 25; bob never claimed epoch 1.
    let epoch2 = pool.tree(&[(&alice, 150), (&bob, 225)]);
    pool.post(&epoch2, 2).await;
    let ix = rewards::claim(
        &alice.pubkey(),
        &pool.distributor,
        &alice_tokens,
        epoch2.claim_args(&alice.pubkey()).unwrap(),
    );
    pool.env.send(&[ix], &[&alice]).await.unwrap();
    let ix = rewards::push_claim(
        &pool.distributor,
        &bob.pubkey(),
        &bob_tokens,
        epoch2.claim_args(&bob.pubkey()).unwrap(),
    );
    pool.env.send(&[ix], &[]).await.unwrap();

    assert_eq!(pool.balance(&alice_tokens).await, 150);
    assert_eq!(pool.balance(&bob_tokens).await, 225);
    assert_eq!(pool.balance(&pool.vault).await, 1_000 - 375);
    let d = rewards::distributor(&pool.env.cluster, &pool.distributor)
        .await
        .unwrap();
    assert_eq!(
        (d.epoch, d.cumulative_total, d.total_claimed, d.total_funded),
        (2, 375, 375, 1_000)
    );
    assert_eq!(
        rewards::claimed(&pool.env.cluster, &pool.distributor, 0)
            .await
            .unwrap(),
        150
    );
    assert_eq!(
        rewards::claimed(&pool.env.cluster, &pool.distributor, 1)
            .await
            .unwrap(),
        225
    );
}
