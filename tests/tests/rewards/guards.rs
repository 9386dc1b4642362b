//! `set_guards` (the admin changes the approvals, challenge period and
//! outflow limit of a distributor) and the guards given at creation.

use depin_client::rewards::{self, CreateDistributorArgs, Guards, ProposalStatus};
use depin_client::Signer;
use depin_registry::state::permission;
use depin_rewards::errors::RewardsError;
use depin_rewards::pda;
use depin_tests::*;

use crate::fixture::{self, approvals, outflow, Pool};

/// Every way guards can be out of range.
fn invalid_guards() -> Vec<Guards> {
    let valid = Guards::SINGLE_ORACLE;
    vec![
        Guards {
            required_approvals: 0,
            ..valid
        },
        Guards {
            required_approvals: 9,
            ..valid
        },
        Guards {
            challenge_period_secs: 30 * 86_400 + 1,
            ..valid
        },
        Guards {
            outflow_limit: 0,
            ..valid
        },
        Guards {
            outflow_period_secs: 0,
            ..valid
        },
        Guards {
            outflow_period_secs: 366 * 86_400 + 1,
            ..valid
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_distributor_rejects_invalid_guards() {
    let pool = Pool::new(0).await;
    let env = &pool.env;
    let admin = env.admin.pubkey();
    for guards in invalid_guards() {
        let ix = rewards::create_distributor(
            &env.payer(),
            &admin,
            &env.network,
            &pool.mint,
            &pool.treasury,
            CreateDistributorArgs {
                pool_id: 9,
                expires_at: 0,
                guards,
            },
        );
        assert_error(
            env.send(&[ix], &[&env.admin]).await,
            RewardsError::InvalidGuards,
        );
    }
    let address = pda::distributor(&env.network, &pool.mint, 9).0;
    assert!(!env.exists(&address).await);
    assert!(!env.exists(&pda::root_proposal(&address).0).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_guards_applies_approval_rules_to_new_proposals_and_the_limit_at_once() {
    let pool = Pool::guarded(10_000, approvals(2, 0)).await;
    let second = pool.oracles(1).await.remove(0);
    let (alice, alice_tokens) = pool.recipient().await;
    let (bob, bob_tokens) = pool.recipient().await;
    let first = pool.tree(&[(&alice, 600), (&bob, 600)]);
    pool.approve(&pool.oracle, &first, 1).await.unwrap();

    // Down to one approval with a period, and a 1,000-per-hour limit.
    let stricter = Guards {
        required_approvals: 1,
        challenge_period_secs: 900,
        outflow_limit: 1_000,
        outflow_period_secs: 3_600,
    };
    pool.set_guards(stricter).await.unwrap();
    assert_eq!(
        rewards::guards(&pool.env.cluster, &pool.distributor)
            .await
            .unwrap(),
        stricter
    );
    let d = pool.state().await;
    assert_eq!((d.breaker.limit, d.breaker.period_secs), (1_000, 3_600));
    let p = pool.proposal().await;
    assert_eq!((p.required_approvals, p.challenge_period_secs), (1, 900));
    // The open proposal keeps the rules it was opened under: it still
    // needs a second approval and then activates at once.
    assert_eq!(
        (p.status, p.approvals_needed, p.challenge_period),
        (ProposalStatus::Pending, 2, 0)
    );
    pool.approve(&second, &first, 1).await.unwrap();
    assert_eq!(pool.state().await.root, first.root());

    // The limit holds from now on.
    pool.claim(&alice, &alice_tokens, &first).await.unwrap();
    assert_error(
        pool.claim(&bob, &bob_tokens, &first).await,
        RewardsError::OutflowLimitExceeded,
    );

    // A new proposal follows the new rules: one approval, then 900 s.
    let next = pool.tree(&[(&alice, 700), (&bob, 600)]);
    pool.post(&next, 2).await;
    let p = pool.proposal().await;
    assert_eq!(
        (p.status, p.approvals_needed, p.challenge_period),
        (ProposalStatus::Approved, 1, 900)
    );
    assert_error(pool.activate().await, RewardsError::ChallengePeriodActive);
    pool.wait(900).await;
    pool.activate().await.unwrap();

    // Raising the limit lets bob through in the same window.
    pool.set_guards(Guards {
        outflow_limit: 2_000,
        ..stricter
    })
    .await
    .unwrap();
    pool.claim(&bob, &bob_tokens, &next).await.unwrap();
    assert_eq!(
        pool.balances(&[alice_tokens, bob_tokens, pool.vault]).await,
        [600, 600, 8_800]
    );
    assert_eq!(pool.state().await.breaker.window_outflow, 1_200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_guards_requires_the_admin_permission() {
    let pool = Pool::new(1_000).await;
    let guards = approvals(3, 600);
    let before = pool.snapshot(&[]).await;
    fixture::assert_requires_permission(
        &pool.env,
        |authority| pool.set_guards_ix(authority, guards),
        permission::ADMIN,
    )
    .await;
    // Neither the oracle nor the treasury role (which opened the pool) may.
    let treasurer = pool.env.member(permission::TREASURY).await;
    for who in [&pool.oracle, &treasurer] {
        assert_error(
            pool.env
                .send(&[pool.set_guards_ix(&who.pubkey(), guards)], &[who])
                .await,
            depin_registry::errors::RegistryError::MissingPermission,
        );
    }
    pool.assert_unchanged(&before).await;

    let admin = pool.env.member(permission::ADMIN).await;
    pool.env
        .send(&[pool.set_guards_ix(&admin.pubkey(), guards)], &[&admin])
        .await
        .unwrap();
    assert_eq!(pool.proposal().await.required_approvals, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_guards_rejects_invalid_or_unchanged_guards() {
    let pool = Pool::guarded(1_000, outflow(500, 60)).await;
    let before = pool.snapshot(&[]).await;
    for guards in invalid_guards() {
        assert_error(pool.set_guards(guards).await, RewardsError::InvalidGuards);
    }
    assert_error(
        pool.set_guards(outflow(500, 60)).await,
        RewardsError::GuardsUnchanged,
    );
    pool.assert_unchanged(&before).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_guards_rejects_a_substituted_root_proposal() {
    let pool = Pool::new(1_000).await;
    let sibling = pool.sibling(1, 0).await;
    let admin = &pool.env.admin;
    let foreign = pda::root_proposal(&sibling.distributor).0;
    let ix = pool.set_guards_ix(&admin.pubkey(), approvals(1, 3_600));
    let before = pool.snapshot(&[foreign]).await;
    // Otherwise the admin would loosen one pool's approvals through another.
    assert_error(
        pool.env
            .send(
                &[substitute(ix.clone(), &pool.proposal_address(), &foreign)],
                &[admin],
            )
            .await,
        RewardsError::WrongProposal,
    );
    assert_rejects_cosplay(
        &pool.env,
        &ix,
        &pool.proposal_address(),
        &sibling.distributor,
        &[admin],
    )
    .await;
    pool.assert_unchanged(&before).await;
}
