//! `expire_lockup`: once a lockup ends, anyone returns the stake to the 1x
//! weight (the multiplier was for being locked); a claim does it too.

use depin_client::staking::{self, DAY};
use depin_client::Signer;
use depin_staking::errors::StakingError;

use crate::fixture::{assert_staking_error, weight, Staking};

const YEAR: i64 = 365 * DAY;
/// 864,000 tokens over 10 days: exactly one token per second.
const ONE_PER_SECOND: u64 = 864_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_lockup_falls_back_to_one_x_and_earlier_rewards_keep_the_multiplier() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    // alice: 1,000 locked for 30 days (weight per the pool's linear multiplier); bob: 1,000 unlocked.
    let alice_position = s.stake(&alice, &alice_tokens, 0, 1_000, 30 * DAY).await;
    let bob_position = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    let locked_weight = weight(1_000, 30 * DAY);
    assert_eq!(s.position(&alice_position).await.weight, locked_weight);

    // Too early: still locked.
    s.advance(30 * DAY - 1).await;
    let ix = staking::expire_lockup(&s.net(), &alice_position);
    assert_staking_error(s.env.send(&[ix], &[]).await, StakingError::StillLocked);

    // At the end anyone (here the payer) can expire it: weight 1x, rewards
    // before the expiry were earned at the locked weight.
    s.advance(1).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(5 * DAY).await;
    let ix = staking::expire_lockup(&s.net(), &alice_position);
    s.env.send(&[ix], &[]).await.unwrap();
    let p = s.position(&alice_position).await;
    assert_eq!(
        (p.weight, p.lockup_secs, p.amount),
        (weight(1_000, 0), 0, 1_000)
    );
    let half = ONE_PER_SECOND / 2;
    let total_weight = locked_weight + weight(1_000, 0);
    let alice_first_half = (u128::from(half) * locked_weight / total_weight) as u64;
    assert!(s.pending(&alice_position).await.abs_diff(alice_first_half) <= 1);

    // The second half is shared 1 : 1.
    s.advance(5 * DAY).await;
    let alice_total = s.claim(&alice, &alice_position, &alice_tokens).await;
    let bob_total = s.claim(&bob, &bob_position, &bob_tokens).await;
    assert!(
        alice_total.abs_diff(alice_first_half + half / 2) <= 2,
        "alice {alice_total}"
    );
    assert!(alice_total + bob_total <= ONE_PER_SECOND);
    assert!(ONE_PER_SECOND - (alice_total + bob_total) <= 3);
    assert_eq!(s.state().await.total_weight, 2 * weight(1_000, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_after_the_lockup_ends_also_drops_the_multiplier() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &alice_tokens, 0, 1_000, YEAR).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(YEAR).await;
    s.claim(&alice, &position, &alice_tokens).await;
    let p = s.position(&position).await;
    assert_eq!((p.weight, p.lockup_secs), (weight(1_000, 0), 0));
    assert_eq!(s.state().await.total_weight, weight(1_000, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expire_lockup_refuses_bonds_unlocked_and_empty_positions() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(2_000).await;
    let unlocked = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    let ix = staking::expire_lockup(&s.net(), &unlocked);
    assert_staking_error(s.env.send(&[ix], &[]).await, StakingError::NoLockup);

    let bond = s.bond(&alice, &alice_tokens, 500).await;
    let ix = staking::expire_lockup(&s.net(), &bond);
    assert_staking_error(s.env.send(&[ix], &[]).await, StakingError::BondHasNoLockup);

    let locked = s.stake(&alice, &alice_tokens, 1, 500, DAY).await;
    s.advance(DAY).await;
    s.request_unstake(&alice, &locked).await;
    let ix = staking::expire_lockup(&s.net(), &locked);
    assert_staking_error(s.env.send(&[ix], &[]).await, StakingError::NothingStaked);
    assert_eq!(alice.pubkey(), s.position(&locked).await.owner);
}
