//! `push_claim`: anyone (the crank) pays a recipient into a token account
//! the recipient owns, without its signature; and batches of claims in one
//! transaction.

use depin_client::rewards;
use depin_client::Signer;
use depin_rewards::errors::RewardsError;
use depin_tests::*;

use crate::fixture::{args_of, tree_of, Pool};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_claim_pays_the_recipients_own_account_without_its_signature() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, _) = pool.recipient().await;
    let first = pool.tree(&[(&alice, 120), (&bob, 80)]);
    pool.post(&first, 1).await;

    // The instruction has no signer at all: the fee payer alone signs.
    let ix = Pool::push_ix(&alice.pubkey(), &alice_tokens, &first);
    assert!(ix.accounts.iter().all(|meta| !meta.is_signer));
    let alice_lamports = pool.env.lamports(&alice.pubkey()).await;
    pool.env.send(&[ix], &[]).await.unwrap();
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [120, 880]);
    assert_eq!(pool.claimed(0).await, 120);
    // Alice paid nothing, not even a fee.
    assert_eq!(pool.env.lamports(&alice.pubkey()).await, alice_lamports);

    // Pushes and claims share the ledger: a later claim pays the rest.
    let second = pool.tree(&[(&alice, 200), (&bob, 80)]);
    pool.post(&second, 2).await;
    pool.claim(&alice, &alice_tokens, &second).await.unwrap();
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [200, 800]);
    assert_eq!(pool.state().await.total_claimed, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_claim_to_an_account_owned_by_someone_else_is_rejected() {
    let pool = Pool::new(1_000).await;
    let (alice, _) = pool.recipient().await;
    let (_, mallory_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let before = pool.snapshot(&[mallory_tokens, pool.treasury]).await;
    for wrong in [mallory_tokens, pool.treasury] {
        assert_error(
            pool.push(&alice.pubkey(), &wrong, &tree).await,
            RewardsError::DestinationNotRecipients,
        );
    }
    // Nor the vault (owned by the distributor).
    assert_error(
        pool.push(&alice.pubkey(), &pool.vault, &tree).await,
        RewardsError::DestinationNotRecipients,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.claimed(0).await, 0);
    assert_eq!(pool.balance(&mallory_tokens).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_claim_to_an_account_that_is_no_token_account_is_rejected() {
    let pool = Pool::new(1_000).await;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let before = pool.snapshot(&[alice.pubkey()]).await;
    // Alice's wallet (system-owned), the mint (token-owned but no account),
    // a rewards-program account, and an address with no account at all.
    let nothing = depin_client::Keypair::new().pubkey();
    for wrong in [alice.pubkey(), pool.mint, pool.distributor, nothing] {
        assert_error(
            pool.push(&alice.pubkey(), &wrong, &tree).await,
            RewardsError::DestinationNotRecipients,
        );
    }
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.claimed(0).await, 0);
    assert_eq!(pool.balance(&pool.vault).await, 1_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_claim_for_a_recipient_without_a_leaf_is_rejected() {
    let pool = Pool::new(1_000).await;
    let (alice, _) = pool.recipient().await;
    let (mallory, mallory_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    // Alice's leaf and proof, pushed to mallory (named as the recipient).
    let ix = rewards::push_claim(
        &pool.distributor,
        &mallory.pubkey(),
        &mallory_tokens,
        args_of(&tree, &alice.pubkey()),
    );
    let before = pool.snapshot(&[mallory_tokens]).await;
    assert_error(pool.env.send(&[ix], &[]).await, RewardsError::InvalidProof);
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balance(&mallory_tokens).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_push_claim_pays_nothing_and_fails() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    pool.push(&alice.pubkey(), &alice_tokens, &tree)
        .await
        .unwrap();
    let before = pool.snapshot(&[alice_tokens]).await;
    assert_error(
        pool.push(&alice.pubkey(), &alice_tokens, &tree).await,
        RewardsError::NothingToClaim,
    );
    assert_error(
        pool.claim(&alice, &alice_tokens, &tree).await,
        RewardsError::NothingToClaim,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [100, 900]);
    assert_eq!(pool.state().await.total_claimed, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_claims_of_three_recipients_in_one_transaction() {
    let pool = Pool::new(1_000).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let (carol, carol_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100), (&bob, 200), (&carol, 300)]);
    pool.post(&tree, 1).await;
    let batch = [
        Pool::push_ix(&alice.pubkey(), &alice_tokens, &tree),
        Pool::push_ix(&bob.pubkey(), &bob_tokens, &tree),
        Pool::push_ix(&carol.pubkey(), &carol_tokens, &tree),
    ];
    pool.env.send(&batch, &[]).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, carol_tokens, pool.vault])
            .await,
        [100, 200, 300, 400]
    );
    let claimed = [
        pool.claimed(0).await,
        pool.claimed(1).await,
        pool.claimed(2).await,
    ];
    assert_eq!(claimed, [100, 200, 300]);
    assert_eq!(pool.state().await.total_claimed, 600);

    // A batch with one bad push (carol again) fails as a whole.
    let next = pool.tree(&[(&alice, 150), (&bob, 260), (&carol, 300)]);
    pool.post(&next, 2).await;
    let batch = [
        Pool::push_ix(&alice.pubkey(), &alice_tokens, &next),
        Pool::push_ix(&bob.pubkey(), &bob_tokens, &next),
        Pool::push_ix(&carol.pubkey(), &carol_tokens, &next),
    ];
    let before = pool
        .snapshot(&[alice_tokens, bob_tokens, carol_tokens])
        .await;
    assert_error(
        pool.env.send(&batch, &[]).await,
        RewardsError::NothingToClaim,
    );
    pool.assert_unchanged(&before).await;
    pool.env.send(&batch[..2], &[]).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, carol_tokens, pool.vault])
            .await,
        [150, 260, 300, 290]
    );
    assert_eq!(pool.state().await.total_claimed, 710);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_recipient_claims_from_two_pools_in_one_transaction() {
    let pool = Pool::new(1_000).await;
    let sibling = pool.sibling(1, 500).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let here = pool.tree(&[(&alice, 100), (&bob, 40)]);
    let there = tree_of(&sibling.distributor, &[(&bob, 10), (&alice, 250)]);
    pool.post(&here, 1).await;
    pool.post(&there, 1).await;

    let both = [
        Pool::claim_ix(&alice, &alice_tokens, &here),
        Pool::claim_ix(&alice, &alice_tokens, &there),
    ];
    pool.env.send(&both, &[&alice]).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, pool.vault, sibling.vault])
            .await,
        [350, 900, 250]
    );
    // Each distributor keeps its own ledger: alice is leaf 0 here, 1 there.
    assert_eq!(pool.claimed(0).await, 100);
    assert_eq!(pool.claimed_in(&sibling.distributor, 1).await, 250);
    assert_eq!(pool.claimed_in(&sibling.distributor, 0).await, 0);
    assert_eq!(pool.state().await.total_claimed, 100);
    assert_eq!(pool.state_of(&sibling.distributor).await.total_claimed, 250);

    // Bob's two pushes in one transaction too.
    let both = [
        Pool::push_ix(&bob.pubkey(), &bob_tokens, &here),
        Pool::push_ix(&bob.pubkey(), &bob_tokens, &there),
    ];
    pool.env.send(&both, &[]).await.unwrap();
    assert_eq!(
        pool.balances(&[bob_tokens, pool.vault, sibling.vault])
            .await,
        [50, 860, 240]
    );
}
