//! A lock's boost ends at the lock's end (the UTC midnight at or after
//! `stake time + lockup`) by itself: no upkeep call, no claim needed. The
//! pool's lock-end bucket of that day takes the boost out of the total
//! weight at that midnight, applied by whatever instruction comes first
//! after it (the client adds the bucket), and the position is settled
//! against it (boost up to the midnight, 1x after) when next touched.
//!
//! Issue 8, item 4: a one-year 3x lock and an unlocked stake of the same
//! size over two years of rewards, nobody calling anything in between:
//! before, the locked staker was paid 47,304,000 (3x for both years, the
//! extra 7,884,000 out of the unlocked staker's share); now 39,420,000.

use depin_client::staking::DAY;
use depin_client::Signer;
use depin_staking::errors::StakingError;
use depin_tests::*;

use crate::fixture::{assert_staking_error, day, without, Staking};

const YEAR: i64 = 365 * DAY;
const SCALE: u128 = 1_000_000_000_000;
/// Two years of rewards at exactly one token a second.
const TWO_YEARS: u64 = 2 * 31_536_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_lock_weighs_3x_for_its_year_only_with_nobody_calling_anything() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    // At a midnight, so the year ends exactly at a midnight too.
    let start = s.to_midnight(0).await;
    let locked = s.stake(&alice, &alice_tokens, 0, 1_000, YEAR).await;
    let unlocked = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    s.fund(TWO_YEARS, 2 * YEAR).await;
    let p = s.position(&locked).await;
    assert_eq!(
        (p.lockup_end, p.weight, p.boost),
        (start + YEAR, 3_000, 2_000)
    );
    let end_day = day(start + YEAR);
    let bucket = s.boost_end(end_day).await.unwrap();
    assert_eq!((bucket.weight_decrease, bucket.applied), (2_000, false));

    // Two years in which nobody calls anything.
    s.advance(2 * YEAR).await;
    // Nothing has been written yet: the stored weight still says 3,000,
    // but the views already know the boost ended at the year's midnight.
    assert_eq!(s.position(&locked).await.weight, 3_000);
    assert_eq!(s.state().await.total_weight, 4_000);
    assert_eq!(s.effective_weight(&locked).await, 1_000);
    assert_eq!(s.due_days().await, [end_day]);
    // Year one 3 : 1, year two 1 : 1.
    assert_eq!(s.pending(&locked).await, 23_652_000 + 15_768_000);
    assert_eq!(s.pending(&unlocked).await, 7_884_000 + 15_768_000);

    // bob claims first; his claim carries alice's lock end (the client adds
    // the due bucket) and applies it at its midnight.
    assert_eq!(s.claim(&bob, &unlocked, &bob_tokens).await, 23_652_000);
    let bucket = s.boost_end(end_day).await.unwrap();
    // 31,536,000 over a weight of 4,000 in the first year.
    assert_eq!((bucket.applied, bucket.index_at_end), (true, 7_884 * SCALE));
    let pool = s.state().await;
    assert_eq!(
        (pool.total_weight, pool.boost_weight, pool.last_applied_day),
        (2_000, 0, day(start + 2 * YEAR))
    );
    assert_eq!(pool.reward_per_weight, (7_884 + 15_768) * SCALE);
    // alice's record changes when she is next touched.
    assert_eq!(s.position(&locked).await.weight, 3_000);
    assert_eq!(s.claim(&alice, &locked, &alice_tokens).await, 39_420_000);
    let p = s.position(&locked).await;
    assert_eq!((p.weight, p.boost, p.pending), (1_000, 0, 0));
    // 39,420,000, not 47,304,000: the 7,884,000 stays with bob.
    assert_eq!(
        s.balances(&[alice_tokens, bob_tokens]).await,
        [39_420_000, 23_652_000]
    );
    assert_eq!(s.vaults().await, [2_000, 0, 0]);
    assert_eq!(s.state().await.total_rewards_paid, TWO_YEARS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_taken_mid_day_keeps_its_boost_until_the_next_midnight() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    // At 06:00: a year's lock ends at the midnight 18 hours after the year.
    let start = s.to_midnight(DAY / 4).await;
    let locked = s.stake(&alice, &alice_tokens, 0, 1_000, YEAR).await;
    let unlocked = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    s.fund(TWO_YEARS, 2 * YEAR).await;
    let end = start + YEAR + 3 * DAY / 4;
    assert_eq!(s.position(&locked).await.lockup_end, end);

    s.advance(2 * YEAR).await;
    let boosted = (end - start) as u64; // seconds at 3 : 1
    let after = TWO_YEARS - boosted; // seconds at 1 : 1
    let alice_paid = s.claim(&alice, &locked, &alice_tokens).await;
    let bob_paid = s.claim(&bob, &unlocked, &bob_tokens).await;
    assert_eq!(alice_paid, boosted * 3 / 4 + after / 2);
    assert_eq!(bob_paid, boosted / 4 + after / 2);
    assert_eq!((alice_paid, bob_paid), (39_436_200, 23_635_800));
    assert_eq!(s.vaults().await, [2_000, 0, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_cannot_start_unstaking_before_its_midnight_and_ends_its_boost_there() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let start = s.to_midnight(DAY / 4).await;
    // 30 days: 1.1643x, a boost of 164.
    let locked = s.stake(&alice, &alice_tokens, 0, 1_000, 30 * DAY).await;
    let unlocked = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    // One token a second for 40 days.
    s.fund(40 * 86_400, 40 * DAY).await;
    let end = start + 30 * DAY + 3 * DAY / 4;
    assert_eq!(s.position(&locked).await.lockup_end, end);

    // 30 days on the clock, and a second before the midnight: still locked.
    s.advance(30 * DAY).await;
    let before = s.snapshot(&[locked, alice_tokens]).await;
    assert_staking_error(
        s.try_request_unstake(&alice, &locked).await,
        StakingError::StillLocked,
    );
    s.advance(3 * DAY / 4 - 1).await;
    assert_staking_error(
        s.try_request_unstake(&alice, &locked).await,
        StakingError::StillLocked,
    );
    before.assert_unchanged(&s.env).await;
    assert_eq!(s.effective_weight(&locked).await, 1_164);

    // At the midnight it may; everything up to it was earned 1,164 : 1,000.
    s.advance(1).await;
    assert_eq!(s.effective_weight(&locked).await, 1_000);
    let earned = u128::from((end - start) as u64) * 1_164 / 2_164;
    let pending = s.pending(&locked).await;
    assert!(
        u128::from(pending).abs_diff(earned) <= 1,
        "{pending} vs {earned}"
    );
    s.request_unstake(&alice, &locked).await;
    let p = s.position(&locked).await;
    assert_eq!(
        (p.weight, p.boost, p.unbonding, p.pending),
        (0, 0, 1_000, pending)
    );
    let pool = s.state().await;
    assert_eq!((pool.total_weight, pool.boost_weight), (1_000, 0));
    assert!(s.boost_end(day(end)).await.unwrap().applied);
    // From here on bob earns alone: a day later, 86,400 more.
    let bob_before = s.pending(&unlocked).await;
    s.advance(DAY).await;
    assert_eq!(s.pending(&unlocked).await - bob_before, 86_400);
    assert_eq!(s.pending(&locked).await, pending);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_lock_relocked_later_earns_its_new_boost_until_its_new_midnight() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let start = s.to_midnight(0).await;
    let locked = s.stake(&alice, &alice_tokens, 0, 1_000, YEAR).await;
    let unlocked = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    s.fund(TWO_YEARS, 2 * YEAR).await;
    // 18 months untouched, then alice locks for half a year (2x) again.
    s.advance(YEAR + YEAR / 2).await;
    s.try_extend(&alice, &locked, YEAR / 2).await.unwrap();
    let relocked_at = s.now().await;
    let p = s.position(&locked).await;
    assert_eq!(
        (p.weight, p.boost, p.lockup_end),
        (2_000, 1_000, relocked_at + YEAR / 2)
    );
    // The old lock's boost ended at its midnight (applied by this extend),
    // the new one is scheduled at the new lock's end (start + 2 years).
    assert!(s.boost_end(day(start + YEAR)).await.unwrap().applied);
    assert_eq!(
        s.boost_end(day(start + 2 * YEAR))
            .await
            .unwrap()
            .weight_decrease,
        1_000
    );
    s.advance(YEAR / 2).await;
    // Year one 3 : 1; half a year 1 : 1; half a year 2 : 1.
    let half = 15_768_000u64;
    let alice_paid = s.claim(&alice, &locked, &alice_tokens).await;
    let bob_paid = s.claim(&bob, &unlocked, &bob_tokens).await;
    assert_eq!(alice_paid, 23_652_000 + half / 2 + half * 2 / 3);
    assert_eq!(bob_paid, 7_884_000 + half / 2 + half / 3);
    assert_eq!(alice_paid + bob_paid, TWO_YEARS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_staker_cannot_keep_its_boost_by_leaving_out_or_faking_the_bucket() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let (alice, alice_tokens) = s.staker(2_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let (carol, carol_tokens) = s.staker(1_000).await;
    let start = s.to_midnight(0).await;
    let locked = s.stake(&alice, &alice_tokens, 0, 1_000, YEAR).await;
    let unlocked = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    // carol locks for 10 days (1.0547x: a boost of 54).
    let short = s.stake(&carol, &carol_tokens, 0, 1_000, 10 * DAY).await;
    // A lock in the other pool ending the same midnight as alice's: a
    // bucket of the same day, of another pool.
    let args = depin_client::staking::StakeArgs {
        id: 0,
        amount: 1_000,
        lockup_secs: YEAR,
    };
    let ix = depin_client::staking::stake(
        &s.env.cluster,
        &s.env.payer(),
        &alice.pubkey(),
        &other.network,
        &alice_tokens,
        args,
    )
    .await
    .unwrap();
    s.env.send(&[ix], &[&alice]).await.unwrap();
    let end_day = day(start + YEAR);
    let theirs = depin_client::staking::boost_end_address(&other.network, end_day);
    assert!(s.env.exists(&theirs).await);
    s.fund(TWO_YEARS, 2 * YEAR).await;
    // bob's claim after 20 days applies carol's lock end: a bucket of this
    // pool, of another day.
    s.advance(20 * DAY).await;
    s.claim(&bob, &unlocked, &bob_tokens).await;
    let short_day = day(start + 10 * DAY);
    assert!(s.boost_end(short_day).await.unwrap().applied);
    s.advance(2 * YEAR - 22 * DAY).await;

    let ours = s.boost_end_address(end_day);
    let claim = s.claim_ix(&alice.pubkey(), &locked, &alice_tokens).await;
    let (_, fake) = s.staker(0).await;
    let before = s
        .snapshot(&[
            locked,
            unlocked,
            short,
            alice_tokens,
            ours,
            theirs,
            other.pool,
        ])
        .await;
    // Left out: the program will not run past a due lock end.
    assert_staking_error(
        s.env
            .send(&[without(claim.clone(), &ours)], &[&alice])
            .await,
        StakingError::MissingBoostEnd,
    );
    // Another pool's bucket of that day, a token account (owned by the
    // token program), a wallet: not a bucket of this pool.
    for impostor in [theirs, fake, carol.pubkey()] {
        let ix = substitute(claim.clone(), &ours, &impostor);
        assert_staking_error(
            s.env.send(&[ix], &[&alice]).await,
            StakingError::InvalidBoostEnd,
        );
    }
    // This pool's bucket of another day: the due one is still missing.
    let ix = substitute(claim.clone(), &ours, &s.boost_end_address(short_day));
    assert_staking_error(
        s.env.send(&[ix], &[&alice]).await,
        StakingError::MissingBoostEnd,
    );
    // Passed read-only, the bucket could not record its end.
    let ix = crate::fixture::read_only(claim.clone(), &ours);
    assert_staking_error(
        s.env.send(&[ix], &[&alice]).await,
        StakingError::InvalidBoostEnd,
    );
    before.assert_unchanged(&s.env).await;
    let _ = carol_tokens;

    // The honest claim: the boost ended at its midnight. 10 days at
    // 3,000 : 1,054 : 1,000, the rest of the year at 3 : 1 : 1, after it
    // 1 : 1 : 1 (two days of the stream are still to come).
    let paid = s.claim(&alice, &locked, &alice_tokens).await;
    let first = 10 * 86_400u128;
    let year = 31_536_000u128;
    let after = TWO_YEARS as u128 - 2 * 86_400 - year;
    let expected = first * 3_000 / 5_054 + (year - first) * 3 / 5 + after / 3;
    assert!(
        u128::from(paid).abs_diff(expected) <= 3,
        "{paid} vs {expected}"
    );
}
