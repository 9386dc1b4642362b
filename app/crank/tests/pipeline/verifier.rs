//! Two crank instances, two oracle keys: the verifier re-checks the
//! primary's reports and approves only the root it computes itself.

use depin_client::report::sign;
use depin_client::rewards::Guards;
use depin_client::Signer;
use depin_crank::epoch::{Progress, Role, StorageSource, VerifierVerdict};
use depin_crank::fault::Faults;
use depin_crank::storage::Storage;

use crate::primary::crank_storage;
use crate::support::*;

fn two_oracles() -> Guards {
    Guards {
        required_approvals: 2,
        ..Guards::SINGLE_ORACLE
    }
}

fn verifier_role(s: &Scenario) -> Role {
    Role::Verifier {
        source: Box::new(StorageSource {
            storage: crank_storage(s),
            network: s.network,
        }),
    }
}

#[tokio::test]
async fn a_primary_and_a_verifier_reach_quorum_and_conflicts_count_for_neither() {
    let s = Scenario::new(two_oracles()).await;
    let primary = s
        .pipeline("primary.db", Role::Primary, Faults::none())
        .await;
    let verifier = s
        .pipeline("verifier.db", verifier_role(&s), Faults::none())
        .await;
    let storage = crank_storage(&s);
    let reports = s.reports(2).await;
    // Device 3 signs two different reports for the same hour: both dropped.
    let mut second = reports[2].report;
    second.energy_wh += 1;
    second.sequence += 1;
    s.ingest(storage.as_ref(), 2, &reports).await;
    let conflicting = sign(&second, &s.owners[2].device);
    let outcome = storage
        .accept_report(&depin_crank::storage::ReportRow::of(
            &conflicting,
            2,
            s.now().await,
        ))
        .unwrap();
    assert!(matches!(
        outcome,
        depin_crank::storage::AcceptOutcome::Rejected(_)
    ));

    // The verifier waits for the primary to freeze the epoch.
    let progress = verifier.tick().await.unwrap();
    assert!(
        matches!(&progress, Progress::Waiting { epoch: 2, reason } if reason.contains("frozen"))
    );
    s.close(2).await;
    let progress = primary.tick().await.unwrap();
    assert!(
        matches!(&progress, Progress::Waiting { epoch: 2, reason } if reason.contains("approvals: 1 of 2")),
        "{progress:?}"
    );
    assert_eq!(s.outcome().await.epoch, 0, "one approval activates nothing");

    let progress = verifier.tick().await.unwrap();
    assert!(
        matches!(progress, Progress::Waiting { epoch: 3, .. }),
        "{progress:?}"
    );
    let verdict: serde_json::Value = serde_json::from_slice(
        &s.storage("verifier.db")
            .step_result(&s.network.to_bytes(), 2, "approve")
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(verdict["verdict"], "approved");
    assert_eq!(
        s.outcome().await.epoch,
        2,
        "the second approval activated it"
    );

    primary.tick().await.unwrap();
    let outcome = s.outcome().await;
    // Devices 1 and 2 split the emission 1:2; device 3's conflict pays nobody.
    assert_eq!(outcome.owner_balances, [333_333, 666_666, 0]);
    assert_eq!(outcome.roots_proposed, 1);
}

#[tokio::test]
async fn a_verifier_refuses_the_root_of_a_tampered_primary() {
    let s = Scenario::new(two_oracles()).await;
    let primary = s
        .pipeline("primary.db", Role::Primary, Faults::none())
        .await;
    // The verifier runs as the service does: its refusals are a metric to
    // alert on.
    let metrics = depin_crank::metrics::Metrics::new();
    let book = std::sync::Arc::new(depin_crank::proofs::ProofBook::new(
        s.storage("verifier.db"),
        s.network,
        s.distributor,
    ));
    let verifier = depin_crank::service::Crank::new(
        s.pipeline("verifier.db", verifier_role(&s), Faults::none())
            .await,
        book,
        &metrics,
        0,
    );
    s.ingest(crank_storage(&s).as_ref(), 2, &s.reports(2).await)
        .await;
    // The primary's database is altered: device 1's energy inflated tenfold,
    // its signed message left as the device signed it.
    let db = rusqlite::Connection::open(s.db("primary.db")).unwrap();
    let changed = db
        .execute(
            "UPDATE reports SET energy_wh = energy_wh * 10 WHERE device = ?1",
            [s.owners[0].device.pubkey().to_bytes().to_vec()],
        )
        .unwrap();
    assert_eq!(changed, 1);
    s.close(2).await;
    primary.tick().await.unwrap();
    let progress = verifier.tick().await.unwrap();
    assert!(
        matches!(progress, Progress::Waiting { epoch: 3, .. }),
        "{progress:?}"
    );
    let verdict: VerifierVerdict = serde_json::from_slice(
        &s.storage("verifier.db")
            .step_result(&s.network.to_bytes(), 2, "approve")
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let VerifierVerdict::Refused { proposed, computed } = verdict else {
        panic!("approved a tampered root: {verdict:?}");
    };
    assert!(
        metrics
            .render()
            .contains("depin_crank_verifier_roots_refused_total 1"),
        "{}",
        metrics.render()
    );
    assert_ne!(proposed.root, computed.root);
    assert_eq!(
        proposed.cumulative_total, computed.cumulative_total,
        "same emission, other split"
    );
    let outcome = s.outcome().await;
    assert_eq!(outcome.epoch, 0, "never activated");
    assert_eq!(outcome.owner_balances, [0, 0, 0]);
    let progress = primary.tick().await.unwrap();
    assert!(
        matches!(&progress, Progress::Waiting { epoch: 2, reason } if reason.contains("approvals: 1 of 2")),
        "{progress:?}"
    );
}
