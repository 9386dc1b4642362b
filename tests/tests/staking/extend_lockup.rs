//! `extend_lockup`: the owner locks a stake position again for
//! `lockup_secs` from now, ending no earlier than before; the weight follows
//! the new lockup from now on, rewards before it keep the old weight.

use depin_client::staking::DAY;
use depin_client::Signer;
use depin_staking::errors::StakingError;

use crate::fixture::{assert_staking_error, day, lock_end, weight, Staking};

const YEAR: i64 = 365 * DAY;
/// 864,000 tokens over 10 days: exactly one token per second.
const ONE_PER_SECOND: u64 = 864_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extend_lockup_reweighs_and_earlier_rewards_keep_the_old_weight() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let alice_position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    let bob_position = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;

    // 5 days at 1,000 : 1,000 → 216,000 each.
    s.advance(5 * DAY).await;
    assert_eq!(s.pending(&alice_position).await, 216_000);
    assert_eq!(s.pending(&bob_position).await, 216_000);
    s.try_extend(&alice, &alice_position, YEAR).await.unwrap();
    let now = s.now().await;
    let p = s.position(&alice_position).await;
    assert_eq!((p.lockup_secs, p.lockup_end), (YEAR, lock_end(now, YEAR)));
    assert_eq!((p.amount, p.weight, p.boost), (1_000, 3_000, 2_000));
    let bucket = s.boost_end(day(p.lockup_end)).await.unwrap();
    assert_eq!((bucket.weight_decrease, bucket.applied), (2_000, false));
    // Settled at the old weight: 432,000 × 10^12 / 2,000 per unit of weight.
    assert_eq!(
        (p.pending, p.index_snapshot),
        (216_000, 216_000_000_000_000)
    );
    let pool = s.state().await;
    assert_eq!((pool.total_weight, pool.total_staked), (4_000, 2_000));
    assert_eq!(pool.boost_weight, 2_000);

    // 5 more days at 3,000 : 1,000 → 324,000 and 108,000.
    s.advance(5 * DAY).await;
    assert_eq!(s.pending(&alice_position).await, 216_000 + 324_000);
    assert_eq!(s.pending(&bob_position).await, 216_000 + 108_000);
    assert_eq!(
        s.claim(&alice, &alice_position, &alice_tokens).await,
        540_000
    );
    assert_eq!(s.claim(&bob, &bob_position, &bob_tokens).await, 324_000);
    assert_eq!(s.vaults().await, [2_000, 0, 0]);
    let pool = s.state().await;
    assert_eq!(
        (pool.total_rewards_funded, pool.total_rewards_paid),
        (ONE_PER_SECOND, ONE_PER_SECOND)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extend_lockup_can_only_move_the_end_later() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    // At 06:00, so the rounding of lock ends to midnight shows.
    let start = s.to_midnight(DAY / 4).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 100 * DAY).await;
    let before = s.snapshot(&[position]).await;
    assert_staking_error(
        s.try_extend(&alice, &position, 50 * DAY).await,
        StakingError::LockupNotExtended,
    );
    // Ending at the midnight before: refused; a second short of 100 days
    // rounds up to the same midnight as now, which is allowed below.
    assert_staking_error(
        s.try_extend(&alice, &position, 100 * DAY - DAY / 4).await,
        StakingError::LockupNotExtended,
    );
    before.assert_unchanged(&s.env).await;

    // The lock ends at the midnight after start + 100 days.
    let end = start - DAY / 4 + 101 * DAY;
    assert_eq!(s.position(&position).await.lockup_end, end);
    // 60 days later a 39-day lock would end two days early, a 40-day lock
    // (ending at the same midnight) or a 41-day one is fine.
    s.advance(60 * DAY).await;
    let before = s.snapshot(&[position]).await;
    assert_staking_error(
        s.try_extend(&alice, &position, 39 * DAY).await,
        StakingError::LockupNotExtended,
    );
    before.assert_unchanged(&s.env).await;
    s.try_extend(&alice, &position, 40 * DAY).await.unwrap();
    assert_eq!(s.position(&position).await.lockup_end, end);
    s.try_extend(&alice, &position, 41 * DAY).await.unwrap();
    let p = s.position(&position).await;
    assert_eq!((p.lockup_secs, p.lockup_end), (41 * DAY, end + DAY));
    // The weight follows the lockup just chosen (1.2246x).
    assert_eq!(p.weight, weight(1_000, 41 * DAY));
    assert_eq!(p.weight, 1_224);
    assert_eq!(s.state().await.total_weight, 1_224);
    // The boost moved: out of the old day's bucket, into the new day's.
    assert_eq!(s.boost_end(day(end)).await.unwrap().weight_decrease, 0);
    assert_eq!(
        s.boost_end(day(end + DAY)).await.unwrap().weight_decrease,
        224
    );
    assert_eq!(s.due_days().await, Vec::<i64>::new());
    let pending: Vec<i64> = s.state().await.boost_end_days_due(i64::MAX);
    assert_eq!(pending, [day(end + DAY)]);

    // Re-locking for the same lockup again right away is allowed (same end).
    s.try_extend(&alice, &position, 41 * DAY).await.unwrap();
    assert_eq!(s.position(&position).await.lockup_end, end + DAY);
    assert_eq!(
        s.boost_end(day(end + DAY)).await.unwrap().weight_decrease,
        224
    );
    // An unlocked position may be locked: 0 → a year.
    let (bob, bob_tokens) = s.staker(500).await;
    let bob_position = s.stake(&bob, &bob_tokens, 0, 500, 0).await;
    s.try_extend(&bob, &bob_position, YEAR).await.unwrap();
    let p = s.position(&bob_position).await;
    assert_eq!(
        (p.weight, p.lockup_end),
        (1_500, lock_end(s.now().await, YEAR))
    );
    assert_eq!(s.state().await.total_weight, 1_224 + 1_500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extend_lockup_beyond_the_maximum_fails() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, DAY).await;
    let before = s.snapshot(&[position]).await;
    for lockup in [YEAR + 1, i64::MAX, -1] {
        assert_staking_error(
            s.try_extend(&alice, &position, lockup).await,
            StakingError::LockupTooLong,
        );
    }
    before.assert_unchanged(&s.env).await;
    s.try_extend(&alice, &position, YEAR).await.unwrap();
    assert_eq!(s.position(&position).await.weight, 3_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extend_lockup_by_a_non_owner_fails() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let (mallory, _) = s.staker(0).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    let before = s.snapshot(&[position]).await;
    assert_staking_error(
        s.try_extend(&mallory, &position, YEAR).await,
        StakingError::NotOwner,
    );
    before.assert_unchanged(&s.env).await;
    // Without alice's signature, naming alice, it fails too.
    let ix = s.extend_ix(&alice.pubkey(), &position, YEAR).await;
    depin_tests::assert_requires_signature(&s.env, ix, &alice.pubkey()).await;
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.position(&position).await.weight, 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extend_lockup_of_a_bond_fails() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(1_000).await;
    let bond = s.bond(&operator, &tokens, 1_000).await;
    let before = s.snapshot(&[bond]).await;
    assert_staking_error(
        s.try_extend(&operator, &bond, YEAR).await,
        StakingError::BondHasNoLockup,
    );
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extend_lockup_of_an_unstaking_position_fails() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.request_unstake(&alice, &position).await;
    let before = s.snapshot(&[position]).await;
    assert_staking_error(
        s.try_extend(&alice, &position, YEAR).await,
        StakingError::NothingStaked,
    );
    before.assert_unchanged(&s.env).await;
    let p = s.position(&position).await;
    assert_eq!((p.amount, p.unbonding, p.weight), (0, 1_000, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extend_lockup_of_another_pools_position_fails() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let (alice, tokens) = s.staker(2_000).await;
    let ours = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.stake_in(&other, &alice, &tokens, 1_000).await;
    let theirs = other.position_address(&alice.pubkey(), 0);
    let before = s.snapshot(&[ours, theirs, other.pool]).await;

    // This pool with the other pool's position...
    assert_staking_error(
        s.try_extend(&alice, &theirs, YEAR).await,
        StakingError::WrongPool,
    );
    // ...and the other pool with this pool's position.
    let ix = depin_client::staking::extend_lockup(
        &s.env.cluster,
        &s.env.payer(),
        &alice.pubkey(),
        &other.network,
        &ours,
        YEAR,
    )
    .await
    .unwrap();
    assert_staking_error(s.env.send(&[ix], &[&alice]).await, StakingError::WrongPool);
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extend_lockup_needs_its_payers_signature_for_a_new_bucket() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let (friend, _) = s.staker(0).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    // A friend pays the new bucket's rent.
    let p = s.position(&position).await;
    let ix = s
        .view()
        .await
        .extend_lockup(&friend.pubkey(), &alice.pubkey(), (&position, &p), YEAR)
        .unwrap();
    let bucket = s.boost_end_address(day(lock_end(s.now().await, YEAR)));
    let before = s.snapshot(&[position, bucket]).await;
    let friend_lamports = s.env.lamports(&friend.pubkey()).await;
    let unsigned = depin_tests::unsign(ix.clone(), &friend.pubkey());
    depin_tests::assert_error(
        s.env.send(&[unsigned], &[&alice]).await,
        anchor_lang::error::ErrorCode::AccountNotSigner,
    );
    before.assert_unchanged(&s.env).await;
    s.env.send(&[ix], &[&alice, &friend]).await.unwrap();
    assert!(s.env.lamports(&friend.pubkey()).await < friend_lamports);
    assert_eq!(s.position(&position).await.weight, 3_000);
    assert_eq!(
        s.boost_end(day(lock_end(s.now().await, YEAR)))
            .await
            .unwrap()
            .weight_decrease,
        2_000
    );
}
