//! `apply_boost_ends`: anyone applies a pool's due lock-end buckets, in
//! day order, as many as one transaction carries. Only needed after a pool
//! was left untouched past more lock ends than a transaction carries
//! (`staking::MAX_BOOST_ENDS`): every other instruction applies the due
//! buckets itself (the client adds them) and refuses to run while one is
//! missing.

use depin_client::staking::{self, DAY, MAX_BOOST_ENDS};
use depin_client::{Pubkey, Signer};
use depin_staking::errors::StakingError;
use depin_tests::*;

use crate::fixture::{assert_staking_error, day, read_only, Staking};

const SCALE: u128 = 1_000_000_000_000;

/// A pool with `n` locks of carol (10,000 each) ending on the `n`
/// midnights after `start`, and bob's 10,000 unlocked; one token a second
/// for 30 days; then `n + 1` days with nobody calling anything.
struct Idle {
    s: Staking,
    start: i64,
    bob: depin_client::Keypair,
    bob_tokens: Pubkey,
    bob_position: Pubkey,
    /// carol's positions' boosts, by lock day (1-based).
    boosts: Vec<u128>,
}

async fn idle_pool(n: i64) -> Idle {
    let s = Staking::new().await;
    let (carol, carol_tokens) = s.staker(10_000 * n as u64).await;
    let (bob, bob_tokens) = s.staker(10_000).await;
    let start = s.to_midnight(0).await;
    let mut boosts = Vec::new();
    for d in 1..=n {
        let position = s
            .stake(&carol, &carol_tokens, d as u32, 10_000, d * DAY)
            .await;
        let p = s.position(&position).await;
        assert_eq!(p.lockup_end, start + d * DAY);
        assert!(p.boost > 0);
        boosts.push(p.boost);
    }
    let bob_position = s.stake(&bob, &bob_tokens, 0, 10_000, 0).await;
    s.fund(30 * 86_400, 30 * DAY).await;
    s.advance((n + 1) * DAY).await;
    Idle {
        s,
        start,
        bob,
        bob_tokens,
        bob_position,
        boosts,
    }
}

impl Idle {
    /// bob's exact share of the first `days` days: each day's 86,400 at
    /// the weights of that day.
    fn bob_share(&self, days: i64) -> u128 {
        let n = self.boosts.len();
        let mut share = 0u128;
        for k in 1..=days as usize {
            let running: u128 = self.boosts[(k - 1).min(n)..].iter().sum();
            let total = 10_000 + n as u128 * 10_000 + running;
            share += 86_400 * SCALE * 10_000 / total;
        }
        share / SCALE
    }

