//! Kill the crank at every point of an epoch, restart it over the same
//! database, and finish: the chain ends exactly as after an uninterrupted
//! run (no root proposed twice, nobody funded or paid twice, nothing lost).

use depin_client::rewards::Guards;
use depin_crank::epoch::{PipelineError, Progress, Role, PRIMARY_STEPS};
use depin_crank::fault::{point, Faults, Moment};

use crate::support::*;

/// Two epochs, the crank stopped at `crash_at` (if given) in the first.
async fn run(crash_at: Option<&str>) -> (ChainOutcome, bool) {
    let s = Scenario::new(Guards::SINGLE_ORACLE).await;
    let faults = crash_at.map_or_else(Faults::none, Faults::crash_at);
    let crank = s.pipeline("primary.db", Role::Primary, faults).await;
    s.report_and_close(2).await;
    let crashed = match crank.tick().await {
        Err(PipelineError::Crashed(at)) => {
            assert_eq!(Some(at.0.as_str()), crash_at);
            true
        }
        Ok(progress) => {
            assert_eq!(
                progress,
                Progress::Waiting {
                    epoch: 3,
                    reason: progress_reason(&progress)
                }
            );
            false
        }
        Err(other) => panic!("{other}"),
    };
    drop(crank);
    // The restart: a new crank over the same database.
    let crank = s
        .pipeline("primary.db", Role::Primary, Faults::none())
        .await;
    let progress = crank.tick().await.unwrap();
    assert!(
        matches!(progress, Progress::Waiting { epoch: 3, .. }),
        "{progress:?}"
    );
    s.report_and_close(3).await;
    crank.tick().await.unwrap();
    (s.outcome().await, crashed)
}

fn progress_reason(progress: &Progress) -> String {
    let Progress::Waiting { reason, .. } = progress;
    reason.clone()
}

#[tokio::test]
async fn a_crash_at_any_point_changes_nothing_in_the_end() {
    let (expected, _) = run(None).await;
    assert_eq!(expected.epoch, 3);
    assert_eq!(expected.roots_proposed, 2);
    let mut fired = vec![];
    for step in PRIMARY_STEPS {
        for moment in Moment::ALL {
            let at = point(moment, step);
            let (outcome, crashed) = run(Some(&at)).await;
            assert_eq!(outcome, expected, "after a crash at {at}");
            if crashed {
                fired.push(at);
            }
        }
    }
    // Every step's before/after points fire; "sent" fires for the steps
    // that send a transaction in this scenario.
    let sent: Vec<&String> = fired.iter().filter(|at| at.starts_with("sent:")).collect();
    assert_eq!(
        sent,
        [
            "sent:pages",
            "sent:fund",
            "sent:post_root",
            "sent:push_claims",
            "sent:upkeep"
        ],
        "{fired:?}"
    );
    assert_eq!(fired.len(), 2 * PRIMARY_STEPS.len() + 5);
}
