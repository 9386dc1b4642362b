//! The challenge period: `activate_root` (anyone, once an approved root has
//! waited it out) and `veto_root` (an admin, before that).

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::rewards::{self, ProposalStatus};
use depin_client::Signer;
use depin_registry::state::permission;
use depin_rewards::errors::RewardsError;
use depin_rewards::state::LEDGER_PAGE_SIZE;
use depin_tests::*;

use crate::fixture::{self, approvals, Pool};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_root_activates_after_the_period_and_the_old_root_stays_claimable_meanwhile() {
    let pool = Pool::guarded(10_000, approvals(1, 3_600)).await;
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let first = pool.tree(&[(&alice, 100), (&bob, 200)]);
    pool.post(&first, 1).await;
    let p = pool.proposal().await;
    assert_eq!(p.status, ProposalStatus::Approved);
    assert_eq!(rewards::activates_at(&p), Some(p.approved_at + 3_600));
    assert_eq!(pool.state().await.epoch, 0);
    pool.wait(3_600).await;
    // No signer: anyone may activate.
    let ix = rewards::activate_root(&pool.distributor);
    assert!(ix.accounts.iter().all(|meta| !meta.is_signer));
    pool.env.send(&[ix], &[]).await.unwrap();
    assert_eq!(pool.state().await.root, first.root());
    pool.claim(&alice, &alice_tokens, &first).await.unwrap();

    // The next root waits out its period; the first one pays meanwhile.
    let second = pool.tree(&[(&alice, 150), (&bob, 260)]);
    pool.post(&second, 2).await;
    let approved_at = pool.proposal().await.approved_at;
    pool.wait(3_599).await;
    pool.claim(&bob, &bob_tokens, &first).await.unwrap();
    assert_error(
        pool.claim(&alice, &alice_tokens, &second).await,
        RewardsError::InvalidProof,
    );
    let before = pool.snapshot(&[]).await;
    assert_error(pool.activate().await, RewardsError::ChallengePeriodActive);
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.now().await, approved_at + 3_599);

    pool.wait(1).await;
    pool.activate().await.unwrap();
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.root, d.cumulative_total),
        (2, second.root(), 410)
    );
    assert_eq!(pool.proposal().await.status, ProposalStatus::Activated);
    assert_error(
        pool.claim(&bob, &bob_tokens, &first).await,
        RewardsError::InvalidProof,
    );
    pool.claim(&alice, &alice_tokens, &second).await.unwrap();
    pool.claim(&bob, &bob_tokens, &second).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, pool.vault]).await,
        [150, 260, 10_000 - 410]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activate_root_needs_an_approved_unvetoed_unactivated_proposal() {
    let pool = Pool::guarded(1_000, approvals(2, 60)).await;
    let second = pool.oracles(1).await.remove(0);
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    let before = pool.snapshot(&[]).await;
    assert_error(pool.activate().await, RewardsError::NoProposal);
    pool.assert_unchanged(&before).await;

    // One approval of two, however long it waits.
    pool.approve(&pool.oracle, &tree, 1).await.unwrap();
    pool.wait(86_400).await;
    let before = pool.snapshot(&[]).await;
    assert_error(pool.activate().await, RewardsError::NotFullyApproved);
    pool.assert_unchanged(&before).await;

    // Approved, then vetoed.
    pool.approve(&second, &tree, 1).await.unwrap();
    pool.veto().await.unwrap();
    pool.wait(60).await;
    let before = pool.snapshot(&[]).await;
    assert_error(pool.activate().await, RewardsError::RootVetoed);
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.state().await.epoch, 0);

    // Approved again from scratch, activated once.
    pool.approve(&second, &tree, 1).await.unwrap();
    pool.approve(&pool.oracle, &tree, 1).await.unwrap();
    pool.wait(60).await;
    pool.activate().await.unwrap();
    let before = pool.snapshot(&[]).await;
    assert_error(pool.activate().await, RewardsError::AlreadyActivated);
    pool.assert_unchanged(&before).await;
    let p = pool.proposal().await;
    assert_eq!((p.sequence, p.status), (2, ProposalStatus::Activated));
    assert_eq!(pool.state().await.root, tree.root());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activation_checks_funding_and_ledger_pages_at_that_moment() {
    let pool = Pool::guarded(100, approvals(1, 60)).await;
    let (alice, alice_tokens) = pool.recipient().await;
    // Approval does not need the funds yet: the treasury can fund what the
    // oracles approved during the challenge period.
    let tree = pool.tree(&[(&alice, 150)]);
    pool.post(&tree, 1).await;
    pool.wait(60).await;
    let before = pool.snapshot(&[]).await;
    assert_error(pool.activate().await, RewardsError::RootUnfunded);
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.proposal().await.status, ProposalStatus::Approved);
    pool.fund(50).await;
    pool.activate().await.unwrap();
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [150, 0]);

    // A root of 1,025 leaves needs a second ledger page.
    pool.fund(2_000).await;
    let mut entries: Vec<_> = (0..LEDGER_PAGE_SIZE)
        .map(|_| (depin_client::Pubkey::new_unique(), 1))
        .collect();
    entries[0] = (alice.pubkey(), 150);
    entries.push((depin_client::Pubkey::new_unique(), 1));
    let big = depin_client::rewards::RewardTree::new(pool.distributor, entries);
    pool.post(&big, 2).await;
    pool.wait(60).await;
    let before = pool.snapshot(&[]).await;
    assert_error(pool.activate().await, RewardsError::LedgerTooSmall);
    pool.assert_unchanged(&before).await;
    pool.add_page(1).await;
    pool.activate().await.unwrap();
    let d = pool.state().await;
    assert_eq!((d.epoch, d.recipient_count), (2, 1_025));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activation_after_the_expiry_or_the_clawback_fails() {
    let pool = Pool::open(1_000, Some(7_200), approvals(1, 3_600)).await;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.wait(4_000).await;
    pool.post(&tree, 1).await;
    // The period ends after the expiry: the root can never activate.
    assert!(pool.proposal().await.claimable_at() > pool.state().await.expires_at);
    pool.expire().await;
    let before = pool.snapshot(&[pool.treasury]).await;
    assert_error(pool.activate().await, RewardsError::Expired);
    pool.assert_unchanged(&before).await;
    pool.env
        .send(&[rewards::clawback(&pool.distributor, &pool.treasury)], &[])
        .await
        .unwrap();
    let before = pool.snapshot(&[pool.treasury]).await;
    assert_error(pool.activate().await, RewardsError::AlreadyClawedBack);
    pool.assert_unchanged(&before).await;
    assert_eq!(
        pool.balances(&[pool.vault, pool.treasury]).await,
        [0, 1_000]
    );
    assert_eq!(pool.state().await.epoch, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activate_root_rejects_substituted_accounts() {
    let pool = Pool::guarded(100, approvals(1, 60)).await;
    let sibling = pool.sibling(1, 5_000).await;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 1_000)]);
    pool.post(&tree, 1).await;
    pool.wait(60).await;
    let ix = rewards::activate_root(&pool.distributor);
    let foreign = depin_rewards::pda::root_proposal(&sibling.distributor).0;
    let before = pool
        .snapshot(&[pool.funding, sibling.distributor, foreign])
        .await;

    // A fuller token account posing as the vault would make it look funded.
    for wrong in [pool.funding, sibling.vault] {
        assert_error(
            pool.env
                .send(&[substitute(ix.clone(), &pool.vault, &wrong)], &[])
                .await,
            RewardsError::WrongVault,
        );
    }
    // The sibling with its own vault but this proposal, and this
    // distributor with the sibling's proposal.
    let swapped = substitute(
        substitute(ix.clone(), &pool.distributor, &sibling.distributor),
        &pool.vault,
        &sibling.vault,
    );
    assert_error(
        pool.env.send(&[swapped], &[]).await,
        RewardsError::WrongProposal,
    );
    assert_error(
        pool.env
            .send(
                &[substitute(ix.clone(), &pool.proposal_address(), &foreign)],
                &[],
            )
            .await,
        RewardsError::WrongProposal,
    );
    assert_rejects_cosplay(
        &pool.env,
        &ix,
        &pool.proposal_address(),
        &sibling.distributor,
        &[],
    )
    .await;
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.state_of(&sibling.distributor).await.epoch, 0);

    pool.fund(900).await;
    pool.env.send(&[ix], &[]).await.unwrap();
    assert_eq!(pool.state().await.root, tree.root());
}