    fn days(&self, from: i64, to: i64) -> Vec<i64> {
        (from..=to).map(|d| day(self.start) + d).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_left_past_more_lock_ends_than_a_transaction_carries_catches_up_in_chunks() {
    let idle = idle_pool(20).await;
    let s = &idle.s;
    assert_eq!(s.due_days().await, idle.days(1, 20));
    // More due than one instruction carries: the builders say so.
    let error = staking::claim_rewards(
        &s.env.cluster,
        &idle.bob.pubkey(),
        &s.net(),
        &idle.bob_position,
        &idle.bob_tokens,
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("staking::catch_up"), "{error}");
    let chunks = staking::catch_up_instructions(&s.env.cluster, &s.net())
        .await
        .unwrap();
    assert_eq!(chunks.len(), 2);
    assert_eq!(chunks[0].accounts.len(), 1 + MAX_BOOST_ENDS);

    // The second chunk first: its first day is not the next due one.
    let buckets: Vec<Pubkey> = idle
        .days(1, 20)
        .into_iter()
        .map(|d| s.boost_end_address(d))
        .collect();
    let before = s.snapshot(&buckets).await;
    assert_staking_error(
        s.env.send(&[chunks[1].clone()], &[]).await,
        StakingError::MissingBoostEnd,
    );
    before.assert_unchanged(&s.env).await;

    // In order: the first 16 days, the pool standing at the 16th midnight.
    s.env.send(&[chunks[0].clone()], &[]).await.unwrap();
    let pool = s.state().await;
    let sixteenth = day(idle.start) + 16;
    assert_eq!(pool.last_applied_day, sixteenth);
    assert_eq!(pool.stream_last_update, sixteenth * DAY);
    assert_eq!(pool.boost_weight, idle.boosts[16..].iter().sum::<u128>());
    for (i, d) in idle.days(1, 20).into_iter().enumerate() {
        assert_eq!(s.boost_end(d).await.unwrap().applied, i < 16);
    }
    // The rest fits an ordinary instruction: bob's claim carries them.
    assert!(staking::catch_up_instructions(&s.env.cluster, &s.net())
        .await
        .unwrap()
        .is_empty());
    let paid = s
        .claim(&idle.bob, &idle.bob_position, &idle.bob_tokens)
        .await;
    let exact = idle.bob_share(21);
    assert!(u128::from(paid).abs_diff(exact) <= 1, "{paid} vs {exact}");
    let pool = s.state().await;
    assert_eq!((pool.boost_weight, pool.total_weight), (0, 210_000));
    assert!(s.due_days().await.is_empty());

    // Again: nothing is due any more.
    let before = s.snapshot(&buckets).await;
    assert_staking_error(
        s.env.send(&[chunks[0].clone()], &[]).await,
        StakingError::NoBoostEndDue,
    );
    before.assert_unchanged(&s.env).await;
    assert_eq!(
        staking::catch_up(&s.env.cluster, &s.net()).await.unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_sends_the_chunks_and_anyone_may_apply() {
    let idle = idle_pool(18).await;
    let s = &idle.s;
    // The cluster's payer sends them; no other signature is needed.
    assert_eq!(
        staking::catch_up(&s.env.cluster, &s.net()).await.unwrap(),
        2
    );
    let pool = s.state().await;
    assert_eq!(pool.last_applied_day, day(s.now().await));
    assert_eq!(pool.stream_last_update, s.now().await);
    assert_eq!(pool.boost_weight, 0);
    let paid = s
        .claim(&idle.bob, &idle.bob_position, &idle.bob_tokens)
        .await;
    let exact = idle.bob_share(19);
    assert!(u128::from(paid).abs_diff(exact) <= 1, "{paid} vs {exact}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_boost_ends_refuses_foreign_fake_missing_and_read_only_buckets() {
    let idle = idle_pool(2).await;
    let s = &idle.s;
    let other = s.other_pool().await;
    let (mallory, mallory_tokens) = s.staker(1_000).await;
    // A bucket of the other pool: mallory locks there for a day.
    let args = staking::StakeArgs {
        id: 0,
        amount: 1_000,
        lockup_secs: DAY,
    };
    let ix = staking::stake(
        &s.env.cluster,
        &s.env.payer(),
        &mallory.pubkey(),
        &other.network,
        &mallory_tokens,
        args,
    )
    .await
    .unwrap();
    s.env.send(&[ix], &[&mallory]).await.unwrap();
    let theirs_day = day(s.now().await) + 1;
    let theirs = staking::boost_end_address(&other.network, theirs_day);
    assert!(s.env.exists(&theirs).await);

    let due = idle.days(1, 2);
    let ours: Vec<Pubkey> = due.iter().map(|d| s.boost_end_address(*d)).collect();
    let apply = staking::apply_boost_ends(&s.net(), &due);
    let before = s
        .snapshot(&[ours[0], ours[1], theirs, other.pool, mallory_tokens])
        .await;
    // No bucket at all, or only the second due day's.
    assert_staking_error(s.try_apply(&[]).await, StakingError::MissingBoostEnd);
    assert_staking_error(s.try_apply(&due[1..]).await, StakingError::MissingBoostEnd);
    // Another pool's bucket, a token account, a wallet, the pool itself.
    for impostor in [theirs, mallory_tokens, mallory.pubkey(), s.pool] {
        let ix = substitute(apply.clone(), &ours[0], &impostor);
        assert_staking_error(s.env.send(&[ix], &[]).await, StakingError::InvalidBoostEnd);
    }
    // Read-only: it could not record its end.
    assert_staking_error(
        s.env.send(&[read_only(apply.clone(), &ours[0])], &[]).await,
        StakingError::InvalidBoostEnd,
    );
    before.assert_unchanged(&s.env).await;

    // As built: both applied, the pool at now.
    s.env.send(std::slice::from_ref(&apply), &[]).await.unwrap();
    for (bucket, d) in ours.iter().zip(&due) {
        let b = s.boost_end(*d).await.unwrap();
        assert!(b.applied, "{bucket}");
    }
    let pool = s.state().await;
    assert_eq!(pool.stream_last_update, s.now().await);
    // A replay finds nothing due and changes nothing.
    let before = s.snapshot(&ours).await;
    assert_staking_error(s.env.send(&[apply], &[]).await, StakingError::NoBoostEndDue);
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_boost_ends_with_nothing_due_fails() {
    let s = Staking::new().await;
    let before = s.snapshot(&[]).await;
    assert_staking_error(s.try_apply(&[]).await, StakingError::NoBoostEndDue);
    before.assert_unchanged(&s.env).await;
    // A bucket that exists but is not due yet.
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 30 * DAY).await;
    let later = day(s.position(&position).await.lockup_end);
    let before_lock = s.snapshot(&[s.boost_end_address(later)]).await;
    assert_staking_error(s.try_apply(&[later]).await, StakingError::NoBoostEndDue);
    before_lock.assert_unchanged(&s.env).await;
}
