//! Administration: `set_paused`, and the end of a pool: `clawback` after
//! expiry and `close_ledger_page` after the clawback.

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::rewards;
use depin_client::{Instruction, Pubkey, Signer};
use depin_registry::state::permission;
use depin_rewards::errors::RewardsError;
use depin_tests::*;

use crate::fixture::{self, Pool, FUNDING};

fn pause_ix(pool: &Pool, authority: &Pubkey, paused: bool) -> Instruction {
    rewards::set_paused(authority, &pool.env.network, &pool.distributor, paused)
}

async fn set_paused(pool: &Pool, paused: bool) {
    let admin = &pool.env.admin;
    let ix = pause_ix(pool, &admin.pubkey(), paused);
    pool.env.send(&[ix], &[admin]).await.unwrap();
    assert_eq!(pool.state().await.is_paused(), paused);
}

fn clawback_ix(pool: &Pool) -> Instruction {
    rewards::clawback(&pool.distributor, &pool.treasury)
}

fn close_ix(pool: &Pool, authority: &Pubkey, page: u32, rent_receiver: &Pubkey) -> Instruction {
    rewards::close_ledger_page(
        authority,
        &pool.env.network,
        &pool.distributor,
        page,
        rent_receiver,
    )
}

// ---- set_paused ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_paused_requires_the_admin_permission() {
    let pool = Pool::new(100).await;
    let before = pool.snapshot(&[]).await;
    fixture::assert_requires_permission(
        &pool.env,
        |authority| pause_ix(&pool, authority, true),
        permission::ADMIN,
    )
    .await;
    pool.assert_unchanged(&before).await;
    assert!(!pool.state().await.is_paused());

    // A member holding only ADMIN may.
    let admin = pool.env.member(permission::ADMIN).await;
    let ix = pause_ix(&pool, &admin.pubkey(), true);
    pool.env.send(&[ix], &[&admin]).await.unwrap();
    assert!(pool.state().await.is_paused());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_paused_rejects_the_state_it_is_already_in() {
    let pool = Pool::new(100).await;
    let admin = &pool.env.admin;
    let before = pool.snapshot(&[]).await;
    let ix = pause_ix(&pool, &admin.pubkey(), false);
    assert_error(
        pool.env.send(&[ix], &[admin]).await,
        RewardsError::PauseStateUnchanged,
    );
    pool.assert_unchanged(&before).await;

    set_paused(&pool, true).await;
    let before = pool.snapshot(&[]).await;
    let ix = pause_ix(&pool, &admin.pubkey(), true);
    assert_error(
        pool.env.send(&[ix], &[admin]).await,
        RewardsError::PauseStateUnchanged,
    );
    pool.assert_unchanged(&before).await;
    assert!(pool.state().await.is_paused());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_stops_claims_but_not_roots_until_unpaused() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let first = pool.tree(&[(&alice, 100), (&bob, 50)]);
    pool.post(&first, 1).await;
    pool.claim(&alice, &alice_tokens, &first).await.unwrap();

    set_paused(&pool, true).await;
    let before = pool.snapshot(&[alice_tokens, bob_tokens]).await;
    assert_error(
        pool.claim(&bob, &bob_tokens, &first).await,
        RewardsError::Paused,
    );
    assert_error(
        pool.push(&bob.pubkey(), &bob_tokens, &first).await,
        RewardsError::Paused,
    );
    pool.assert_unchanged(&before).await;

    // The oracle keeps posting (and funding goes on) while paused.
    pool.fund(200).await;
    let second = pool.tree(&[(&alice, 300), (&bob, 80)]);
    pool.post(&second, 2).await;
    let d = pool.state().await;
    assert_eq!((d.epoch, d.cumulative_total, d.is_paused()), (2, 380, true));
    assert_error(
        pool.claim(&alice, &alice_tokens, &second).await,
        RewardsError::Paused,
    );

    set_paused(&pool, false).await;
    pool.claim(&alice, &alice_tokens, &second).await.unwrap();
    pool.push(&bob.pubkey(), &bob_tokens, &second)
        .await
        .unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, pool.vault]).await,
        [300, 80, 820]
    );
    assert_eq!(pool.state().await.total_claimed, 380);
}

