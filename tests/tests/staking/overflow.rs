//! Amounts near u64::MAX: the token's supply can reach it (the admin is the
//! mint authority), weights are u128, and every sum is checked.

use anchor_spl::token::spl_token::error::TokenError;
use depin_client::staking::DAY;
use depin_client::{token, Keypair, Pubkey, Signer};
use depin_staking::errors::StakingError;
use depin_tests::*;

use crate::fixture::{assert_staking_error, Staking, FUNDING};

const YEAR: i64 = 365 * DAY;
const SCALE: u128 = 1_000_000_000_000;
/// What B holds: the supply is then exactly u64::MAX.
const SMALL: u64 = 10_000;
/// What A holds: everything else.
const HUGE: u64 = u64::MAX - FUNDING - SMALL;

/// A pool whose token's whole supply is out: the funding account, a whale
/// A holding `HUGE` and a minnow B holding `SMALL`.
async fn whale_and_minnow() -> (Staking, (Keypair, Pubkey), (Keypair, Pubkey)) {
    let s = Staking::new().await;
    let a = s.staker(HUGE).await;
    let b = s.staker(SMALL).await;
    let supply = token::mint_supply(&s.env.cluster, &s.env.reward_mint)
        .await
        .unwrap();
    assert_eq!(supply, u64::MAX);
    (s, a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stake_near_u64_max_weighs_in_u128() {
    let (s, (a, a_tokens), (b, b_tokens)) = whale_and_minnow().await;
    // The supply is full: not one more token.
    let (_, spare) = s.staker(0).await;
    let result = token::mint_to(&s.env.cluster, &s.env.reward_mint, &spare, &s.env.admin, 1).await;
    assert_error(result, TokenError::Overflow as u32);

    let whale = s.stake(&a, &a_tokens, 0, HUGE, YEAR).await;
    let p = s.position(&whale).await;
    assert_eq!(p.amount, HUGE);
    assert_eq!(p.weight, 3 * HUGE as u128);
    assert!(p.weight > u64::MAX as u128);
    let minnow = s.stake(&b, &b_tokens, 0, SMALL, 0).await;
    let pool = s.state().await;
    assert_eq!(pool.total_staked, u64::MAX - FUNDING);
    assert_eq!(pool.total_weight, 3 * HUGE as u128 + SMALL as u128);
    assert_eq!(s.vaults().await, [u64::MAX - FUNDING, 0, 0]);
    assert_eq!(s.position(&minnow).await.weight, SMALL as u128);
    // The whale's boost, 2 × HUGE, sits in its lock-end bucket.
    let end = s.position(&whale).await.lockup_end;
    let bucket = s.boost_end(crate::fixture::day(end)).await.unwrap();
    assert_eq!(bucket.weight_decrease, 2 * HUGE as u128);
    assert_eq!(pool.boost_weight, 2 * HUGE as u128);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boosts_near_u64_max_ending_on_one_day_leave_together() {
    let (s, (a, a_tokens), (b, b_tokens)) = whale_and_minnow().await;
    let start = s.to_midnight(0).await;
    let whale = s.stake(&a, &a_tokens, 0, HUGE, YEAR).await;
    let minnow = s.stake(&b, &b_tokens, 0, SMALL, YEAR).await;
    let day = crate::fixture::day(start + YEAR);
    let total = 2 * (HUGE as u128 + SMALL as u128);
    assert_eq!(s.boost_end(day).await.unwrap().weight_decrease, total);
    assert_eq!(
        s.state().await.total_weight,
        3 * (HUGE as u128 + SMALL as u128)
    );
    s.advance(YEAR).await;
    // Nothing funded: nothing to claim, but the due bucket still applies
    // when the next instruction runs (here: a request to unstake).
    s.request_unstake(&b, &minnow).await;
    let bucket = s.boost_end(day).await.unwrap();
    assert!(bucket.applied);
    let pool = s.state().await;
    assert_eq!((pool.total_weight, pool.boost_weight), (HUGE as u128, 0));
    let p = s.position(&minnow).await;
    assert_eq!((p.weight, p.boost, p.unbonding), (0, 0, SMALL));
    // The whale's record keeps its boost until it is touched.
    assert_eq!(s.position(&whale).await.weight, 3 * HUGE as u128);
    assert_eq!(s.effective_weight(&whale).await, HUGE as u128);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stake_overflowing_total_staked_fails_with_overflow_before_any_transfer() {
    let (s, (a, a_tokens), (b, b_tokens)) = whale_and_minnow().await;
    s.stake(&a, &a_tokens, 0, HUGE, 0).await;
    let position = s.position_address(&b.pubkey(), 0);
    let before = s.snapshot(&[position, b_tokens]).await;

    // total_staked + amount > u64::MAX: the program's checked sum refuses
    // before the token program is asked.
    for amount in [u64::MAX, FUNDING + SMALL + 1] {
        assert_staking_error(
            s.try_stake(&b, &b_tokens, 0, amount, 0).await,
            StakingError::Overflow,
        );
    }
    // One less fits the sum; B does not hold it, so the token program refuses.
    assert_error(
        s.try_stake(&b, &b_tokens, 0, FUNDING + SMALL, 0).await,
        TokenError::InsufficientFunds as u32,
    );
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.state().await.total_staked, HUGE);

    // What B holds goes in.
    s.stake(&b, &b_tokens, 0, SMALL, 0).await;
    assert_eq!(s.state().await.total_staked, HUGE + SMALL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bond_overflowing_its_amount_fails_with_overflow() {
    let (s, (a, a_tokens), (_, b_tokens)) = whale_and_minnow().await;
    let bond = s.bond(&a, &a_tokens, HUGE).await;
    let before = s.snapshot(&[bond, a_tokens, b_tokens]).await;
    assert_staking_error(
        s.try_bond(&a, &a_tokens, u64::MAX).await,
        StakingError::Overflow,
    );
    before.assert_unchanged(&s.env).await;
    let b = s.position(&bond).await;
    assert_eq!((b.amount, b.weight), (HUGE, HUGE as u128));
    assert!(s.eligible(&a.pubkey()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rewards_on_a_weight_above_u64_are_exact_and_the_remainder_waits() {
    let (s, (a, a_tokens), _) = whale_and_minnow().await;
    let whale = s.stake(&a, &a_tokens, 0, HUGE, YEAR).await;
    // All of the funding account, released within a second.
    s.fund(FUNDING, 1).await;
    s.advance(1).await;
    let weight = 3 * HUGE as u128;
    let value = FUNDING as u128 * SCALE;
    let increment = value / weight;
    let expected = (weight * increment / SCALE) as u64;
    // With a total weight above SCALE the index moves in coarse steps:
    // 10^21 / 5.5 × 10^19 = 18.07, of which 18 per unit of weight are
    // credited and the rest (3,875,821 base units, 0.39%) waits as dust
    // for the next release.
    assert_eq!(increment, 18);
    assert_eq!(s.pending(&whale).await, expected);
    assert_eq!(s.claim(&a, &whale, &a_tokens).await, expected);
    let pool = s.state().await;
    assert_eq!(
        (pool.reward_per_weight, pool.dust),
        (increment, value % weight)
    );
    assert_eq!(pool.total_rewards_paid, expected);
    let waiting = FUNDING - expected;
    assert_eq!(waiting as u128, (value % weight).div_ceil(SCALE));
    assert_eq!(s.vaults().await, [HUGE, waiting, 0]);
}
