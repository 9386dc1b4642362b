//! `request_unstake` and `withdraw`: an unlocked position's whole stake goes
//! into the cooldown (earning nothing from then on); after the cooldown the
//! owner withdraws principal and unclaimed rewards, and the position closes
//! with its rent back to the owner.

use anchor_spl::token::spl_token::error::TokenError;
use depin_client::staking::{self, DAY};
use depin_client::Signer;
use depin_staking::errors::StakingError;
use depin_tests::*;

use crate::fixture::{assert_staking_error, Staking};

const COOLDOWN: i64 = 7 * DAY;
/// 864,000 tokens over 10 days: exactly one token per second.
const ONE_PER_SECOND: u64 = 864_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_stake_cannot_start_unstaking_before_the_lockup_ends() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    // At a midnight, so the lock ends exactly 30 days later.
    let start = s.to_midnight(0).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 30 * DAY).await;
    // 1 + 2 × 30/365 = 1.1643x.
    assert_eq!(s.position(&position).await.weight, 1_164);
    let before = s.snapshot(&[position, tokens]).await;
    assert_staking_error(
        s.try_request_unstake(&alice, &position).await,
        StakingError::StillLocked,
    );
    s.advance(30 * DAY - 1).await;
    assert_staking_error(
        s.try_request_unstake(&alice, &position).await,
        StakingError::StillLocked,
    );
    before.assert_unchanged(&s.env).await;

    // At the lockup's end exactly it may start.
    s.advance(1).await;
    assert_eq!(s.now().await, start + 30 * DAY);
    s.request_unstake(&alice, &position).await;
    let p = s.position(&position).await;
    assert_eq!((p.amount, p.unbonding, p.weight), (0, 1_000, 0));
    assert_eq!(p.unbonding_ends_at, start + 30 * DAY + COOLDOWN);
    let pool = s.state().await;
    // Principal stays in the vault (and in total_staked) until withdrawn;
    // the weight is gone at once.
    assert_eq!((pool.total_staked, pool.total_weight), (1_000, 0));
    assert_eq!(s.vaults().await, [1_000, 0, 0]);
    assert_eq!(s.balance(&tokens).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_unstake_request_fails() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.request_unstake(&alice, &position).await;
    let ends_at = s.position(&position).await.unbonding_ends_at;
    s.advance(DAY).await;
    let before = s.snapshot(&[position]).await;
    assert_staking_error(
        s.try_request_unstake(&alice, &position).await,
        StakingError::AlreadyUnbonding,
    );
    before.assert_unchanged(&s.env).await;
    // The cooldown did not restart.
    assert_eq!(s.position(&position).await.unbonding_ends_at, ends_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_waits_for_the_end_of_the_cooldown() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.request_unstake(&alice, &position).await;
    let before = s.snapshot(&[position, tokens]).await;
    assert_staking_error(
        s.try_withdraw(&alice, &position, &tokens).await,
        StakingError::CooldownActive,
    );
    s.advance(COOLDOWN - 1).await;
    assert_staking_error(
        s.try_withdraw(&alice, &position, &tokens).await,
        StakingError::CooldownActive,
    );
    before.assert_unchanged(&s.env).await;

    s.advance(1).await;
    s.try_withdraw(&alice, &position, &tokens).await.unwrap();
    // No rewards were ever funded: the principal alone comes back.
    assert_eq!(s.balance(&tokens).await, 1_000);
    assert_eq!(s.vaults().await, [0, 0, 0]);
    assert!(!s.env.exists(&position).await);
    let pool = s.state().await;
    assert_eq!(
        (
            pool.total_staked,
            pool.total_weight,
            pool.total_rewards_paid
        ),
        (0, 0, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_without_an_unstake_request_fails() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(2_000).await;
    let unlocked = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    let locked = s.stake(&alice, &tokens, 1, 1_000, 30 * DAY).await;
    s.advance(60 * DAY).await;
    let before = s.snapshot(&[unlocked, locked, tokens]).await;
    for position in [unlocked, locked] {
        assert_staking_error(
            s.try_withdraw(&alice, &position, &tokens).await,
            StakingError::NotUnbonding,
        );
    }
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_pays_principal_and_unclaimed_rewards_closes_and_refunds_rent() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let alice_position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    let bob_position = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(5 * DAY).await;
    s.request_unstake(&alice, &alice_position).await;
    // Settled when the stake stopped earning.
    assert_eq!(s.position(&alice_position).await.pending, 216_000);

    // The period ends 5 days later, alice's cooldown 2 days after that.
    s.advance(5 * DAY).await;
    assert_eq!(s.pending(&alice_position).await, 216_000);
    assert_eq!(s.pending(&bob_position).await, 648_000);
    s.advance(2 * DAY).await;
    assert_eq!(s.pending(&alice_position).await, 216_000);
    let rent = s.env.lamports(&alice_position).await;
    assert_eq!(rent, s.position_rent().await);
    let alice_lamports = s.env.lamports(&alice.pubkey()).await;
    let payer_lamports = s.env.lamports(&s.env.payer()).await;

    s.try_withdraw(&alice, &alice_position, &alice_tokens)
        .await
        .unwrap();
    assert_eq!(s.balance(&alice_tokens).await, 1_000 + 216_000);
    assert_eq!(s.vaults().await, [1_000, 648_000, 0]);
    assert!(!s.env.exists(&alice_position).await);
    // The rent goes to the owner (the fee payer paid only the fee).
    assert_eq!(s.env.lamports(&alice.pubkey()).await, alice_lamports + rent);
    assert!(s.env.lamports(&s.env.payer()).await < payer_lamports);
    let pool = s.state().await;
    assert_eq!(
        (
            pool.total_staked,
            pool.total_weight,
            pool.total_rewards_paid
        ),
        (1_000, 1_000, 216_000)
    );

    // bob's share is untouched; he withdraws after claiming part: only
    // what is left of his rewards comes with the principal.
    assert_eq!(s.claim(&bob, &bob_position, &bob_tokens).await, 648_000);
    s.request_unstake(&bob, &bob_position).await;
    s.advance(COOLDOWN).await;
    s.try_withdraw(&bob, &bob_position, &bob_tokens)
        .await
        .unwrap();
    assert_eq!(s.balance(&bob_tokens).await, 1_000 + 648_000);
    assert_eq!(s.vaults().await, [0, 0, 0]);
    let pool = s.state().await;
    assert_eq!(
        (pool.total_staked, pool.total_rewards_paid),
        (0, ONE_PER_SECOND)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbonding_stake_earns_nothing() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let alice_position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    let bob_position = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(5 * DAY).await;
    s.request_unstake(&alice, &alice_position).await;
    assert_eq!(s.pending(&alice_position).await, 216_000);

    // Funded after the request: 432,000 left + 864,000 new over 10 days,
    // all bob's.
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    for _ in 0..4 {
        s.advance(2 * DAY + DAY / 2).await;
        assert_eq!(s.pending(&alice_position).await, 216_000);
    }
    assert_eq!(s.pending(&bob_position).await, 216_000 + 1_296_000);
    assert_eq!(s.claim(&bob, &bob_position, &bob_tokens).await, 1_512_000);
    s.try_withdraw(&alice, &alice_position, &alice_tokens)
        .await
        .unwrap();
    assert_eq!(s.balance(&alice_tokens).await, 1_000 + 216_000);
    assert_eq!(s.vaults().await, [1_000, 0, 0]);
    let pool = s.state().await;
    assert_eq!(
        (pool.total_rewards_funded, pool.total_rewards_paid),
        (2 * ONE_PER_SECOND, 2 * ONE_PER_SECOND)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unstake_and_withdraw_by_a_non_owner_fail() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let (mallory, mallory_tokens) = s.staker(0).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;

    let before = s.snapshot(&[position, tokens, mallory_tokens]).await;
    assert_staking_error(
        s.try_request_unstake(&mallory, &position).await,
        StakingError::NotOwner,
    );
    let ix = s.unstake_ix(&alice.pubkey(), &position).await;
    assert_requires_signature(&s.env, ix, &alice.pubkey()).await;
    before.assert_unchanged(&s.env).await;

    s.request_unstake(&alice, &position).await;
    s.advance(COOLDOWN).await;
    let before = s.snapshot(&[position, tokens, mallory_tokens]).await;
    let mallory_lamports = s.env.lamports(&mallory.pubkey()).await;
    assert_staking_error(
        s.try_withdraw(&mallory, &position, &mallory_tokens).await,
        StakingError::NotOwner,
    );
    // Naming alice as the owner (so the rent would go to her) but without
    // her signature.
    let ix = s
        .withdraw_ix(&alice.pubkey(), &position, &mallory_tokens)
        .await;
    assert_requires_signature(&s.env, ix, &alice.pubkey()).await;
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.env.lamports(&mallory.pubkey()).await, mallory_lamports);

    s.try_withdraw(&alice, &position, &tokens).await.unwrap();
    assert_eq!(s.balances(&[tokens, mallory_tokens]).await, [1_000, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_with_substituted_vaults_or_pool_fails() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let (alice, tokens) = s.staker(2_000).await;
    let (_, attacker_tokens) = s.staker(0).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.stake_in(&other, &alice, &tokens, 1_000).await;
    let theirs = other.position_address(&alice.pubkey(), 0);
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(DAY).await;
    s.request_unstake(&alice, &position).await;
    let ix = staking::request_unstake(&s.env.cluster, &alice.pubkey(), &other.network, &theirs)
        .await
        .unwrap();
    s.env.send(&[ix], &[&alice]).await.unwrap();
    s.advance(COOLDOWN).await;

    let before = s
        .snapshot(&[
            position,
            theirs,
            tokens,
            attacker_tokens,
            other.pool,
            other.stake_vault,
            other.reward_vault,
        ])
        .await;
    let withdraw_ix = s.withdraw_ix(&alice.pubkey(), &position, &tokens).await;
    let withdraw = || withdraw_ix.clone();
    for (vault, fake) in [
        (s.stake_vault, attacker_tokens),
        (s.stake_vault, other.stake_vault),
        (s.stake_vault, s.reward_vault),
        (s.reward_vault, attacker_tokens),
        (s.reward_vault, other.reward_vault),
    ] {
        let ix = substitute(withdraw(), &vault, &fake);
        assert_staking_error(s.env.send(&[ix], &[&alice]).await, StakingError::WrongPool);
    }
    // The other pool's position against this pool, and the reverse.
    assert_staking_error(
        s.try_withdraw(&alice, &theirs, &tokens).await,
        StakingError::WrongPool,
    );
    let ix = staking::withdraw(
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

    s.try_withdraw(&alice, &position, &tokens).await.unwrap();
    assert_eq!(s.balance(&tokens).await, 1_000 + 86_400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_unstake_of_another_pools_position_fails() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let (alice, tokens) = s.staker(2_000).await;
    let ours = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.stake_in(&other, &alice, &tokens, 1_000).await;
    let theirs = other.position_address(&alice.pubkey(), 0);
    let before = s.snapshot(&[ours, theirs, other.pool]).await;
    assert_staking_error(
        s.try_request_unstake(&alice, &theirs).await,
        StakingError::WrongPool,
    );
    let ix = staking::request_unstake(&s.env.cluster, &alice.pubkey(), &other.network, &ours)
        .await
        .unwrap();
    assert_staking_error(s.env.send(&[ix], &[&alice]).await, StakingError::WrongPool);
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_into_an_account_of_another_mint_fails_and_keeps_the_position() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    s.request_unstake(&alice, &position).await;
    s.advance(COOLDOWN).await;
    let other_mint = s.env.mint().await;
    let foreign = s.env.token_account(&other_mint, &alice.pubkey()).await;
    let before = s.snapshot(&[position, tokens, foreign]).await;
    assert_error(
        s.try_withdraw(&alice, &position, &foreign).await,
        TokenError::MintMismatch as u32,
    );
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.position(&position).await.unbonding, 1_000);
}
