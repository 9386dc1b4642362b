//! `stake`: opens position `id` of the owner; the tokens move to the stake
//! vault and earn at once with weight amount × lockup multiplier.

use anchor_spl::token::spl_token::error::TokenError;
use depin_client::staking::{PositionKind, DAY};
use depin_client::Signer;
use depin_staking::errors::StakingError;
use depin_staking::pda;
use depin_tests::*;

use crate::fixture::{assert_staking_error, day, lock_end, weight, Staking};

const YEAR: i64 = 365 * DAY;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stake_weighs_the_amount_by_a_linear_capped_lockup_multiplier() {
    let s = Staking::new().await;
    let now = s.now().await;
    // (lockup, expected weight of 1,000): none 1x, half a year 2x, a year 3x,
    // a fifth of a year 1.4x.
    let cases = [
        (0, 1_000u128),
        (YEAR / 2, 2_000),
        (YEAR, 3_000),
        (YEAR / 5, 1_400),
    ];
    let mut total_weight = 0;
    for (i, (lockup, expected)) in cases.into_iter().enumerate() {
        assert_eq!(weight(1_000, lockup), expected);
        let (owner, tokens) = s.staker(1_000).await;
        let address = s.stake(&owner, &tokens, 0, 1_000, lockup).await;
        let (_, bump) = pda::position(&s.pool, &owner.pubkey(), 0);
        let p = s.position(&address).await;
        assert_eq!(
            (p.pool, p.owner, p.kind),
            (s.pool, owner.pubkey(), PositionKind::Stake)
        );
        assert_eq!((p.id, p.bump), (0, bump));
        assert_eq!((p.amount, p.unbonding, p.unbonding_ends_at), (1_000, 0, 0));
        // A lock ends at the UTC midnight at or after `now + lockup`.
        assert_eq!(
            (p.lockup_secs, p.lockup_end, p.created_at),
            (lockup, lock_end(now, lockup), now)
        );
        assert_eq!((p.weight, p.index_snapshot, p.pending), (expected, 0, 0));
        assert_eq!(p.boost, expected - 1_000);
        if p.boost > 0 {
            let bucket = s.boost_end(day(p.lockup_end)).await.unwrap();
            assert_eq!(
                (bucket.pool, bucket.weight_decrease, bucket.applied),
                (s.pool, p.boost, false)
            );
        }
        assert_eq!(s.balance(&tokens).await, 0);
        total_weight += expected;
        let pool = s.state().await;
        assert_eq!(pool.total_staked, 1_000 * (i as u64 + 1));
        assert_eq!(pool.total_weight, total_weight);
        assert_eq!(pool.boost_weight, total_weight - 1_000 * (i as u128 + 1));
    }
    assert_eq!(s.vaults().await, [4_000, 0, 0]);
    // The multiplier is in whole basis points, rounded down: a second
    // past zero is still 1x, a second short of a year 2.9999x.
    assert_eq!(weight(1_000, 1), 1_000);
    let (owner, tokens) = s.staker(1_000_000).await;
    let address = s.stake(&owner, &tokens, 0, 1_000_000, YEAR - 1).await;
    assert_eq!(s.position(&address).await.weight, 2_999_900);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_may_hold_several_positions() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(6_000).await;
    let p0 = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    let p1 = s.stake(&alice, &tokens, 1, 2_000, YEAR / 2).await;
    let p2 = s.stake(&alice, &tokens, 2, 3_000, YEAR).await;
    assert!(p0 != p1 && p1 != p2 && p0 != p2);
    for (address, id, amount, w) in [
        (p0, 0, 1_000, 1_000u128),
        (p1, 1, 2_000, 4_000),
        (p2, 2, 3_000, 9_000),
    ] {
        let p = s.position(&address).await;
        assert_eq!(
            (p.owner, p.id, p.amount, p.weight),
            (alice.pubkey(), id, amount, w)
        );
    }
    assert_eq!(s.balance(&tokens).await, 0);
    assert_eq!(s.vaults().await, [6_000, 0, 0]);
    let pool = s.state().await;
    assert_eq!((pool.total_staked, pool.total_weight), (6_000, 14_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staking_twice_with_one_id_fails_and_moves_nothing() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(3_000).await;
    let address = s.stake(&alice, &tokens, 7, 1_000, 0).await;
    let before = s.snapshot(&[address, tokens]).await;
    assert_already_in_use(s.try_stake(&alice, &tokens, 7, 2_000, YEAR).await);
    before.assert_unchanged(&s.env).await;
    let p = s.position(&address).await;
    assert_eq!((p.amount, p.lockup_secs, p.weight), (1_000, 0, 1_000));
    assert_eq!(s.balance(&tokens).await, 2_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stake_refuses_a_lockup_longer_than_the_pool_allows_or_negative() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.position_address(&alice.pubkey(), 0);
    let before = s.snapshot(&[position, tokens]).await;
    for lockup in [YEAR + 1, 4 * YEAR, i64::MAX, -1, i64::MIN] {
        assert_staking_error(
            s.try_stake(&alice, &tokens, 0, 1_000, lockup).await,
            StakingError::LockupTooLong,
        );
    }
    before.assert_unchanged(&s.env).await;
    assert!(!s.env.exists(&position).await);
    assert_eq!(s.balance(&tokens).await, 1_000);
    // The maximum itself is fine.
    s.stake(&alice, &tokens, 0, 1_000, YEAR).await;
    assert_eq!(s.position(&position).await.weight, 3_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stake_refuses_a_zero_amount() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.position_address(&alice.pubkey(), 0);
    let before = s.snapshot(&[position, tokens]).await;
    assert_staking_error(
        s.try_stake(&alice, &tokens, 0, 0, 0).await,
        StakingError::ZeroAmount,
    );
    before.assert_unchanged(&s.env).await;
    assert!(!s.env.exists(&position).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stake_requires_the_owners_signature() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.position_address(&alice.pubkey(), 0);
    let before = s.snapshot(&[position, tokens]).await;
    let ix = s.stake_ix(&alice.pubkey(), &tokens, 0, 1_000, 0).await;
    assert_requires_signature(&s.env, ix, &alice.pubkey()).await;
    before.assert_unchanged(&s.env).await;
    assert!(!s.env.exists(&position).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staking_from_someone_elses_token_account_fails_in_the_token_program() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (mallory, _) = s.staker(0).await;
    let position = s.position_address(&mallory.pubkey(), 0);
    let before = s.snapshot(&[position, alice_tokens]).await;
    // mallory signs as the owner but names alice's tokens as the source.
    let result = s.try_stake(&mallory, &alice_tokens, 0, 1_000, 0).await;
    assert_error(result, TokenError::OwnerMismatch as u32);
    before.assert_unchanged(&s.env).await;
    assert!(!s.env.exists(&position).await);
    assert_eq!(s.balance(&alice_tokens).await, 1_000);
    let pool = s.state().await;
    assert_eq!((pool.total_staked, pool.total_weight), (0, 0));

    // More than the owner holds: the token program refuses too.
    let result = s.try_stake(&alice, &alice_tokens, 0, 1_001, 0).await;
    assert_error(result, TokenError::InsufficientFunds as u32);
    assert!(!s.env.exists(&s.position_address(&alice.pubkey(), 0)).await);
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stake_into_a_substituted_stake_vault_fails() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let (_, mallory_tokens) = s.staker(0).await;
    let other = s.other_pool().await;
    let position = s.position_address(&alice.pubkey(), 0);
    let before = s
        .snapshot(&[position, tokens, mallory_tokens, other.stake_vault])
        .await;
    for fake in [mallory_tokens, other.stake_vault, s.reward_vault] {
        let ix = substitute(
            s.stake_ix(&alice.pubkey(), &tokens, 0, 1_000, 0).await,
            &s.stake_vault,
            &fake,
        );
        assert_staking_error(s.env.send(&[ix], &[&alice]).await, StakingError::WrongPool);
    }
    // The other pool with this pool's vault fails the same check.
    let ix = substitute(
        s.stake_ix(&alice.pubkey(), &tokens, 0, 1_000, 0).await,
        &s.pool,
        &other.pool,
    );
    let ix = substitute(ix, &position, &other.position_address(&alice.pubkey(), 0));
    assert_staking_error(s.env.send(&[ix], &[&alice]).await, StakingError::WrongPool);
    before.assert_unchanged(&s.env).await;
    assert!(!s.env.exists(&position).await);
}