// ---- veto_root ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn veto_root_requires_the_admin_permission() {
    let pool = Pool::guarded(1_000, approvals(1, 3_600)).await;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let before = pool.snapshot(&[]).await;
    fixture::assert_requires_permission(
        &pool.env,
        |authority| pool.veto_ix(authority),
        permission::ADMIN,
    )
    .await;
    // An oracle cannot veto a root either (not even its own).
    assert_error(
        pool.env
            .send(&[pool.veto_ix(&pool.oracle.pubkey())], &[&pool.oracle])
            .await,
        depin_registry::errors::RegistryError::MissingPermission,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.proposal().await.status, ProposalStatus::Approved);

    // A member holding only ADMIN may.
    let admin = pool.env.member(permission::ADMIN).await;
    pool.env
        .send(&[pool.veto_ix(&admin.pubkey())], &[&admin])
        .await
        .unwrap();
    assert_eq!(pool.proposal().await.status, ProposalStatus::Vetoed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_veto_stops_a_pending_or_approved_root_and_the_oracles_start_over() {
    let pool = Pool::guarded(1_000, approvals(2, 600)).await;
    let second = pool.oracles(1).await.remove(0);
    let (alice, alice_tokens) = pool.recipient().await;
    let first = pool.tree(&[(&alice, 100)]);
    pool.approve(&pool.oracle, &first, 1).await.unwrap();
    pool.approve(&second, &first, 1).await.unwrap();
    pool.wait(600).await;
    pool.activate().await.unwrap();

    // A pending proposal can be vetoed.
    let next = pool.tree(&[(&alice, 300)]);
    pool.approve(&pool.oracle, &next, 2).await.unwrap();
    pool.veto().await.unwrap();
    let p = pool.proposal().await;
    assert_eq!((p.sequence, p.status), (2, ProposalStatus::Vetoed));

    // So can an approved one, within its period; the current root pays on.
    pool.approve(&pool.oracle, &next, 2).await.unwrap();
    pool.approve(&second, &next, 2).await.unwrap();
    pool.wait(599).await;
    pool.veto().await.unwrap();
    let p = pool.proposal().await;
    assert_eq!((p.sequence, p.status), (3, ProposalStatus::Vetoed));
    pool.wait(1).await;
    assert_error(pool.activate().await, RewardsError::RootVetoed);
    pool.claim(&alice, &alice_tokens, &first).await.unwrap();
    assert_error(
        pool.claim(&alice, &alice_tokens, &next).await,
        RewardsError::InvalidProof,
    );
    let d = pool.state().await;
    assert_eq!((d.epoch, d.root), (1, first.root()));

    // Nothing left to veto.
    let before = pool.snapshot(&[]).await;
    assert_error(pool.veto().await, RewardsError::RootVetoed);
    pool.assert_unchanged(&before).await;

    // The same root again needs both approvals and the whole period anew.
    pool.approve(&second, &next, 2).await.unwrap();
    let p = pool.proposal().await;
    assert_eq!(
        (p.sequence, p.status, p.approval_count),
        (4, ProposalStatus::Pending, 1)
    );
    pool.approve(&pool.oracle, &next, 2).await.unwrap();
    pool.wait(599).await;
    assert_error(pool.activate().await, RewardsError::ChallengePeriodActive);
    pool.wait(1).await;
    pool.activate().await.unwrap();
    assert_error(pool.veto().await, RewardsError::AlreadyActivated);
    pool.claim(&alice, &alice_tokens, &next).await.unwrap();
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [300, 700]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn veto_root_with_nothing_proposed_or_a_substituted_proposal_fails() {
    let pool = Pool::guarded(1_000, approvals(1, 600)).await;
    let sibling = pool.sibling(1, 0).await;
    let admin = &pool.env.admin;
    let before = pool.snapshot(&[]).await;
    assert_error(pool.veto().await, RewardsError::NoProposal);
    pool.assert_unchanged(&before).await;

    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100)]);
    pool.post(&tree, 1).await;
    let foreign = depin_rewards::pda::root_proposal(&sibling.distributor).0;
    let ix = substitute(
        pool.veto_ix(&admin.pubkey()),
        &pool.proposal_address(),
        &foreign,
    );
    let before = pool.snapshot(&[foreign]).await;
    assert_error(
        pool.env.send(&[ix], &[admin]).await,
        RewardsError::WrongProposal,
    );
    assert_rejects_cosplay(
        &pool.env,
        &pool.veto_ix(&admin.pubkey()),
        &pool.proposal_address(),
        &sibling.distributor,
        &[admin],
    )
    .await;
    assert_error(
        pool.env
            .send(
                &[unsign(pool.veto_ix(&admin.pubkey()), &admin.pubkey())],
                &[],
            )
            .await,
        AnchorError::AccountNotSigner,
    );
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.proposal().await.status, ProposalStatus::Approved);
}
