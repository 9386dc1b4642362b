//! `claim`: the recipient signs and is paid its leaf's cumulative amount
//! minus what it claimed before, to any token account of the mint.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_spl::token::spl_token::error::TokenError;
use depin_client::rewards::{self, ClaimArgs, RewardTree};
use depin_client::{token, Keypair, Pubkey, Signer};
use depin_merkle::MAX_PROOF_LEN;
use depin_rewards::errors::RewardsError;
use depin_rewards::state::LEDGER_PAGE_SIZE;
use depin_tests::*;

use crate::fixture::{args_of, tree_of, Pool};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_pays_exactly_the_cumulative_amount_minus_what_was_claimed() {
    let pool = Pool::new(10_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, _) = pool.recipient().await;

    let first = pool.tree(&[(&alice, 400), (&bob, 100)]);
    pool.post(&first, 1).await;
    pool.claim(&alice, &alice_tokens, &first).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, pool.vault]).await,
        [400, 9_600]
    );
    assert_eq!(pool.claimed(0).await, 400);

    let second = pool.tree(&[(&alice, 1_000), (&bob, 100)]);
    pool.post(&second, 2).await;
    pool.claim(&alice, &alice_tokens, &second).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, pool.vault]).await,
        [1_000, 9_000]
    );
    assert_eq!((pool.claimed(0).await, pool.claimed(1).await), (1_000, 0));
    let d = pool.state().await;
    assert_eq!(
        (d.total_claimed, d.cumulative_total, d.total_funded),
        (1_000, 1_100, 10_000)
    );

    // The destination may be any token account of the mint: alice sends
    // her next reward to a friend's.
    let (_, friend_tokens) = pool.recipient().await;
    let third = pool.tree(&[(&alice, 1_250), (&bob, 100)]);
    pool.post(&third, 3).await;
    pool.claim(&alice, &friend_tokens, &third).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, friend_tokens, pool.vault])
            .await,
        [1_000, 250, 8_750]
    );
    assert_eq!(pool.claimed(0).await, 1_250);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_claim_pays_nothing_and_fails() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 300), (&bob, 200)]);
    pool.post(&tree, 1).await;
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();

    let before = pool.snapshot(&[alice_tokens]).await;
    assert_error(
        pool.claim(&alice, &alice_tokens, &tree).await,
        RewardsError::NothingToClaim,
    );
    // Nor through the crank.
    assert_error(
        pool.push(&alice.pubkey(), &alice_tokens, &tree).await,
        RewardsError::NothingToClaim,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [300, 700]);
    assert_eq!(pool.claimed(0).await, 300);
    assert_eq!(pool.state().await.total_claimed, 300);

    // Both claims in one transaction: the second fails, so the first is
    // rolled back with it.
    let (carol, carol_tokens) = pool.recipient().await;
    let next = pool.tree(&[(&alice, 300), (&bob, 200), (&carol, 50)]);
    pool.post(&next, 2).await;
    let claim = Pool::claim_ix(&carol, &carol_tokens, &next);
    let result = pool.env.send(&[claim.clone(), claim], &[&carol]).await;
    assert_error(result, RewardsError::NothingToClaim);
    assert_eq!(pool.balances(&[carol_tokens, pool.vault]).await, [0, 700]);
    assert_eq!(pool.claimed(2).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_proof_is_rejected_after_a_newer_root() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let first = pool.tree(&[(&alice, 100), (&bob, 100)]);
    pool.post(&first, 1).await;
    // Only bob's leaf changes: alice's own leaf is the same, her proof not.
    let second = pool.tree(&[(&alice, 100), (&bob, 300)]);
    pool.post(&second, 2).await;

    let before = pool.snapshot(&[alice_tokens, bob_tokens]).await;
    assert_error(
        pool.claim(&alice, &alice_tokens, &first).await,
        RewardsError::InvalidProof,
    );
    assert_error(
        pool.claim(&bob, &bob_tokens, &first).await,
        RewardsError::InvalidProof,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balances(&[alice_tokens, bob_tokens]).await, [0, 0]);

    pool.claim(&alice, &alice_tokens, &second).await.unwrap();
    pool.claim(&bob, &bob_tokens, &second).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, pool.vault]).await,
        [100, 300, 600]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_claim_after_several_roots_pays_the_whole_catch_up() {
    let pool = Pool::new(10_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let mut last = None;
    for (epoch, (a, b)) in [(100, 10), (250, 20), (475, 30), (800, 45)]
        .into_iter()
        .enumerate()
    {
        let tree = pool.tree(&[(&alice, a), (&bob, b)]);
        pool.post(&tree, epoch as u64 + 1).await;
        if epoch == 1 {
            pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
        }
        last = Some(tree);
    }
    let last = last.unwrap();
    // Bob never claimed: one claim pays all four epochs; alice gets what
    // she earned since epoch 2.
    pool.claim(&bob, &bob_tokens, &last).await.unwrap();
    assert_eq!(pool.balance(&bob_tokens).await, 45);
    assert_eq!(pool.balance(&alice_tokens).await, 250);
    pool.claim(&alice, &alice_tokens, &last).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, pool.vault]).await,
        [800, 45, 9_155]
    );
    assert_eq!((pool.claimed(0).await, pool.claimed(1).await), (800, 45));
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.total_claimed, d.cumulative_total),
        (4, 845, 845)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_for_another_distributor_is_rejected() {
    let pool = Pool::new(1_000).await;
    let sibling = pool.sibling(1, 1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, _) = pool.recipient().await;
    let here = pool.tree(&[(&alice, 100), (&bob, 200)]);
    // Pool 1: same recipients, alice earns more there.
    let there = tree_of(&sibling.distributor, &[(&alice, 600), (&bob, 200)]);
    pool.post(&here, 1).await;
    pool.post(&there, 1).await;

    // Pool 1's leaf and proof presented to pool 0.
    let ix = rewards::claim(
        &alice.pubkey(),
        &pool.distributor,
        &alice_tokens,
        args_of(&there, &alice.pubkey()),
    );
    let before = pool
        .snapshot(&[alice_tokens, sibling.distributor, sibling.vault])
        .await;
    assert_error(
        pool.env.send(&[ix], &[&alice]).await,
        RewardsError::InvalidProof,
    );
    pool.assert_unchanged(&before).await;

    // Even with pool 1's very root posted to pool 0, the leaf names pool 1.
    let ix = rewards::post_root(
        &pool.oracle.pubkey(),
        &pool.env.network,
        &pool.distributor,
        there.post_root_args(2),
    );
    pool.env.send(&[ix], &[&pool.oracle]).await.unwrap();
    assert_eq!(pool.state().await.root, there.root());
    let ix = rewards::claim(
        &alice.pubkey(),
        &pool.distributor,
        &alice_tokens,
        args_of(&there, &alice.pubkey()),
    );
    assert_error(
        pool.env.send(&[ix], &[&alice]).await,
        RewardsError::InvalidProof,
    );
    assert_eq!(
        pool.balances(&[alice_tokens, pool.vault, sibling.vault])
            .await,
        [0, 1_000, 1_000]
    );
    assert_eq!(pool.claimed(0).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_with_a_wrong_amount_index_or_recipient_are_rejected() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let (mallory, mallory_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 300), (&bob, 200)]);
    pool.post(&tree, 1).await;
    let alice_args = args_of(&tree, &alice.pubkey());
    let with = |change: &dyn Fn(&mut ClaimArgs)| {
        let mut args = alice_args.clone();
        change(&mut args);
        args
    };
    let before = pool
        .snapshot(&[alice_tokens, bob_tokens, mallory_tokens])
        .await;
    let attempts: Vec<(&Keypair, Pubkey, ClaimArgs)> = vec![
        // More, or less, than her leaf.
        (&alice, alice_tokens, with(&|a| a.cumulative_amount += 1)),
        (&alice, alice_tokens, with(&|a| a.cumulative_amount -= 1)),
        // Her leaf at bob's index (and slot).
        (&alice, alice_tokens, with(&|a| a.index = 1)),
        // Her proof with bob's amount.
        (&alice, alice_tokens, with(&|a| a.cumulative_amount = 200)),
        // Mallory signs with alice's leaf and proof.
        (&mallory, mallory_tokens, alice_args.clone()),
        (&mallory, alice_tokens, alice_args.clone()),
        // Mallory with bob's.
        (&mallory, mallory_tokens, args_of(&tree, &bob.pubkey())),
        // A tampered sibling.
        (&alice, alice_tokens, with(&|a| a.proof[0][0] ^= 1)),
        // Proofs cut short or padded.
        (&alice, alice_tokens, with(&|a| a.proof.clear())),
        (&alice, alice_tokens, with(&|a| a.proof.push([0; 32]))),
    ];
    for (signer, destination, args) in attempts {
        let ix = rewards::claim(&signer.pubkey(), &pool.distributor, &destination, args);
        assert_error(
            pool.env.send(&[ix], &[signer]).await,
            RewardsError::InvalidProof,
        );
    }
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.state().await.total_claimed, 0);

    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, mallory_tokens]).await,
        [300, 0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_longer_than_32_levels_is_rejected() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let before = pool.snapshot(&[alice_tokens]).await;
    for (len, error) in [
        (MAX_PROOF_LEN + 1, RewardsError::ProofTooLong),
        (MAX_PROOF_LEN, RewardsError::InvalidProof),
    ] {
        let args = ClaimArgs {
            index: 0,
            cumulative_amount: 100,
            proof: vec![[7; 32]; len],
        };
        // Over a legacy transaction's size: sent without the recipient's
        // signature, pushed by the crank.
        let ix = rewards::push_claim(&pool.distributor, &alice.pubkey(), &alice_tokens, args);
        assert_error(pool.env.send(&[ix], &[]).await, error);
    }
    pool.assert_unchanged(&before).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaf_index_beyond_the_roots_recipient_count_is_rejected() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let (carol, carol_tokens) = pool.recipient().await;
    // The tree holds three leaves but the root is posted for two: carol's
    // (valid) proof is for an index the root does not cover.
    let tree = pool.tree(&[(&alice, 100), (&bob, 200), (&carol, 300)]);
    let mut args = tree.post_root_args(1);
    args.recipient_count = 2;
    let ix = rewards::post_root(
        &pool.oracle.pubkey(),
        &pool.env.network,
        &pool.distributor,
        args,
    );
    pool.env.send(&[ix], &[&pool.oracle]).await.unwrap();

    let before = pool.snapshot(&[carol_tokens]).await;
    assert_error(
        pool.claim(&carol, &carol_tokens, &tree).await,
        RewardsError::InvalidProof,
    );
    // The padding position of a three-leaf tree.
    let padding = ClaimArgs {
        index: 3,
        cumulative_amount: 0,
        proof: args_of(&tree, &alice.pubkey()).proof,
    };
    let ix = rewards::claim(&carol.pubkey(), &pool.distributor, &carol_tokens, padding);
    assert_error(
        pool.env.send(&[ix], &[&carol]).await,
        RewardsError::InvalidProof,
    );
    pool.assert_unchanged(&before).await;

    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    pool.claim(&bob, &bob_tokens, &tree).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, carol_tokens])
            .await,
        [100, 200, 0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_beyond_the_roots_declared_total_are_refused() {
    let pool = Pool::new(250).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    // A faulty oracle declares 250 for leaves worth 300.
    let tree = pool.tree(&[(&alice, 100), (&bob, 200)]);
    let mut args = tree.post_root_args(1);
    args.cumulative_total = 250;
    let ix = rewards::post_root(
        &pool.oracle.pubkey(),
        &pool.env.network,
        &pool.distributor,
        args,
    );
    pool.env.send(&[ix], &[&pool.oracle]).await.unwrap();
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();

    let before = pool.snapshot(&[bob_tokens]).await;
    assert_error(
        pool.claim(&bob, &bob_tokens, &tree).await,
        RewardsError::ClaimExceedsTotal,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, pool.vault]).await,
        [100, 0, 150]
    );
    assert_eq!(pool.state().await.total_claimed, 100);
}

