//! Every state change of the approval flow emits its event, and the client
//! decodes them. Natively Anchor's `emit!` logs nothing, so the events are
//! checked in the VM (`DEPIN_PROGRAM_MODE=sbf`); natively the flow runs and
//! its state is checked.

use depin_client::events::{rewards_events, RewardsEvent};
use depin_client::rewards::{Guards, ProposalStatus};
use depin_client::{Sent, Signer};

use crate::fixture::{tree_of, Pool};

/// The names of the rewards events `sent` logged.
fn names(sent: &Sent) -> Vec<&'static str> {
    rewards_events(&sent.logs)
        .iter()
        .map(RewardsEvent::name)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_of_the_approval_flow_emits_its_event() {
    let guards = Guards {
        required_approvals: 2,
        challenge_period_secs: 600,
        outflow_limit: 5_000,
        outflow_period_secs: 3_600,
    };
    let pool = Pool::guarded(1_000, guards).await;
    let sbf = pool.env.cluster.mode().is_sbf();
    let second = pool.oracles(1).await.remove(0);
    let (alice, _) = pool.recipient().await;
    let bad = pool.tree(&[(&alice, 1_000)]);
    let good = pool.tree(&[(&alice, 100)]);

    let proposed = pool.approve(&pool.oracle, &bad, 1).await.unwrap();
    let replaced = pool.approve(&second, &good, 1).await.unwrap();
    let approved = pool.approve(&pool.oracle, &good, 1).await.unwrap();
    let p = pool.proposal().await;
    assert_eq!((p.sequence, p.status), (2, ProposalStatus::Approved));
    pool.wait(600).await;
    let activated = pool.activate().await.unwrap();
    let stricter = Guards {
        required_approvals: 3,
        ..guards
    };
    let set = pool.set_guards(stricter).await.unwrap();
    let next = pool.tree(&[(&alice, 200)]);
    pool.approve(&second, &next, 2).await.unwrap();
    let vetoed = pool.veto().await.unwrap();
    assert_eq!(pool.proposal().await.status, ProposalStatus::Vetoed);
    // One approval, no challenge period: all three in one post.
    let sibling = pool.sibling(1, 500).await;
    let instant = pool.post_root_ix(&tree_of(&sibling.distributor, &[(&alice, 50)]), 1);
    let instant = pool.env.send(&[instant], &[&pool.oracle]).await.unwrap();
    if !sbf {
        return;
    }

    assert_eq!(names(&proposed), ["RootProposed"]);
    match &rewards_events(&replaced.logs)[..] {
        [RewardsEvent::RootProposed(e)] => {
            assert_eq!((e.sequence, e.superseded, e.epoch), (2, 1, 1));
            assert_eq!(
                (e.root, e.cumulative_total, e.recipient_count),
                (good.root(), 100, 1)
            );
            assert_eq!(
                (e.by, e.approvals_needed, e.challenge_period_secs),
                (second.pubkey(), 2, 600)
            );
        }
        other => panic!("{other:?}"),
    }
    match &rewards_events(&approved.logs)[..] {
        [RewardsEvent::RootApproved(a), RewardsEvent::RootFullyApproved(f)] => {
            assert_eq!(
                (a.sequence, a.by, a.approvals, a.approvals_needed),
                (2, pool.oracle.pubkey(), 2, 2)
            );
            assert_eq!((f.sequence, f.root), (2, good.root()));
            assert_eq!(
                (f.approved_at, f.activates_at),
                (p.approved_at, p.approved_at + 600)
            );
        }
        other => panic!("{other:?}"),
    }
    match &rewards_events(&activated.logs)[..] {
        [RewardsEvent::RootActivated(e)] => {
            assert_eq!(
                (e.sequence, e.epoch, e.root, e.cumulative_total),
                (2, 1, good.root(), 100)
            );
        }
        other => panic!("{other:?}"),
    }
    match &rewards_events(&set.logs)[..] {
        [RewardsEvent::GuardsSet(e)] => {
            assert_eq!((e.guards, e.by), (stricter, pool.env.admin.pubkey()));
        }
        other => panic!("{other:?}"),
    }
    match &rewards_events(&vetoed.logs)[..] {
        [RewardsEvent::RootVetoed(e)] => {
            assert_eq!((e.sequence, e.epoch, e.root), (3, 2, next.root()));
            assert_eq!(e.by, pool.env.admin.pubkey());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        names(&instant),
        ["RootProposed", "RootFullyApproved", "RootActivated"]
    );
}