// ---- clawback ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clawback_before_the_expiry_fails() {
    let pool = Pool::expiring_in(1_000, 3_600).await;
    let before = pool.snapshot(&[pool.treasury]).await;
    assert_error(
        pool.env.send(&[clawback_ix(&pool)], &[]).await,
        RewardsError::NotExpired,
    );
    // One second before.
    pool.env.cluster.advance_clock(3_599).await.unwrap();
    assert_error(
        pool.env.send(&[clawback_ix(&pool)], &[]).await,
        RewardsError::NotExpired,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(
        pool.balances(&[pool.vault, pool.treasury]).await,
        [1_000, 0]
    );
    assert!(!pool.state().await.is_clawed_back());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_that_never_expires_cannot_be_clawed_back() {
    let pool = Pool::new(1_000).await;
    assert_eq!(pool.state().await.expires_at, 0);
    pool.env
        .cluster
        .advance_clock(100 * 365 * 86_400)
        .await
        .unwrap();
    let before = pool.snapshot(&[pool.treasury]).await;
    assert_error(
        pool.env.send(&[clawback_ix(&pool)], &[]).await,
        RewardsError::NotExpired,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(
        pool.balances(&[pool.vault, pool.treasury]).await,
        [1_000, 0]
    );
    assert!(!pool.state().await.is_clawed_back());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_expiry_anyone_claws_the_remainder_back_to_the_treasury() {
    let pool = Pool::expiring_in(1_000, 3_600).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100), (&bob, 200)]);
    pool.post(&tree, 1).await;
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();

    pool.expire().await;
    assert_error(
        pool.claim(&bob, &bob_tokens, &tree).await,
        RewardsError::Expired,
    );
    // No signer: whoever pays the fee.
    let ix = clawback_ix(&pool);
    assert!(ix.accounts.iter().all(|meta| !meta.is_signer));
    pool.env.send(&[ix], &[]).await.unwrap();
    assert_eq!(
        pool.balances(&[pool.vault, pool.treasury, alice_tokens, bob_tokens])
            .await,
        [0, 900, 100, 0]
    );
    let d = pool.state().await;
    assert!(d.is_clawed_back());
    assert_eq!((d.total_claimed, d.total_funded, d.epoch), (100, 1_000, 1));

    // Twice, or anything else afterwards, fails.
    let before = pool
        .snapshot(&[pool.treasury, bob_tokens, pool.funding])
        .await;
    assert_error(
        pool.env.send(&[clawback_ix(&pool)], &[]).await,
        RewardsError::AlreadyClawedBack,
    );
    assert_error(
        pool.claim(&bob, &bob_tokens, &tree).await,
        RewardsError::Expired,
    );
    assert_error(
        pool.push(&bob.pubkey(), &bob_tokens, &tree).await,
        RewardsError::Expired,
    );
    assert_error(pool.try_fund(10).await, RewardsError::AlreadyClawedBack);
    let next = pool.tree(&[(&alice, 100), (&bob, 300)]);
    assert_error(
        pool.try_post(&next, 2).await,
        RewardsError::AlreadyClawedBack,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balance(&pool.funding).await, FUNDING - 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clawback_of_an_empty_vault_still_ends_the_pool() {
    let pool = Pool::expiring_in(300, 60).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 300)]);
    pool.post(&tree, 1).await;
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    pool.expire().await;
    pool.env.send(&[clawback_ix(&pool)], &[]).await.unwrap();
    assert_eq!(
        pool.balances(&[pool.vault, pool.treasury, alice_tokens])
            .await,
        [0, 0, 300]
    );
    assert!(pool.state().await.is_clawed_back());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clawback_to_another_treasury_is_rejected() {
    let pool = Pool::expiring_in(1_000, 60).await;
    pool.expire().await;
    let (_, mallory_tokens) = pool.recipient().await;
    let before = pool.snapshot(&[pool.treasury, mallory_tokens]).await;
    let ix = substitute(clawback_ix(&pool), &pool.treasury, &mallory_tokens);
    assert_error(
        pool.env.send(&[ix], &[]).await,
        RewardsError::InvalidTreasury,
    );
    let ix = substitute(clawback_ix(&pool), &pool.vault, &pool.funding);
    assert_error(pool.env.send(&[ix], &[]).await, RewardsError::WrongVault);
    pool.assert_unchanged(&before).await;
    assert_eq!(
        pool.balances(&[pool.vault, pool.treasury, mallory_tokens])
            .await,
        [1_000, 0, 0]
    );
    assert!(!pool.state().await.is_clawed_back());

    pool.env.send(&[clawback_ix(&pool)], &[]).await.unwrap();
    assert_eq!(
        pool.balances(&[pool.vault, pool.treasury]).await,
        [0, 1_000]
    );
}

