//! `bond`: a device operator bonds stake into its one bond (created on first
//! use, added to later). Bonds earn like unlocked stake, unstake through the
//! cooldown without a lockup, can be slashed, and make the operator eligible
//! for device rewards against the network's minimum bond.

use anchor_spl::token::spl_token::error::TokenError;
use depin_client::registry::{self, UpdateNetworkArgs};
use depin_client::staking::{PositionKind, DAY};
use depin_client::Signer;
use depin_staking::errors::StakingError;
use depin_staking::pda;
use depin_tests::*;

use crate::fixture::{assert_staking_error, Staking};

const COOLDOWN: i64 = 7 * DAY;
/// 864,000 tokens over 10 days: exactly one token per second.
const ONE_PER_SECOND: u64 = 864_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bond_creates_the_bond_then_adds_to_it_without_reinitializing() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(2_000).await;
    let start = s.now().await;
    let bond = s.bond(&operator, &tokens, 600).await;
    let (_, bump) = pda::bond(&s.pool, &operator.pubkey());
    let b = s.position(&bond).await;
    assert_eq!(
        (b.pool, b.owner, b.kind, b.id, b.bump),
        (
            s.pool,
            operator.pubkey(),
            PositionKind::OperatorBond,
            0,
            bump
        )
    );
    assert_eq!(
        (b.amount, b.weight, b.unbonding, b.unbonding_ends_at),
        (600, 600, 0, 0)
    );
    assert_eq!(
        (b.lockup_secs, b.lockup_end, b.created_at),
        (0, start, start)
    );
    assert_eq!((b.index_snapshot, b.pending), (0, 0));
    let rent = s.position_rent().await;
    assert_eq!(s.env.lamports(&bond).await, rent);
    assert_eq!(s.balance(&tokens).await, 1_400);
    assert_eq!(s.vaults().await, [600, 0, 0]);

    // A day of rewards at weight 600, then 400 more.
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(DAY).await;
    s.bond(&operator, &tokens, 400).await;
    let b = s.position(&bond).await;
    // Same record: bump, owner and creation time kept, what it earned at
    // the old weight kept (a re-init would have zeroed it).
    assert_eq!(
        (b.pool, b.owner, b.kind, b.bump, b.created_at),
        (
            s.pool,
            operator.pubkey(),
            PositionKind::OperatorBond,
            bump,
            start
        )
    );
    assert_eq!((b.amount, b.weight, b.pending), (1_000, 1_000, 86_400));
    assert_eq!(b.index_snapshot, 144_000_000_000_000);
    assert_eq!(s.env.lamports(&bond).await, rent);
    assert_eq!(s.balance(&tokens).await, 1_000);
    assert_eq!(s.vaults().await, [1_000, ONE_PER_SECOND, 0]);
    let pool = s.state().await;
    assert_eq!((pool.total_staked, pool.total_weight), (1_000, 1_000));

    assert_eq!(s.claim(&operator, &bond, &tokens).await, 86_400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bond_requires_the_operators_signature_and_tokens() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(1_000).await;
    let (mallory, _) = s.staker(0).await;
    let bond = s.bond_address(&operator.pubkey());
    let mallory_bond = s.bond_address(&mallory.pubkey());
    let before = s.snapshot(&[bond, mallory_bond, tokens]).await;
    let ix = s.bond_ix(&operator.pubkey(), &tokens, 1_000).await;
    assert_requires_signature(&s.env, ix, &operator.pubkey()).await;
    // mallory bonding with the operator's tokens.
    assert_error(
        s.try_bond(&mallory, &tokens, 1_000).await,
        TokenError::OwnerMismatch as u32,
    );
    before.assert_unchanged(&s.env).await;
    assert!(!s.env.exists(&bond).await);
    assert!(!s.env.exists(&mallory_bond).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bond_refuses_a_zero_amount() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(1_000).await;
    let bond = s.bond_address(&operator.pubkey());
    let before = s.snapshot(&[bond, tokens]).await;
    assert_staking_error(
        s.try_bond(&operator, &tokens, 0).await,
        StakingError::ZeroAmount,
    );
    before.assert_unchanged(&s.env).await;
    s.bond(&operator, &tokens, 500).await;
    let before = s.snapshot(&[bond, tokens]).await;
    assert_staking_error(
        s.try_bond(&operator, &tokens, 0).await,
        StakingError::ZeroAmount,
    );
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_follows_the_networks_minimum_bond() {
    let s = Staking::new().await;
    assert_eq!(s.env.network_state().await.min_operator_bond, 1_000);
    let (operator, tokens) = s.staker(10_000).await;
    let op = operator.pubkey();
    assert!(!s.eligible(&op).await, "no bond");
    // A stake position is not a bond.
    s.stake(&operator, &tokens, 0, 5_000, 0).await;
    assert!(!s.eligible(&op).await, "a stake is not a bond");

    s.bond(&operator, &tokens, 999).await;
    assert!(!s.eligible(&op).await, "999 < 1,000");
    s.bond(&operator, &tokens, 1).await;
    assert!(s.eligible(&op).await, "1,000 = the minimum");
    s.bond(&operator, &tokens, 500).await;
    assert!(s.eligible(&op).await, "1,500 > the minimum");

    // The network raises its minimum above the bond.
    let args = UpdateNetworkArgs {
        min_operator_bond: Some(1_501),
        ..Default::default()
    };
    let ix = registry::update_network(&s.env.admin.pubkey(), &s.net(), args);
    s.env.send(&[ix], &[&s.env.admin]).await.unwrap();
    assert!(!s.eligible(&op).await, "1,500 < 1,501");
    s.bond(&operator, &tokens, 1).await;
    assert!(s.eligible(&op).await, "1,501 = the new minimum");

    // An unbonding operator is not eligible, whatever it holds.
    let bond = s.bond_address(&op);
    s.request_unstake(&operator, &bond).await;
    let b = s.position(&bond).await;
    assert_eq!((b.amount, b.unbonding), (0, 1_501));
    assert!(!s.eligible(&op).await, "unbonding");
    s.advance(COOLDOWN).await;
    s.try_withdraw(&operator, &bond, &tokens).await.unwrap();
    assert!(!s.eligible(&op).await, "withdrawn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonding_while_unbonding_fails() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(2_000).await;
    let bond = s.bond(&operator, &tokens, 1_000).await;
    s.request_unstake(&operator, &bond).await;
    let before = s.snapshot(&[bond, tokens]).await;
    assert_staking_error(
        s.try_bond(&operator, &tokens, 500).await,
        StakingError::AlreadyUnbonding,
    );
    before.assert_unchanged(&s.env).await;
    let b = s.position(&bond).await;
    assert_eq!((b.amount, b.unbonding), (0, 1_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bonds_earn_like_unlocked_stake() {
    let s = Staking::new().await;
    let (operator, operator_tokens) = s.staker(1_000).await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let bond = s.bond(&operator, &operator_tokens, 1_000).await;
    let position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    assert_eq!(
        s.position(&bond).await.weight,
        s.position(&position).await.weight
    );
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(10 * DAY).await;
    assert_eq!(s.pending(&bond).await, 432_000);
    assert_eq!(s.pending(&position).await, 432_000);
    assert_eq!(s.claim(&operator, &bond, &operator_tokens).await, 432_000);
    assert_eq!(s.claim(&alice, &position, &alice_tokens).await, 432_000);
    assert_eq!(s.vaults().await, [2_000, 0, 0]);
    // The bond itself is untouched by the claim.
    assert_eq!(s.position(&bond).await.amount, 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bond_unstakes_at_once_through_the_cooldown_and_can_be_opened_again() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(3_000).await;
    let bond = s.bond(&operator, &tokens, 1_500).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(DAY).await;

    // No lockup: the request works right away.
    s.request_unstake(&operator, &bond).await;
    let now = s.now().await;
    let b = s.position(&bond).await;
    assert_eq!((b.amount, b.unbonding, b.weight), (0, 1_500, 0));
    assert_eq!((b.unbonding_ends_at, b.pending), (now + COOLDOWN, 86_400));
    let before = s.snapshot(&[bond, tokens]).await;
    s.advance(COOLDOWN - 1).await;
    assert_staking_error(
        s.try_withdraw(&operator, &bond, &tokens).await,
        StakingError::CooldownActive,
    );
    before.assert_unchanged(&s.env).await;

    s.advance(1).await;
    let rent = s.env.lamports(&bond).await;
    let lamports = s.env.lamports(&operator.pubkey()).await;
    s.try_withdraw(&operator, &bond, &tokens).await.unwrap();
    // Principal and the day's rewards; during the 7 days since the
    // request nothing was staked, so the stream waited (nothing released).
    assert_eq!(s.balance(&tokens).await, 3_000 + 86_400);
    assert!(!s.env.exists(&bond).await);
    assert_eq!(s.env.lamports(&operator.pubkey()).await, lamports + rent);
    assert_eq!(s.vaults().await, [0, ONE_PER_SECOND - 86_400, 0]);
    let pool = s.state().await;
    assert_eq!((pool.total_staked, pool.total_weight), (0, 0));
    assert_eq!(
        (pool.stream_remaining, pool.stream_period_end),
        (9 * 86_400, now + COOLDOWN + 9 * DAY)
    );

    // Bonding again opens a fresh bond, which earns from now on: a day's
    // worth after a day, nothing of the week nobody was staked.
    let later = s.now().await;
    s.bond(&operator, &tokens, 1_000).await;
    let b = s.position(&bond).await;
    assert_eq!(
        (b.amount, b.unbonding, b.pending, b.created_at),
        (1_000, 0, 0, later)
    );
    s.advance(DAY).await;
    assert_eq!(s.pending(&bond).await, 86_400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bond_into_a_substituted_stake_vault_fails() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let (operator, tokens) = s.staker(1_000).await;
    let (_, attacker_tokens) = s.staker(0).await;
    let bond = s.bond_address(&operator.pubkey());
    let before = s
        .snapshot(&[bond, tokens, attacker_tokens, other.stake_vault])
        .await;
    for fake in [attacker_tokens, other.stake_vault, s.reward_vault] {
        let ix = substitute(
            s.bond_ix(&operator.pubkey(), &tokens, 1_000).await,
            &s.stake_vault,
            &fake,
        );
        assert_staking_error(
            s.env.send(&[ix], &[&operator]).await,
            StakingError::WrongPool,
        );
    }
    before.assert_unchanged(&s.env).await;
    assert!(!s.env.exists(&bond).await);
}
