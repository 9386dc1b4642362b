//! Lock-end buckets as accounts: a lock with a boost schedules it in the
//! bucket of its end day (created by the first lock ending that day); every
//! instruction must carry the buckets due (and a position its own once its
//! lock has a boost). Each attack below is sent as an attacker would (a
//! bucket left out, another day's, another pool's, an account of another
//! program): it fails and nothing changes.

use depin_client::staking::{self, DAY};
use depin_client::{Cluster, Pubkey, Signer};
use depin_registry::state::permission;
use depin_staking::errors::StakingError;
use depin_staking::state::BoostEnd;
use depin_tests::*;

use crate::fixture::{
    absent, assert_staking_error, boost, day, lock_end, slash_args, without, Staking,
};

const YEAR: i64 = 365 * DAY;
/// 864,000 tokens over 10 days: exactly one token per second.
const ONE_PER_SECOND: u64 = 864_000;

async fn bucket_rent(s: &Staking) -> u64 {
    s.env
        .cluster
        .minimum_balance(8 + <BoostEnd as anchor_lang::Space>::INIT_SPACE)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_lock_ending_on_a_day_creates_its_bucket_and_later_ones_join_it() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(2_000).await;
    let now = s.now().await;
    let end = lock_end(now, YEAR);
    let bucket = s.boost_end_address(day(end));
    assert!(!s.env.exists(&bucket).await);
    let payer = s.env.payer();
    let paid_before = s.env.lamports(&payer).await;
    s.stake(&alice, &alice_tokens, 0, 1_000, YEAR).await;
    let rent = bucket_rent(&s).await;
    let position_rent = s.position_rent().await;
    // The payer paid both rents (and the fee).
    let spent = paid_before - s.env.lamports(&payer).await;
    assert!(spent >= rent + position_rent && spent < rent + position_rent + 100_000);
    let (address, bump) = depin_staking::pda::boost_end(&s.pool, day(end));
    assert_eq!(address, bucket);
    let account = s.env.cluster.get_account(&bucket).await.unwrap().unwrap();
    assert_eq!((account.owner, account.lamports), (depin_staking::ID, rent));
    assert_eq!(
        s.boost_end(day(end)).await.unwrap(),
        BoostEnd {
            pool: s.pool,
            day: day(end),
            weight_decrease: 2_000,
            index_at_end: 0,
            applied: false,
            bump,
        }
    );
    let pool = s.state().await;
    assert_eq!((pool.boost_weight, pool.total_weight), (2_000, 3_000));
    assert_eq!(pool.boost_end_days_due(i64::MAX), [day(end)]);

    // A second lock ending that day joins the bucket; nobody pays for it
    // again.
    s.stake(&bob, &bob_tokens, 0, 2_000, YEAR).await;
    assert_eq!(s.boost_end(day(end)).await.unwrap().weight_decrease, 6_000);
    assert_eq!(s.env.lamports(&bucket).await, rent);
    assert_eq!(s.state().await.boost_weight, 6_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlocked_stake_or_a_lock_too_short_to_weigh_more_needs_no_bucket() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(2_000).await;
    let now = s.now().await;
    // 100 tokens for a day: 1.0054x of 100 rounds down to 100, no boost.
    assert_eq!(boost(100, DAY), 0);
    let ix = s.stake_ix(&alice.pubkey(), &tokens, 0, 100, DAY).await;
    let placeholder = ix.accounts[4].pubkey;
    assert_eq!(placeholder, depin_staking::ID);
    s.env.send(&[ix], &[&alice]).await.unwrap();
    let p = s.position(&s.position_address(&alice.pubkey(), 0)).await;
    // Still a lock (until the next midnight), but it adds no weight.
    assert_eq!(
        (p.weight, p.boost, p.lockup_end),
        (100, 0, lock_end(now, DAY))
    );
    assert!(!s.env.exists(&s.boost_end_address(day(p.lockup_end))).await);
    s.stake(&alice, &tokens, 1, 1_000, 0).await;
    assert_eq!(s.state().await.boost_weight, 0);
    assert!(s.due_days().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stake_with_a_missing_wrong_or_foreign_bucket_fails_and_changes_nothing() {
    let s = Staking::new().await;
    let other = s.other_pool().await;
    let (alice, tokens) = s.staker(3_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    // Existing buckets: this pool's for a 30-day lock, the other pool's for
    // a year.
    s.stake(&bob, &bob_tokens, 0, 1_000, 30 * DAY).await;
    let now = s.now().await;
    let other_day_bucket = s.boost_end_address(day(lock_end(now, 30 * DAY)));
    let args = staking::StakeArgs {
        id: 0,
        amount: 1_000,
        lockup_secs: YEAR,
    };
    let ix = staking::stake(
        &s.env.cluster,
        &s.env.payer(),
        &alice.pubkey(),
        &other.network,
        &tokens,
        args,
    )
    .await
    .unwrap();
    s.env.send(&[ix], &[&alice]).await.unwrap();
    let year_day = day(lock_end(now, YEAR));
    let theirs = staking::boost_end_address(&other.network, year_day);

    let ours = s.boost_end_address(year_day);
    let position = s.position_address(&alice.pubkey(), 1);
    let ix = s.stake_ix(&alice.pubkey(), &tokens, 1, 1_000, YEAR).await;
    let before = s
        .snapshot(&[ours, theirs, other_day_bucket, position, tokens, other.pool])
        .await;
    assert_staking_error(
        s.env.send(&[absent(ix.clone(), &ours)], &[&alice]).await,
        StakingError::MissingBoostEnd,
    );
    let not_yet = s.boost_end_address(year_day + 1);
    let (_, token_account) = s.staker(0).await;
    // The address of another day (not created yet), another day's bucket,
    // another pool's bucket of the right day, a token account, the pool.
    for impostor in [not_yet, other_day_bucket, theirs, token_account, s.pool] {
        let ix = substitute(ix.clone(), &ours, &impostor);
        assert_staking_error(
            s.env.send(&[ix], &[&alice]).await,
            StakingError::InvalidBoostEnd,
        );
    }
    before.assert_unchanged(&s.env).await;
    assert!(!s.env.exists(&ours).await && !s.env.exists(&not_yet).await);
    // As built, it works.
    s.env.send(&[ix], &[&alice]).await.unwrap();
    assert_eq!(s.boost_end(year_day).await.unwrap().weight_decrease, 2_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bucket_address_sent_lamports_first_is_still_opened() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(2_000).await;
    let now = s.now().await;
    let rent = bucket_rent(&s).await;
    // Someone funds the next bucket address first (the least the runtime
    // accepts for an empty account; a plain create would then fail), and
    // another one with plenty.
    let thirty = s.boost_end_address(day(lock_end(now, 30 * DAY)));
    let year = s.boost_end_address(day(lock_end(now, YEAR)));
    let least = s.env.cluster.minimum_balance(0).await.unwrap();
    s.env.cluster.airdrop(&thirty, least).await.unwrap();
    s.env.cluster.airdrop(&year, 2 * rent).await.unwrap();
    s.stake(&alice, &tokens, 0, 1_000, 30 * DAY).await;
    s.stake(&alice, &tokens, 1, 1_000, YEAR).await;
    for (bucket, lamports) in [(thirty, rent), (year, 2 * rent)] {
        let account = s.env.cluster.get_account(&bucket).await.unwrap().unwrap();
        assert_eq!(account.owner, depin_staking::ID);
        assert_eq!(account.lamports, lamports);
        assert_eq!(
            account.data.len(),
            8 + <BoostEnd as anchor_lang::Space>::INIT_SPACE
        );
    }
    assert_eq!(s.state().await.boost_weight, 164 + 2_000);
}

/// A pool past a due lock end (carol's day-long lock), with a position for
/// each instruction to act on.
struct PastDue {
    s: Staking,
    due: Pubkey,
    bob: depin_client::Keypair,
    bob_tokens: Pubkey,
    bob_position: Pubkey,
    alice: depin_client::Keypair,
    alice_tokens: Pubkey,
    alice_position: Pubkey,
    operator: depin_client::Keypair,
    operator_tokens: Pubkey,
}

async fn past_due() -> PastDue {
    let s = Staking::new().await;
    let (carol, carol_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (operator, operator_tokens) = s.staker(2_000).await;
    let carol_position = s.stake(&carol, &carol_tokens, 0, 1_000, DAY).await;
    let due_day = day(s.position(&carol_position).await.lockup_end);
    let bob_position = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    let alice_position = s.stake(&alice, &alice_tokens, 0, 1_000, 0).await;
    s.request_unstake(&alice, &alice_position).await;
    s.bond(&operator, &operator_tokens, 1_000).await;
    s.fund(ONE_PER_SECOND, 10 * DAY).await;
    s.advance(8 * DAY).await;
    assert_eq!(s.due_days().await, [due_day]);
    PastDue {
        due: s.boost_end_address(due_day),
        s,
        bob,
        bob_tokens,
        bob_position,
        alice,
        alice_tokens,
        alice_position,
        operator,
        operator_tokens,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_instruction_refuses_to_run_past_a_due_lock_end_it_was_not_given() {
    let t = past_due().await;
    let s = &t.s;
    let admin = s.env.admin.pubkey();
    let (dave, dave_tokens) = s.staker(1_000).await;
    let view = s.view().await;
    let payer = s.env.payer();
    let bob = t.bob.pubkey();
    let op = t.operator.pubkey();
    let bob_p = s.position(&t.bob_position).await;
    let cases = vec![
        (
            "stake",
            view.stake(
                &payer,
                &dave.pubkey(),
                &dave_tokens,
                staking::StakeArgs {
                    id: 0,
                    amount: 1_000,
                    lockup_secs: 0,
                },
            )
            .unwrap(),
            vec![&dave],
        ),
        (
            "bond",
            view.bond(&payer, &op, &t.operator_tokens, 500).unwrap(),
            vec![&t.operator],
        ),
        (
            "fund_rewards",
            view.fund_rewards(&admin, &s.funding, 1_000, DAY).unwrap(),
            vec![&s.env.admin],
        ),
        (
            "slash",
            view.slash(&admin, &op, &s.treasury, slash_args(100))
                .unwrap(),
            vec![&s.env.admin],
        ),
        (
            "claim_rewards",
            view.claim_rewards(&bob, (&t.bob_position, &bob_p), &t.bob_tokens)
                .unwrap(),
            vec![&t.bob],
        ),
        (
            "extend_lockup",
            view.extend_lockup(&payer, &bob, (&t.bob_position, &bob_p), 0)
                .unwrap(),
            vec![&t.bob],
        ),
        (
            "request_unstake",
            view.request_unstake(&bob, (&t.bob_position, &bob_p))
                .unwrap(),
            vec![&t.bob],
        ),
        (
            "withdraw",
            view.withdraw(&t.alice.pubkey(), &t.alice_position, &t.alice_tokens)
                .unwrap(),
            vec![&t.alice],
        ),
    ];
    let watched = [
        t.due,
        t.bob_position,
        t.alice_position,
        t.bob_tokens,
        t.alice_tokens,
        t.operator_tokens,
        dave_tokens,
        s.bond_address(&op),
        s.position_address(&dave.pubkey(), 0),
    ];
    let before = s.snapshot(&watched).await;
    for (name, ix, signers) in &cases {
        let result = s.env.send(&[without(ix.clone(), &t.due)], signers).await;
        assert!(result.is_err(), "{name} ran past a due lock end");
        assert_staking_error(result, StakingError::MissingBoostEnd);
    }
    before.assert_unchanged(&s.env).await;
    // With it, each works (here: the first applies the lock end).
    for (name, ix, signers) in cases {
        s.env
            .send(&[ix], &signers)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert!(s.due_days().await.is_empty());
    assert_eq!(s.state().await.boost_weight, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extend_needs_the_running_boosts_bucket_and_the_new_one() {
    let s = Staking::new().await;
    let (alice, tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let position = s.stake(&alice, &tokens, 0, 1_000, 30 * DAY).await;
    let old_day = day(s.position(&position).await.lockup_end);
    // Another day's bucket, to pass as a wrong one.
    s.stake(&bob, &bob_tokens, 0, 1_000, 90 * DAY).await;
    let now = s.now().await;
    let third_day = day(lock_end(now, 90 * DAY));
    let new_day = day(lock_end(now, 60 * DAY));
    let (old, new) = (s.boost_end_address(old_day), s.boost_end_address(new_day));
    let ix = s.extend_ix(&alice.pubkey(), &position, 60 * DAY).await;
    let third = s.boost_end_address(third_day);
    let before = s.snapshot(&[position, old, new, third]).await;
    // The running boost's bucket left out: the boost could not move.
    assert_staking_error(
        s.env.send(&[without(ix.clone(), &old)], &[&alice]).await,
        StakingError::MissingBoostEnd,
    );
    // The new one left out, or another day's in its place.
    assert_staking_error(
        s.env.send(&[absent(ix.clone(), &new)], &[&alice]).await,
        StakingError::MissingBoostEnd,
    );
    assert_staking_error(
        s.env
            .send(&[substitute(ix.clone(), &new, &third)], &[&alice])
            .await,
        StakingError::InvalidBoostEnd,
    );
    before.assert_unchanged(&s.env).await;
    s.env.send(&[ix], &[&alice]).await.unwrap();
    assert_eq!(s.boost_end(old_day).await.unwrap().weight_decrease, 0);
    assert_eq!(
        s.boost_end(new_day).await.unwrap().weight_decrease,
        boost(1_000, 60 * DAY)
    );
    // The old day is no longer pending: nothing will need its bucket.
    assert_eq!(
        s.state().await.boost_end_days_due(i64::MAX),
        [new_day, third_day]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_position_whose_lock_ended_needs_its_own_bucket_even_after_another_applied_it() {
    let s = Staking::new().await;
    let (alice, alice_tokens) = s.staker(1_000).await;
    let (bob, bob_tokens) = s.staker(1_000).await;
    let start = s.to_midnight(0).await;
    let locked = s.stake(&alice, &alice_tokens, 0, 1_000, 10 * DAY).await;
    let unlocked = s.stake(&bob, &bob_tokens, 0, 1_000, 0).await;
    s.fund(ONE_PER_SECOND, 20 * DAY).await;
    s.advance(15 * DAY).await;
    // bob's claim applies alice's lock end.
    s.claim(&bob, &unlocked, &bob_tokens).await;
    let own = s.boost_end_address(day(start + 10 * DAY));
    assert!(s.due_days().await.is_empty());
    let claim = s.claim_ix(&alice.pubkey(), &locked, &alice_tokens).await;
    let unstake = s.unstake_ix(&alice.pubkey(), &locked).await;
    let before = s.snapshot(&[locked, own, alice_tokens]).await;
    for ix in [claim.clone(), unstake] {
        assert_staking_error(
            s.env.send(&[without(ix, &own)], &[&alice]).await,
            StakingError::MissingBoostEnd,
        );
    }
    before.assert_unchanged(&s.env).await;
    // With it: 10 days at 1.0547x (1,054 : 1,000), then 5 at 1 : 1, of
    // 43,200 a day.
    let pending = s.pending(&locked).await;
    s.env.send(&[claim], &[&alice]).await.unwrap();
    assert_eq!(s.balance(&alice_tokens).await, pending);
    let expected = 432_000u128 * 1_054 / 2_054 + 216_000 / 2;
    assert!(u128::from(pending).abs_diff(expected) <= 2, "{pending}");
    let p = s.position(&locked).await;
    assert_eq!((p.weight, p.boost), (1_000, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slasher_without_the_permission_cannot_slip_in_with_a_due_bucket() {
    // The permission checks come first, whatever buckets are passed.
    let t = past_due().await;
    let s = &t.s;
    let view = s.view().await;
    let op = t.operator.pubkey();
    let before = s.snapshot(&[t.due, s.bond_address(&op)]).await;
    crate::fixture::assert_requires_permission(
        &s.env,
        |authority| {
            view.slash(authority, &op, &s.treasury, slash_args(100))
                .unwrap()
        },
        permission::SLASHER,
    )
    .await;
    before.assert_unchanged(&s.env).await;
}
