//! `slash`: a slasher takes part of an operator's bond, earning part first,
//! then any unbonding part (an unbond in progress cannot dodge it), and sends
//! it to the pool's treasury.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::staking::{self, SlashArgs, DAY};
use depin_client::Signer;
use depin_registry::state::permission;
use depin_staking::errors::StakingError;
use depin_tests::*;

use crate::fixture::{self, assert_staking_error, Staking};

const COOLDOWN: i64 = 7 * DAY;
/// 864,000 tokens over 10 days: exactly one token per second.
const ONE_PER_SECOND: u64 = 864_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_requires_the_slasher_permission() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(1_000).await;
    let bond = s.bond(&operator, &tokens, 1_000).await;
    let op = operator.pubkey();
    let before = s.snapshot(&[bond]).await;
    let view = s.view().await;
    fixture::assert_requires_permission(
        &s.env,
        |authority| {
            view.slash(authority, &op, &s.treasury, fixture::slash_args(300))
                .unwrap()
        },
        permission::SLASHER,
    )
    .await;
    before.assert_unchanged(&s.env).await;

    // A member holding only SLASHER may.
    let slasher = s.env.member(permission::SLASHER).await;
    let ix = s.slash_ix(&slasher.pubkey(), &op, 300).await;
    s.env.send(&[ix], &[&slasher]).await.unwrap();
    assert_eq!(s.position(&bond).await.amount, 700);
    assert_eq!(s.vaults().await, [700, 0, 300]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_sends_bonded_tokens_to_the_treasury_and_reduces_the_weight() {
    let s = Staking::new().await;
    let (operator, operator_tokens) = s.staker(1_000).await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let bond = s.bond(&operator, &operator_tokens, 1_000).await;
    let position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(DAY).await;

    s.try_slash(&operator.pubkey(), 400).await.unwrap();
    let b = s.position(&bond).await;
    // What the bond earned before the slash is settled at the old weight.
    assert_eq!(
        (b.amount, b.unbonding, b.weight, b.pending),
        (600, 0, 600, 43_200)
    );
    assert_eq!(s.vaults().await, [1_600, ONE_PER_SECOND, 400]);
    let pool = s.state().await;
    assert_eq!(
        (pool.total_staked, pool.total_slashed, pool.total_weight),
        (1_600, 400, 1_600)
    );
    // The slashed stake no longer earns: the next day goes 600 : 1,000.
    s.advance(DAY).await;
    assert_eq!(s.pending(&bond).await, 43_200 + 32_400);
    assert_eq!(s.pending(&position).await, 43_200 + 54_000);

    // All that is left: the bond is empty but stays (its rewards too).
    s.try_slash(&operator.pubkey(), 600).await.unwrap();
    let b = s.position(&bond).await;
    assert_eq!((b.amount, b.weight, b.pending), (0, 0, 75_600));
    assert_eq!(s.vaults().await, [1_000, ONE_PER_SECOND, 1_000]);
    let pool = s.state().await;
    assert_eq!(
        (pool.total_staked, pool.total_slashed, pool.total_weight),
        (1_000, 1_000, 1_000)
    );
    assert!(!s.eligible(&operator.pubkey()).await);
    // Nothing to unstake or withdraw; the rewards can still be claimed.
    let before = s.snapshot(&[bond]).await;
    assert_staking_error(
        s.try_request_unstake(&operator, &bond).await,
        StakingError::NothingStaked,
    );
    assert_staking_error(
        s.try_withdraw(&operator, &bond, &operator_tokens).await,
        StakingError::NotUnbonding,
    );
    assert_staking_error(
        s.try_slash(&operator.pubkey(), 1).await,
        StakingError::SlashTooLarge,
    );
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.claim(&operator, &bond, &operator_tokens).await, 75_600);
    // The operator may bond again.
    s.mint_to(&operator_tokens, 1_000).await;
    s.bond(&operator, &operator_tokens, 1_000).await;
    assert!(s.eligible(&operator.pubkey()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unbonding_bond_can_still_be_slashed_before_withdrawal() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(1_000).await;
    let bond = s.bond(&operator, &tokens, 1_000).await;
    s.request_unstake(&operator, &bond).await;
    let ends_at = s.position(&bond).await.unbonding_ends_at;
    s.advance(COOLDOWN - 1).await;

    // Nothing is earning any more: the slash takes from the unbonding part.
    s.try_slash(&operator.pubkey(), 300).await.unwrap();
    let b = s.position(&bond).await;
    assert_eq!(
        (b.amount, b.unbonding, b.weight, b.unbonding_ends_at),
        (0, 700, 0, ends_at)
    );
    assert_eq!(s.vaults().await, [700, 0, 300]);
    let pool = s.state().await;
    assert_eq!(
        (pool.total_staked, pool.total_slashed, pool.total_weight),
        (700, 300, 0)
    );
    let before = s.snapshot(&[bond]).await;
    assert_staking_error(
        s.try_slash(&operator.pubkey(), 701).await,
        StakingError::SlashTooLarge,
    );
    before.assert_unchanged(&s.env).await;

    // The withdrawal pays what is left.
    s.advance(1).await;
    s.try_withdraw(&operator, &bond, &tokens).await.unwrap();
    assert_eq!(s.balance(&tokens).await, 700);
    assert_eq!(s.vaults().await, [0, 0, 300]);
    assert!(!s.env.exists(&bond).await);
    assert_eq!(s.state().await.total_staked, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slashing_the_whole_unbonding_part_leaves_nothing_to_withdraw() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(2_000).await;
    let bond = s.bond(&operator, &tokens, 1_000).await;
    s.request_unstake(&operator, &bond).await;
    s.try_slash(&operator.pubkey(), 1_000).await.unwrap();
    let b = s.position(&bond).await;
    assert_eq!((b.amount, b.unbonding), (0, 0));
    assert_eq!(s.vaults().await, [0, 0, 1_000]);
    s.advance(COOLDOWN).await;
    assert_staking_error(
        s.try_withdraw(&operator, &bond, &tokens).await,
        StakingError::NotUnbonding,
    );
    // No unbond in progress any more: the operator may bond again.
    s.bond(&operator, &tokens, 1_000).await;
    let b = s.position(&bond).await;
    assert_eq!((b.amount, b.unbonding, b.weight), (1_000, 0, 1_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_more_than_the_bond_fails() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(1_000).await;
    let (alice, alice_tokens) = s.staker(5_000).await;
    let bond = s.bond(&operator, &tokens, 1_000).await;
    // Other stake in the vault must not be reachable through the bond.
    s.stake(&alice, &alice_tokens, 0, 5_000, 0).await;
    let before = s.snapshot(&[bond]).await;
    for amount in [1_001, 6_000, u64::MAX] {
        assert_staking_error(
            s.try_slash(&operator.pubkey(), amount).await,
            StakingError::SlashTooLarge,
        );
    }
    before.assert_unchanged(&s.env).await;
    s.try_slash(&operator.pubkey(), 1_000).await.unwrap();
    assert_eq!(s.vaults().await, [5_000, 0, 1_000]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_of_zero_fails() {
    let s = Staking::new().await;
    let (operator, tokens) = s.staker(1_000).await;
    let bond = s.bond(&operator, &tokens, 1_000).await;
    let before = s.snapshot(&[bond]).await;
    assert_staking_error(
        s.try_slash(&operator.pubkey(), 0).await,
        StakingError::ZeroAmount,
    );
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_of_a_stake_position_or_a_missing_bond_fails() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 0).await;
    let bond = s.bond_address(&alice.pubkey());
    let before = s.snapshot(&[position]).await;
    let ix = substitute(
        s.slash_ix(&s.env.admin.pubkey(), &alice.pubkey(), 500)
            .await,
        &bond,
        &position,
    );
    assert_staking_error(
        s.env.send(&[ix], &[&s.env.admin]).await,
        StakingError::NotABond,
    );
    // alice has no bond at all.
    assert_error(
        s.try_slash(&alice.pubkey(), 500).await,
        AnchorError::AccountNotInitialized,
    );
    before.assert_unchanged(&s.env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_with_a_substituted_treasury_vault_or_bond_fails() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let (operator, tokens) = s.staker(2_000).await;
    let (_, attacker_tokens) = s.staker(0).await;
    let bond = s.bond(&operator, &tokens, 1_000).await;
    // The same operator's bond in the other pool.
    let ix = staking::bond(
        &s.env.cluster,
        &s.env.payer(),
        &operator.pubkey(),
        &other.network,
        &tokens,
        1_000,
    )
    .await
    .unwrap();
    s.env.send(&[ix], &[&operator]).await.unwrap();
    let theirs = staking::bond_address(&other.network, &operator.pubkey());
    let admin = s.env.admin.pubkey();
    let op = operator.pubkey();

    let before = s
        .snapshot(&[
            bond,
            theirs,
            attacker_tokens,
            other.treasury,
            other.stake_vault,
        ])
        .await;
    for fake in [attacker_tokens, other.treasury, s.reward_vault] {
        let ix = substitute(s.slash_ix(&admin, &op, 500).await, &s.treasury, &fake);
        assert_staking_error(
            s.env.send(&[ix], &[&s.env.admin]).await,
            StakingError::InvalidTreasury,
        );
    }
    for fake in [attacker_tokens, other.stake_vault] {
        let ix = substitute(s.slash_ix(&admin, &op, 500).await, &s.stake_vault, &fake);
        assert_staking_error(
            s.env.send(&[ix], &[&s.env.admin]).await,
            StakingError::WrongPool,
        );
    }
    // The other pool's bond, slashed through this pool (whose admin is
    // the slasher here but not there).
    let ix = substitute(s.slash_ix(&admin, &op, 500).await, &bond, &theirs);
    assert_staking_error(
        s.env.send(&[ix], &[&s.env.admin]).await,
        StakingError::WrongPool,
    );
    before.assert_unchanged(&s.env).await;

    // The other network's slasher cannot reach this pool's bond either.
    let args = SlashArgs {
        amount: 500,
        reason: 1,
        evidence: [0; 32],
    };
    let other_admin = other.other.admin.pubkey();
    let ix = staking::slash(
        &s.env.cluster,
        &other_admin,
        &other.network,
        &op,
        &other.treasury,
        args,
    )
    .await
    .unwrap();
    let ix = substitute(ix, &theirs, &bond);
    assert_staking_error(
        s.env.send(&[ix], &[&other.other.admin]).await,
        StakingError::WrongPool,
    );
    before.assert_unchanged(&s.env).await;
}
