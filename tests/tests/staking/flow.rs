use depin_client::staking::{self, StakeArgs, DAY};
use depin_client::{Cluster, Signer};

use crate::fixture::Staking;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stake_earn_unstake_withdraw() {
    let s = Staking::new().await;
    let net = s.env.network;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;

    // alice: 1,000 unlocked (weight 1,000); bob: 1,000 locked for a year (3x: 3,000).
    let c = &s.env.cluster;
    let ix = staking::stake(
        c,
        &s.env.payer(),
        &alice.pubkey(),
        &net,
        &alice_tokens,
        StakeArgs {
            id: 0,
            amount: 1_000,
            lockup_secs: 0,
        },
    )
    .await
    .unwrap();
    s.env.send(&[ix], &[&alice]).await.unwrap();
    let ix = staking::stake(
        c,
        &s.env.payer(),
        &bob.pubkey(),
        &net,
        &bob_tokens,
        StakeArgs {
            id: 0,
            amount: 1_000,
            lockup_secs: 365 * DAY,
        },
    )
    .await
    .unwrap();
    s.env.send(&[ix], &[&bob]).await.unwrap();
    assert_eq!(s.balance(&s.stake_vault).await, 2_000);

    // 4,000 tokens over 10 days; after all 10 days alice earned 1/4, bob 3/4.
    s.fund(4_000, 10 * DAY).await;
    s.env.cluster.advance_clock(10 * DAY).await.unwrap();
    let alice_position = staking::position_address(&net, &alice.pubkey(), 0);
    let bob_position = staking::position_address(&net, &bob.pubkey(), 0);
    assert_eq!(
        staking::pending_rewards(&s.env.cluster, &net, &alice_position)
            .await
            .unwrap(),
        1_000
    );
    assert_eq!(
        staking::pending_rewards(&s.env.cluster, &net, &bob_position)
            .await
            .unwrap(),
        3_000
    );
    let ix = staking::claim_rewards(c, &alice.pubkey(), &net, &alice_position, &alice_tokens)
        .await
        .unwrap();
    s.env.send(&[ix], &[&alice]).await.unwrap();
    assert_eq!(s.balance(&alice_tokens).await, 1_000);

    // alice unstakes: cooldown, then principal back and the position closes.
    let ix = staking::request_unstake(c, &alice.pubkey(), &net, &alice_position)
        .await
        .unwrap();
    s.env.send(&[ix], &[&alice]).await.unwrap();
    s.env.cluster.advance_clock(7 * DAY).await.unwrap();
    let ix = staking::withdraw(c, &alice.pubkey(), &net, &alice_position, &alice_tokens)
        .await
        .unwrap();
    s.env.send(&[ix], &[&alice]).await.unwrap();
    assert_eq!(s.balance(&alice_tokens).await, 2_000);
    assert!(s
        .env
        .cluster
        .get_account(&alice_position)
        .await
        .unwrap()
        .is_none());
    let pool = staking::pool(&s.env.cluster, &net).await.unwrap();
    assert_eq!(
        (
            pool.total_staked,
            pool.total_rewards_paid,
            pool.total_weight
        ),
        (1_000, 1_000, 3_000)
    );
}
