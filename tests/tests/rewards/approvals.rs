//! `post_root` under m-of-n approval: a root becomes the distributor's root
//! only when enough distinct oracle members approved the same (epoch, root,
//! total, recipient count).

use anchor_lang::error::ErrorCode as AnchorError;
use depin_client::rewards::{self, ProposalStatus};
use depin_client::Signer;
use depin_registry::errors::RegistryError;
use depin_registry::state::permission;
use depin_rewards::errors::RewardsError;
use depin_tests::*;

use crate::fixture::{approvals, Pool};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_required_a_root_activates_on_the_second_distinct_approval() {
    let pool = Pool::guarded(1_000, approvals(2, 0)).await;
    let second = pool.oracles(1).await.remove(0);
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 100), (&bob, 250)]);

    // The first post opens a proposal: nothing is claimable yet.
    let untouched = [
        pool.distributor,
        pool.vault,
        pool.page_address(0),
        alice_tokens,
    ];
    let before = snapshot(&pool.env, &untouched).await;
    pool.approve(&pool.oracle, &tree, 1).await.unwrap();
    let p = pool.proposal().await;
    assert_eq!(
        (p.sequence, p.status, p.content, p.approvers()),
        (
            1,
            ProposalStatus::Pending,
            tree.content(1),
            &[pool.oracle.pubkey()][..]
        )
    );
    assert_eq!((p.approvals_needed, p.challenge_period), (2, 0));
    let d = pool.state().await;
    assert_eq!((d.epoch, d.root, d.cumulative_total), (0, [0; 32], 0));
    assert_error(
        pool.claim(&alice, &alice_tokens, &tree).await,
        RewardsError::InvalidProof,
    );
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [0, 1_000]);
    before.assert_unchanged(&pool.env).await;

    // The second oracle approves the very same root: it activates.
    let now = pool.now().await;
    pool.approve(&second, &tree, 1).await.unwrap();
    let p = pool.proposal().await;
    assert_eq!(p.status, ProposalStatus::Activated);
    assert_eq!(p.approvers(), &[pool.oracle.pubkey(), second.pubkey()]);
    assert_eq!((p.approval_count, p.approved_at), (2, now));
    let d = pool.state().await;
    assert_eq!(
        (d.epoch, d.root, d.cumulative_total, d.recipient_count),
        (1, tree.root(), 350, 2)
    );
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [100, 900]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_oracle_approving_twice_is_refused() {
    let pool = Pool::guarded(1_000, approvals(2, 0)).await;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 900)]);
    pool.approve(&pool.oracle, &tree, 1).await.unwrap();

    let before = pool.snapshot(&[]).await;
    assert_error(
        pool.approve(&pool.oracle, &tree, 1).await,
        RewardsError::DuplicateApproval,
    );
    // Twice in one transaction too.
    let ix = pool.approve_ix(&pool.oracle.pubkey(), &tree, 1);
    assert_error(
        pool.env.send(&[ix.clone(), ix], &[&pool.oracle]).await,
        RewardsError::DuplicateApproval,
    );
    pool.assert_unchanged(&before).await;
    let p = pool.proposal().await;
    assert_eq!((p.status, p.approval_count), (ProposalStatus::Pending, 1));
    assert_eq!(pool.state().await.epoch, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_different_root_replaces_a_pending_proposal_but_never_an_approved_one() {
    let pool = Pool::guarded(10_000, approvals(2, 3_600)).await;
    let oracles = pool.oracles(2).await;
    let (honest_b, honest_c) = (&oracles[0], &oracles[1]);
    let (alice, _) = pool.recipient().await;
    let (mallory, _) = pool.recipient().await;
    let good = pool.tree(&[(&alice, 300), (&mallory, 0)]);
    let bad = pool.tree(&[(&alice, 300), (&mallory, 9_700)]);

    // A different root replaces a pending one, with its approvals.
    pool.approve(&pool.oracle, &bad, 1).await.unwrap();
    pool.approve(honest_b, &good, 1).await.unwrap();
    let p = pool.proposal().await;
    assert_eq!(
        (p.sequence, p.status, p.content.root, p.approvers()),
        (
            2,
            ProposalStatus::Pending,
            good.root(),
            &[honest_b.pubkey()][..]
        )
    );
    // So does a different epoch of the same tree.
    pool.approve(honest_c, &good, 2).await.unwrap();
    assert_eq!(
        (
            pool.proposal().await.sequence,
            pool.proposal().await.content.epoch
        ),
        (3, 2)
    );
    pool.approve(honest_b, &good, 2).await.unwrap();
    let p = pool.proposal().await;
    assert_eq!(
        (p.sequence, p.status, p.approvers()),
        (
            3,
            ProposalStatus::Approved,
            &[honest_c.pubkey(), honest_b.pubkey()][..]
        )
    );

    // Fully approved: nothing replaces it, and nobody adds to it.
    let before = pool.snapshot(&[]).await;
    assert_error(
        pool.approve(&pool.oracle, &bad, 2).await,
        RewardsError::RootAwaitingActivation,
    );
    assert_error(
        pool.approve(&pool.oracle, &bad, 3).await,
        RewardsError::RootAwaitingActivation,
    );
    assert_error(
        pool.approve(&pool.oracle, &good, 2).await,
        RewardsError::AlreadyFullyApproved,
    );
    assert_error(
        pool.approve(honest_b, &good, 2).await,
        RewardsError::DuplicateApproval,
    );
    pool.assert_unchanged(&before).await;

    pool.wait(3_600).await;
    pool.activate().await.unwrap();
    let d = pool.state().await;
    assert_eq!((d.epoch, d.root), (2, good.root()));
    assert_eq!(pool.proposal().await.status, ProposalStatus::Activated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_from_members_without_the_oracle_role_or_of_another_network_do_not_count() {
    let pool = Pool::guarded(1_000, approvals(2, 0)).await;
    let env = &pool.env;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 500)]);
    pool.approve(&pool.oracle, &tree, 1).await.unwrap();
    let before = pool.snapshot(&[]).await;

    // A member with every role but oracle.
    let almost = env.member(permission::ALL & !permission::ORACLE).await;
    assert_error(
        pool.approve(&almost, &tree, 1).await,
        RegistryError::MissingPermission,
    );
    // The admin of another network, which holds the oracle role there.
    let other = env.other_network().await;
    let admin = other.admin.pubkey();
    let ix = substitute(
        pool.approve_ix(&admin, &tree, 1),
        &member_record(&env.network, &admin),
        &member_record(&other.network, &admin),
    );
    assert_error(
        env.send(&[ix], &[&other.admin]).await,
        RegistryError::MemberNetworkMismatch,
    );
    // A wallet presenting the first oracle's record.
    let impostor = env.wallet().await;
    let ix = substitute(
        pool.approve_ix(&impostor.pubkey(), &tree, 1),
        &member_record(&env.network, &impostor.pubkey()),
        &member_record(&env.network, &pool.oracle.pubkey()),
    );
    assert_error(
        env.send(&[ix], &[&impostor]).await,
        RewardsError::MissingPermission,
    );
    // The second oracle's approval without its signature.
    let second = pool.oracles(1).await.remove(0);
    let ix = unsign(
        pool.approve_ix(&second.pubkey(), &tree, 1),
        &second.pubkey(),
    );
    assert_error(env.send(&[ix], &[]).await, AnchorError::AccountNotSigner);
    pool.assert_unchanged(&before).await;
    let p = pool.proposal().await;
    assert_eq!((p.status, p.approval_count), (ProposalStatus::Pending, 1));

    pool.approve(&second, &tree, 1).await.unwrap();
    assert_eq!(pool.state().await.root, tree.root());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_root_rejects_a_substituted_root_proposal() {
    let pool = Pool::guarded(1_000, approvals(2, 0)).await;
    let sibling = pool.sibling(1, 1_000).await;
    let (alice, _) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 500)]);
    pool.approve(&pool.oracle, &tree, 1).await.unwrap();
    let second = pool.oracles(1).await.remove(0);
    let foreign = depin_rewards::pda::root_proposal(&sibling.distributor).0;
    let before = pool.snapshot(&[foreign, sibling.distributor]).await;

    // The sibling's proposal (pool 1 activates on one approval): an
    // approval recorded there must not count here, nor the reverse.
    let ix = substitute(
        pool.approve_ix(&second.pubkey(), &tree, 1),
        &pool.proposal_address(),
        &foreign,
    );
    assert_error(
        pool.env.send(&[ix], &[&second]).await,
        RewardsError::WrongProposal,
    );
    // Another account type, and an account of no program.
    let ix = substitute(
        pool.approve_ix(&second.pubkey(), &tree, 1),
        &pool.proposal_address(),
        &sibling.distributor,
    );
    assert_error(
        pool.env.send(&[ix], &[&second]).await,
        AnchorError::AccountDiscriminatorMismatch,
    );
    let ix = pool.approve_ix(&second.pubkey(), &tree, 1);
    assert_rejects_fake(&pool.env, &ix, &pool.proposal_address(), &[&second]).await;
    pool.assert_unchanged(&before).await;
    assert_eq!(pool.proposal().await.approval_count, 1);
    assert_eq!(pool.state_of(&sibling.distributor).await.epoch, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activated_root_cannot_be_replayed() {
    let pool = Pool::guarded(1_000, approvals(2, 600)).await;
    let second = pool.oracles(1).await.remove(0);
    let (alice, alice_tokens) = pool.recipient().await;
    let tree = pool.tree(&[(&alice, 400)]);
    pool.approve(&pool.oracle, &tree, 1).await.unwrap();
    pool.approve(&second, &tree, 1).await.unwrap();
    pool.wait(600).await;
    pool.activate().await.unwrap();
    pool.claim(&alice, &alice_tokens, &tree).await.unwrap();

    let before = pool.snapshot(&[alice_tokens]).await;
    assert_error(pool.activate().await, RewardsError::AlreadyActivated);
    // Proposing it again: its epoch is no longer ahead of the current one.
    assert_error(
        pool.approve(&pool.oracle, &tree, 1).await,
        RewardsError::EpochNotIncreasing,
    );
    assert_error(
        pool.approve(&second, &tree, 1).await,
        RewardsError::EpochNotIncreasing,
    );
    pool.assert_unchanged(&before).await;
    let p = pool.proposal().await;
    assert_eq!((p.sequence, p.status), (1, ProposalStatus::Activated));
    assert_eq!(pool.balances(&[alice_tokens, pool.vault]).await, [400, 600]);
    assert_eq!(pool.state().await.total_claimed, 400);
    assert_eq!(rewards::activates_at(&p), None);
}