// ---- close_ledger_page ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_ledger_page_before_the_clawback_fails() {
    let pool = Pool::expiring_in(1_000, 60).await;
    let admin = pool.env.admin.pubkey();
    let receiver = pool.env.wallet().await.pubkey();
    let before = pool.snapshot(&[receiver]).await;
    let ix = close_ix(&pool, &admin, 0, &receiver);
    assert_error(
        pool.env
            .send(std::slice::from_ref(&ix), &[&pool.env.admin])
            .await,
        RewardsError::NotClawedBack,
    );
    // Expired is not enough.
    pool.expire().await;
    assert_error(
        pool.env.send(&[ix], &[&pool.env.admin]).await,
        RewardsError::NotClawedBack,
    );
    pool.assert_unchanged(&before).await;
    assert!(pool.env.exists(&pool.page_address(0)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_ledger_page_after_the_clawback_refunds_its_rent() {
    let pool = Pool::expiring_in(1_000, 60).await;
    pool.add_page(1).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    pool.expire().await;
    pool.env.send(&[clawback_ix(&pool)], &[]).await.unwrap();

    // The rent goes to any receiver, even one with no account yet.
    let admin = &pool.env.admin;
    let receiver = pool.env.wallet().await.pubkey();
    let fresh = depin_client::Keypair::new().pubkey();
    for (page, to) in [(0, receiver), (1, fresh)] {
        let page_address = pool.page_address(page);
        let rent = pool.env.lamports(&page_address).await;
        assert!(rent > 0);
        let to_before = pool.env.lamports(&to).await;
        let ix = close_ix(&pool, &admin.pubkey(), page, &to);
        pool.env.send(&[ix], &[admin]).await.unwrap();
        assert_eq!(pool.env.lamports(&to).await - to_before, rent);
        assert!(!pool.env.exists(&page_address).await);
    }
    // The closed page reads as nothing claimed; a claim against it fails
    // on the (now system-owned) ledger account before anything else.
    assert_eq!(pool.claimed(0).await, 0);
    assert_error(
        pool.claim(&alice, &alice_tokens, &tree).await,
        AnchorError::AccountOwnedByWrongProgram,
    );
    assert_eq!(pool.balance(&alice_tokens).await, 100);

    // Nor can a closed page be opened again.
    let ix = pool.add_page_ix(&pool.env.payer(), &pool.oracle.pubkey(), 0);
    assert_error(
        pool.env.send(&[ix], &[&pool.oracle]).await,
        RewardsError::LedgerPageOutOfOrder,
    );
    assert!(!pool.env.exists(&pool.page_address(0)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_ledger_page_requires_the_treasury_permission() {
    let pool = Pool::expiring_in(1_000, 60).await;
    pool.expire().await;
    pool.env.send(&[clawback_ix(&pool)], &[]).await.unwrap();
    let receiver = pool.env.wallet().await.pubkey();
    let before = pool.snapshot(&[receiver]).await;
    fixture::assert_requires_permission(
        &pool.env,
        |authority| close_ix(&pool, authority, 0, &receiver),
        permission::TREASURY,
    )
    .await;
    pool.assert_unchanged(&before).await;
    assert!(pool.env.exists(&pool.page_address(0)).await);

    let treasurer = pool.env.member(permission::TREASURY).await;
    let ix = close_ix(&pool, &treasurer.pubkey(), 0, &receiver);
    pool.env.send(&[ix], &[&treasurer]).await.unwrap();
    assert!(!pool.env.exists(&pool.page_address(0)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_ledger_page_of_another_distributor_is_rejected() {
    // Pool 0 ends; pool 1 (same network and mint) lives on with claims in
    // its ledger, which must not be reset through pool 0's clawback.
    let pool = Pool::expiring_in(1_000, 60).await;
    let sibling = pool.sibling(1, 500).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let live = fixture::tree_of(&sibling.distributor, &[(&alice, 100)]);
    pool.post(&live, 1).await;
    pool.claim(&alice, &alice_tokens, &live).await.unwrap();
    pool.expire().await;
    pool.env.send(&[clawback_ix(&pool)], &[]).await.unwrap();

    let admin = &pool.env.admin;
    let receiver = pool.env.wallet().await.pubkey();
    let live_page = depin_rewards::pda::ledger(&sibling.distributor, 0).0;
    let ix = substitute(
        close_ix(&pool, &admin.pubkey(), 0, &receiver),
        &pool.page_address(0),
        &live_page,
    );
    let before = pool.snapshot(&[live_page, receiver]).await;
    assert_error(
        pool.env.send(&[ix], &[admin]).await,
        RewardsError::WrongLedgerPage,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.claimed_in(&sibling.distributor, 0).await, 100);
    assert_error(
        pool.claim(&alice, &alice_tokens, &live).await,
        RewardsError::NothingToClaim,
    );
    assert_eq!(pool.balance(&alice_tokens).await, 100);
}
