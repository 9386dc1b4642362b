//! `claim_rewards`: the owner takes what its position earned: a share of the
//! streamed rewards pro rata to its weight while it held it, rounded down.

use anchor_spl::token::spl_token::error::TokenError;
use depin_client::staking::DAY;
use depin_client::Signer;
use depin_staking::errors::StakingError;
use depin_tests::*;

use crate::fixture::{assert_staking_error, Staking};

const YEAR: i64 = 365 * DAY;
/// 864,000 tokens over 10 days: exactly one token per second.
const ONE_PER_SECOND: u64 = 864_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_pay_exactly_pro_rata_to_weight_over_a_stream() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let (carol, carol_tokens) = s.staker(1_000).await;
    // Weights 1,000 (1x), 2,000 (2x), 3,000 (3x).
    let alice_position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    let bob_position = s.stake(&bob, &bob_tokens, 0, 1_000, YEAR / 2).await;
    let carol_position = s.stake(&carol, &carol_tokens, 0, 1_000, YEAR).await;
    // 6 tokens a second for 10 days.
    s.fund(6 * ONE_PER_SECOND, 10 * DAY).await;
    assert_eq!(s.vaults().await, [3_000, 5_184_000, 0]);

    // Half way: 2,592,000 released, 432 per unit of weight.
    s.advance(5 * DAY).await;
    assert_eq!(s.pending(&alice_position).await, 432_000);
    assert_eq!(s.pending(&bob_position).await, 864_000);
    assert_eq!(s.pending(&carol_position).await, 1_296_000);
    assert_eq!(
        s.claim(&alice, &alice_position, &alice_tokens).await,
        432_000
    );
    let pool = s.state().await;
    assert_eq!(pool.reward_per_weight, 432 * 1_000_000_000_000);
    assert_eq!(
        (pool.stream_remaining, pool.total_rewards_paid, pool.dust),
        (2_592_000, 432_000, 0)
    );
    let p = s.position(&alice_position).await;
    assert_eq!((p.pending, p.index_snapshot), (0, 432 * 1_000_000_000_000));

    // The end: everything released.
    s.advance(5 * DAY).await;
    assert_eq!(
        s.claim(&alice, &alice_position, &alice_tokens).await,
        432_000
    );
    assert_eq!(s.claim(&bob, &bob_position, &bob_tokens).await, 1_728_000);
    assert_eq!(
        s.claim(&carol, &carol_position, &carol_tokens).await,
        2_592_000
    );
    assert_eq!(
        s.balances(&[alice_tokens, bob_tokens, carol_tokens]).await,
        [864_000, 1_728_000, 2_592_000]
    );
    assert_eq!(s.vaults().await, [3_000, 0, 0]);
    let pool = s.state().await;
    assert_eq!(
        (pool.total_rewards_funded, pool.total_rewards_paid),
        (5_184_000, 5_184_000)
    );
    assert_eq!(pool.stream_remaining, 0);
    // Principal untouched.
    for position in [alice_position, bob_position, carol_position] {
        assert_eq!(s.position(&position).await.amount, 1_000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_round_down_and_never_pay_more_than_was_funded() {
    let s = Staking::new().await;
    let mut stakers = Vec::new();
    for _ in 0..3 {
        let (wallet, tokens) = s.staker(1_000).await;
        let position = s.stake(&wallet, &tokens, 0, 1_000, 0).await;
        stakers.push((wallet, tokens, position));
    }
    // 1,000 over 7 days to a total weight of 3,000.
    s.fund(1_000, 7 * DAY).await;

    // After a day floor(1,000 × 86,400 / 604,800) = 142 are released
    // (142.857...); a third of it, 47.33, rounds down to 47.
    s.advance(DAY).await;
    let (alice, alice_tokens, alice_position) = &stakers[0];
    assert_eq!(s.claim(alice, alice_position, alice_tokens).await, 47);
    let pool = s.state().await;
    assert_eq!(pool.stream_remaining, 858);
    // 142 × 10^12 = 3,000 × 47,333,333,333 + 1,000: the remainder waits.
    assert_eq!((pool.reward_per_weight, pool.dust), (47_333_333_333, 1_000));

    s.advance(6 * DAY).await;
    let mut paid = vec![47];
    for (wallet, tokens, position) in &stakers {
        let pending = s.pending(position).await;
        let claimed = s.claim(wallet, position, tokens).await;
        assert_eq!(claimed, pending);
        paid.push(claimed);
    }
    // alice 47 + 286, bob and carol 333 each.
    assert_eq!(paid, [47, 286, 333, 333]);
    let total: u64 = paid.iter().sum();
    assert_eq!(total, 999);
    // What is left is less than one token per staker, and stays in the vault.
    assert_eq!(s.vaults().await, [3_000, 1, 0]);
    let pool = s.state().await;
    assert_eq!(
        (
            pool.total_rewards_funded,
            pool.total_rewards_paid,
            pool.stream_remaining
        ),
        (1_000, 999, 0)
    );
    assert!(pool.total_rewards_funded - pool.total_rewards_paid < stakers.len() as u64);
    for (_, _, position) in &stakers {
        assert_eq!(s.pending(position).await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_with_nothing_earned_fails_and_a_second_claim_finds_nothing() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    // Nothing funded yet.
    let before = s.snapshot(&[position, tokens]).await;
    assert_staking_error(
        s.try_claim(&alice, &position, &tokens).await,
        StakingError::NothingToClaim,
    );
    before.assert_unchanged(&s.env).await;

    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(DAY).await;
    assert_eq!(s.claim(&alice, &position, &tokens).await, 86_400);
    // Same second: nothing new.
    let before = s.snapshot(&[position, tokens]).await;
    assert_staking_error(
        s.try_claim(&alice, &position, &tokens).await,
        StakingError::NothingToClaim,
    );
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.state().await.total_rewards_paid, 86_400);
    // One second later: one token.
    s.advance(1).await;
    assert_eq!(s.claim(&alice, &position, &tokens).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_by_a_non_owner_fails_but_any_destination_of_the_owner_works() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let (mallory, mallory_tokens) = s.staker(0).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(DAY).await;

    let before = s.snapshot(&[position, tokens, mallory_tokens]).await;
    assert_staking_error(
        s.try_claim(&mallory, &position, &mallory_tokens).await,
        StakingError::NotOwner,
    );
    let ix = s
        .claim_ix(&alice.pubkey(), &position, &mallory_tokens)
        .await;
    assert_requires_signature(&s.env, ix, &alice.pubkey()).await;
    before.assert_unchanged(&s.env).await;

    // alice may send her rewards to any account of the token, e.g. a friend's.
    let (_, friend_tokens) = s.staker(0).await;
    assert_eq!(s.claim(&alice, &position, &friend_tokens).await, 86_400);
    assert_eq!(s.balances(&[tokens, mallory_tokens]).await, [0, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_into_an_account_of_another_mint_fails_and_moves_nothing() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(DAY).await;
    let other_mint = s.env.mint().await;
    let foreign = s.env.token_account(&other_mint, &alice.pubkey()).await;
    let before = s.snapshot(&[position, foreign]).await;
    assert_error(
        s.try_claim(&alice, &position, &foreign).await,
        TokenError::MintMismatch as u32,
    );
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.state().await.total_rewards_paid, 0);
    assert_eq!(s.pending(&position).await, 86_400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_with_a_substituted_reward_vault_or_pool_fails() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let (alice, tokens) = s.staker(2_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.stake_in(&other, &alice, &tokens, 1_000).await;
    let theirs = other.position_address(&alice.pubkey(), 0);
    // Give the other pool's reward vault (and ours) something to steal.
    s.mint_to(&other.reward_vault, 500_000).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(DAY).await;
    let (_, attacker_tokens) = s.staker(0).await;

    let before = s
        .snapshot(&[
            position,
            theirs,
            tokens,
            other.pool,
            other.reward_vault,
            attacker_tokens,
        ])
        .await;
    for fake in [s.stake_vault, other.reward_vault, attacker_tokens] {
        let ix = substitute(
            s.claim_ix(&alice.pubkey(), &position, &tokens).await,
            &s.reward_vault,
            &fake,
        );
        assert_staking_error(s.env.send(&[ix], &[&alice]).await, StakingError::WrongPool);
    }
    // A position of the other pool against this pool.
    assert_staking_error(
        s.try_claim(&alice, &theirs, &tokens).await,
        StakingError::WrongPool,
    );
    // The other pool with this pool's position (and the other's vault).
    let ix = depin_client::staking::claim_rewards(
        &s.env.cluster,
        &alice.pubkey(),
        &other.network,
        &position,
        &tokens,
    )
    .await
    .unwrap();
    assert_staking_error(s.env.send(&[ix], &[&alice]).await, StakingError::WrongPool);
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.claim(&alice, &position, &tokens).await, 86_400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_staker_does_not_earn_earlier_rewards() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let alice_position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(5 * DAY).await;

    // bob joins half way: the first 432,000 are alice's alone.
    let bob_position = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    let p = s.position(&bob_position).await;
    assert_eq!(p.pending, 0);
    assert_eq!(p.index_snapshot, s.state().await.reward_per_weight);
    assert_eq!(s.pending(&bob_position).await, 0);
    assert_eq!(s.pending(&alice_position).await, 432_000);

    s.advance(5 * DAY).await;
    assert_eq!(
        s.claim(&alice, &alice_position, &alice_tokens).await,
        648_000
    );
    assert_eq!(s.claim(&bob, &bob_position, &bob_tokens).await, 216_000);
    assert_eq!(s.vaults().await, [2_000, 0, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_funded_while_nobody_is_staked_waits_for_the_first_stakers() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(3_000).await;
    let start = s.now().await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(5 * DAY).await;

    // Five days with nobody staked: nothing was released; the first stake
    // finds the whole amount still streaming, the period 5 days later.
    let alice_position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    let bob_position = s.stake(&bob, &bob_tokens, 0, 3_000, 0).await;
    let pool = s.state().await;
    assert_eq!(
        (
            pool.stream_remaining,
            pool.stream_period_end,
            pool.reward_per_weight
        ),
        (ONE_PER_SECOND, start + 15 * DAY, 0)
    );
    assert_eq!(s.pending(&alice_position).await, 0);

    // From here on the stream runs at one token a second, shared 1 : 3:
    // after 4 seconds, one token and three.
    s.advance(4).await;
    assert_eq!(s.pending(&alice_position).await, 1);
    assert_eq!(s.pending(&bob_position).await, 3);
    // And all of it over the 10 staked days.
    s.advance(10 * DAY).await;
    let alice_all = s.claim(&alice, &alice_position, &alice_tokens).await;
    let bob_all = s.claim(&bob, &bob_position, &bob_tokens).await;
    assert_eq!((alice_all, bob_all), (216_000, 648_000));
    assert_eq!(s.vaults().await, [4_000, 0, 0]);
    let pool = s.state().await;
    assert_eq!(
        (pool.total_rewards_paid, pool.stream_remaining),
        (ONE_PER_SECOND, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_pauses_while_everyone_is_gone_and_resumes_with_the_next_staker() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let alice_position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(2 * DAY).await;
    // alice leaves after two days (172,800 earned).
    s.request_unstake(&alice, &alice_position).await;
    let left_at = s.now().await;
    assert_eq!(s.pending(&alice_position).await, 172_800);
    // 30 days of nobody: the stream waits, nothing piles up.
    s.advance(30 * DAY).await;
    let bob_position = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    let pool = s.state().await;
    assert_eq!(
        (pool.stream_remaining, pool.stream_period_end),
        (ONE_PER_SECOND - 172_800, left_at + 30 * DAY + 8 * DAY)
    );
    assert_eq!(s.pending(&bob_position).await, 0);
    // bob gets the remaining 8 days' worth, from his arrival on.
    s.advance(DAY).await;
    assert_eq!(s.pending(&bob_position).await, 86_400);
    s.advance(7 * DAY).await;
    assert_eq!(
        s.claim(&bob, &bob_position, &bob_tokens).await,
        ONE_PER_SECOND - 172_800
    );
    // alice, gone for all of it, gained nothing more.
    assert_eq!(s.pending(&alice_position).await, 172_800);
    s.try_withdraw(&alice, &alice_position, &alice_tokens)
        .await
        .unwrap();
    assert_eq!(s.balance(&alice_tokens).await, 1_000 + 172_800);
    assert_eq!(s.vaults().await, [1_000, 0, 0]);
}
