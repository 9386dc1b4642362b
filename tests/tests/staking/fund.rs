//! `fund_rewards`: a treasury member adds rewards, released evenly over a
//! period starting now together with whatever the current period has left.

use anchor_spl::token::spl_token::error::TokenError;
use depin_client::staking::{self, DAY};
use depin_client::Signer;
use depin_registry::errors::RegistryError;
use depin_registry::state::permission;
use depin_staking::errors::StakingError;
use depin_tests::*;

use crate::fixture::{self, assert_registry_error, assert_staking_error, Staking, FUNDING};

const SCALE: u128 = 1_000_000_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_rewards_requires_the_treasury_permission() {
    let s = Staking::new().await;
    let before = s.snapshot(&[]).await;
    let view = s.view().await;
    fixture::assert_requires_permission(
        &s.env,
        |authority| {
            view.fund_rewards(authority, &s.funding, 1_000, DAY)
                .unwrap()
        },
        permission::TREASURY,
    )
    .await;
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.state().await.total_rewards_funded, 0);

    // A member holding only TREASURY funds from its own account.
    let treasurer = s.env.member(permission::TREASURY).await;
    let source = s
        .env
        .token_account(&s.env.reward_mint, &treasurer.pubkey())
        .await;
    s.mint_to(&source, 5_000).await;
    let ix = s
        .view()
        .await
        .fund_rewards(&treasurer.pubkey(), &source, 5_000, DAY)
        .unwrap();
    s.env.send(&[ix], &[&treasurer]).await.unwrap();
    assert_eq!(s.balance(&source).await, 0);
    assert_eq!(s.vaults().await, [0, 5_000, 0]);
    assert_eq!(s.state().await.total_rewards_funded, 5_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_rewards_refuses_a_zero_amount() {
    let s = Staking::new().await;
    let before = s.snapshot(&[]).await;
    assert_staking_error(s.try_fund(0, DAY).await, StakingError::ZeroAmount);
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_rewards_refuses_a_period_of_zero_or_negative_seconds() {
    let s = Staking::new().await;
    let before = s.snapshot(&[]).await;
    for duration in [0, -1, -DAY, i64::MIN] {
        assert_staking_error(
            s.try_fund(1_000, duration).await,
            StakingError::InvalidPeriod,
        );
    }
    before.assert_unchanged(&s.env).await;
    // One second is a valid period.
    s.fund(1_000, 1).await;
    let pool = s.state().await;
    assert_eq!(pool.stream_rate_per_second, 1_000 * SCALE);
    assert_eq!(pool.stream_period_end, s.now().await + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_rewards_with_a_period_ending_past_the_clocks_range_fails_with_overflow() {
    let s = Staking::new().await;
    let before = s.snapshot(&[]).await;
    assert_staking_error(s.try_fund(1_000, i64::MAX).await, StakingError::Overflow);
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn funding_mid_period_carries_the_leftover_into_the_new_period() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    let start = s.now().await;
    s.fund(1_000, 10 * DAY).await;
    let pool = s.state().await;
    // floor(1,000 × 10^12 / 864,000) per second.
    assert_eq!(pool.stream_rate_per_second, 1_157_407_407);
    assert_eq!(
        (
            pool.stream_remaining,
            pool.stream_period_end,
            pool.stream_last_update
        ),
        (1_000, start + 10 * DAY, start)
    );

    // Half way the schedule says 500; the rounded-down rate has released
    // 499.99999982, so 499 are out and 501 left.
    s.advance(5 * DAY).await;
    assert_eq!(s.pending(&position).await, 499);
    s.fund(1_000, 10 * DAY).await;
    let pool = s.state().await;
    assert_eq!(pool.stream_remaining, 501 + 1_000);
    assert_eq!(
        (pool.stream_period_end, pool.stream_last_update),
        (start + 15 * DAY, start + 5 * DAY)
    );
    // 1,501 over the new 10 days.
    assert_eq!(pool.stream_rate_per_second, 1_501 * SCALE / 864_000);
    assert_eq!(pool.reward_per_weight, 499 * SCALE / 1_000);
    assert_eq!(pool.stream_carry, 0);

    // 5 days into the new period: 750 more (750.4999...).
    s.advance(5 * DAY).await;
    assert_eq!(s.pending(&position).await, 499 + 750);
    // At the new end, everything: 2,000 in all, nothing lost.
    s.advance(5 * DAY).await;
    assert_eq!(s.pending(&position).await, 2_000);
    assert_eq!(s.claim(&alice, &position, &tokens).await, 2_000);
    assert_eq!(s.vaults().await, [1_000, 0, 0]);
    let pool = s.state().await;
    assert_eq!(
        (
            pool.total_rewards_funded,
            pool.total_rewards_paid,
            pool.stream_remaining
        ),
        (2_000, 2_000, 0)
    );
    // Nothing more after the end.
    s.advance(DAY).await;
    assert_eq!(s.pending(&position).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn total_rewards_funded_counts_every_funding_and_nothing_streams_to_nobody() {
    let s = Staking::new().await;
    s.fund(1_000, DAY).await;
    s.advance(2 * DAY).await;
    s.fund(2_000, 3 * DAY).await;
    s.fund(3_000, 5 * DAY).await;
    let now = s.now().await;
    let pool = s.state().await;
    assert_eq!(pool.total_rewards_funded, 6_000);
    // Nobody staked: everything still streams, over the last period given,
    // from now (the first period never ran).
    assert_eq!(
        (pool.stream_remaining, pool.stream_period_end),
        (6_000, now + 5 * DAY)
    );
    assert_eq!(s.vaults().await, [0, 6_000, 0]);
    assert_eq!(s.balance(&s.funding).await, FUNDING - 6_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_rewards_into_a_substituted_reward_vault_fails() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let (_, attacker_tokens) = s.staker(0).await;
    let before = s
        .snapshot(&[attacker_tokens, other.pool, other.reward_vault])
        .await;
    for fake in [s.stake_vault, other.reward_vault, attacker_tokens] {
        let ix = substitute(s.fund_ix(1_000, DAY).await, &s.reward_vault, &fake);
        assert_staking_error(
            s.env.send(&[ix], &[&s.env.admin]).await,
            StakingError::WrongPool,
        );
    }
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fund_rewards_from_an_account_the_treasurer_does_not_own_fails() {
    let s = Staking::new().await;
    let treasurer = s.env.member(permission::TREASURY).await;
    let before = s.snapshot(&[]).await;
    // The admin's funding account, named by another treasurer.
    let ix = s
        .view()
        .await
        .fund_rewards(&treasurer.pubkey(), &s.funding, 1_000, DAY)
        .unwrap();
    assert_error(
        s.env.send(&[ix], &[&treasurer]).await,
        TokenError::OwnerMismatch as u32,
    );
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.state().await.total_rewards_funded, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_networks_treasurer_cannot_fund_another_networks_pool() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let admin = s.env.admin.pubkey();
    let before = s.snapshot(&[other.pool, other.reward_vault]).await;
    // The other pool, with the admin's record of this network.
    let ix = staking::fund_rewards(
        &s.env.cluster,
        &admin,
        &other.network,
        &s.funding,
        1_000,
        DAY,
    )
    .await
    .unwrap();
    let ix = substitute(
        ix,
        &depin_registry::pda::member(&other.network, &admin).0,
        &depin_registry::pda::member(&s.env.network, &admin).0,
    );
    assert_registry_error(
        s.env.send(&[ix], &[&s.env.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );
    before.assert_unchanged(&s.env).await;
}