/// A pool with two ledger pages and a root of 1,025 leaves: `first` at
/// index 0 (page 0) and `last` at index 1024 (page 1).
async fn two_page_pool() -> (Pool, RewardTree, (Keypair, Pubkey), (Keypair, Pubkey)) {
    let pool = Pool::new(10_000).await;
    pool.add_page(1).await;
    let first = pool.recipient().await;
    let last = pool.recipient().await;
    let mut entries = vec![(first.0.pubkey(), 11)];
    entries.extend((1..LEDGER_PAGE_SIZE).map(|_| (Pubkey::new_unique(), 1)));
    entries.push((last.0.pubkey(), 22));
    let tree = RewardTree::new(pool.distributor, entries);
    pool.post(&tree, 1).await;
    (pool, tree, first, last)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_must_present_the_ledger_page_of_its_index() {
    let (pool, tree, (first, first_tokens), (last, last_tokens)) = two_page_pool().await;
    let (page0, page1) = (pool.page_address(0), pool.page_address(1));
    let before = pool.snapshot(&[page1, first_tokens, last_tokens]).await;
    let ix = substitute(Pool::claim_ix(&first, &first_tokens, &tree), &page0, &page1);
    assert_error(
        pool.env.send(&[ix], &[&first]).await,
        RewardsError::WrongLedgerPage,
    );
    let ix = substitute(Pool::claim_ix(&last, &last_tokens, &tree), &page1, &page0);
    assert_error(
        pool.env.send(&[ix], &[&last]).await,
        RewardsError::WrongLedgerPage,
    );
    let ix = substitute(
        Pool::push_ix(&last.pubkey(), &last_tokens, &tree),
        &page1,
        &page0,
    );
    assert_error(
        pool.env.send(&[ix], &[]).await,
        RewardsError::WrongLedgerPage,
    );
    pool.assert_unchanged(&before).await;

    pool.claim(&first, &first_tokens, &tree).await.unwrap();
    pool.claim(&last, &last_tokens, &tree).await.unwrap();
    assert_eq!(pool.balances(&[first_tokens, last_tokens]).await, [11, 22]);
    assert_eq!((pool.claimed(0).await, pool.claimed(1024).await), (11, 22));
    assert_eq!(pool.ledger(1).await.claimed[0], 22);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ledger_page_of_another_distributor_is_rejected() {
    let pool = Pool::new(1_000).await;
    let sibling = pool.sibling(1, 1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let foreign_page = depin_rewards::pda::ledger(&sibling.distributor, 0).0;
    let ix = substitute(
        Pool::claim_ix(&alice, &alice_tokens, &tree),
        &pool.page_address(0),
        &foreign_page,
    );
    let before = pool.snapshot(&[foreign_page, alice_tokens]).await;
    assert_error(
        pool.env.send(&[ix], &[&alice]).await,
        RewardsError::WrongLedgerPage,
    );
    pool.assert_unchanged(&before).await;

    // Another account type in the ledger's place.
    let ix = substitute(
        Pool::claim_ix(&alice, &alice_tokens, &tree),
        &pool.page_address(0),
        &sibling.distributor,
    );
    assert_error(
        pool.env.send(&[ix], &[&alice]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balance(&alice_tokens).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_from_a_vault_that_is_not_the_distributors_is_rejected() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    // A token account of the same mint, owned (and so signable) by the
    // distributor PDA, holding tokens someone else put there.
    let decoy = pool.token_account(&pool.distributor).await;
    pool.env
        .send(
            &[crate::fixture::transfer_ix(
                &pool.funding,
                &decoy,
                &pool.env.admin.pubkey(),
                500,
            )],
            &[&pool.env.admin],
        )
        .await
        .unwrap();
    let before = pool.snapshot(&[decoy, alice_tokens]).await;
    for wrong in [decoy, pool.funding] {
        let ix = substitute(
            Pool::claim_ix(&alice, &alice_tokens, &tree),
            &pool.vault,
            &wrong,
        );
        assert_error(
            pool.env.send(&[ix], &[&alice]).await,
            RewardsError::WrongVault,
        );
        let ix = substitute(
            Pool::push_ix(&alice.pubkey(), &alice_tokens, &tree),
            &pool.vault,
            &wrong,
        );
        assert_error(pool.env.send(&[ix], &[]).await, RewardsError::WrongVault);
    }
    pool.assert_unchanged(&before).await;
    assert_eq!(
        pool.balances(&[decoy, alice_tokens, pool.vault]).await,
        [500, 0, 1_000]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_into_the_vault_itself_is_rejected() {
    let pool = Pool::new(1_000).await;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let before = pool.snapshot(&[]).await;
    assert_error(
        pool.claim(&alice, &pool.vault, &tree).await,
        RewardsError::WrongVault,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.claimed(0).await, 0);
    assert_eq!(pool.state().await.total_claimed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_into_an_account_of_another_mint_fails_and_moves_nothing() {
    let pool = Pool::new(1_000).await;
    let env = &pool.env;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let foreign = pool.account_of(&env.reward_mint, &alice.pubkey()).await;
    let before = pool.snapshot(&[foreign]).await;
    // The token program refuses the transfer; the ledger write goes with it.
    let result = pool.claim(&alice, &foreign, &tree).await;
    assert_error(result, TokenError::MintMismatch as u32);
    let result = pool.push(&alice.pubkey(), &foreign, &tree).await;
    assert_error(result, TokenError::MintMismatch as u32);
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.claimed(0).await, 0);
    assert_eq!(token::balance(&env.cluster, &foreign).await.unwrap(), 0);
    assert_eq!(pool.balance(&pool.vault).await, 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_requires_the_recipients_signature() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let ix = unsign(
        Pool::claim_ix(&alice, &alice_tokens, &tree),
        &alice.pubkey(),
    );
    let before = pool.snapshot(&[alice_tokens]).await;
    assert_error(
        pool.env.send(&[ix], &[]).await,
        AnchorError::AccountNotSigner,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balance(&alice_tokens).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_are_refused_while_paused() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let admin = &pool.env.admin;
    let pause = rewards::set_paused(&admin.pubkey(), &pool.env.network, &pool.distributor, true);
    pool.env.send(&[pause], &[admin]).await.unwrap();

    let before = pool.snapshot(&[alice_tokens]).await;
    assert_error(
        pool.claim(&alice, &alice_tokens, &tree).await,
        RewardsError::Paused,
    );
    assert_error(
        pool.push(&alice.pubkey(), &alice_tokens, &tree).await,
        RewardsError::Paused,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [0, 1_000]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_stop_at_the_expiry() {
    let pool = Pool::expiring_in(1_000, 86_400).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100), (&bob, 200)]);
    pool.post(&tree, 1).await;
    // One second before the expiry claims still work.
    pool.env.cluster.advance_clock(86_399).await.unwrap();
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();

    pool.expire().await;
    let before = pool.snapshot(&[bob_tokens]).await;
    assert_error(
        pool.claim(&bob, &bob_tokens, &tree).await,
        RewardsError::Expired,
    );
    assert_error(
        pool.push(&bob.pubkey(), &bob_tokens, &tree).await,
        RewardsError::Expired,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, pool.vault]).await,
        [100, 0, 900]
    );
    assert_eq!(pool.claimed(1).await, 0);
}
