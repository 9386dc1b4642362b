//! The whole crank in process, over real HTTP on loopback: devices send
//! signed reports to ingest, one device a conflicting second report; the
//! primary proposes, a verifier pulls the reports over HTTP and approves;
//! rewards are pushed; the proofs API, the epoch summary and the metrics
//! tell the story.

use std::sync::Arc;

use depin_client::rewards::{Guards, Proofs};
use depin_client::{Keypair, Signer};
use depin_crank::epoch::{HttpSource, Progress, Role};
use depin_crank::fault::Faults;
use depin_crank::http;
use depin_crank::ingest::ManualClock;
use depin_crank::service::{http_parts, Crank};
use depin_crank::simulate::{Period, Simulator};
use depin_crank::storage::Storage;

use crate::support::*;

async fn get(url: &str) -> (u16, serde_json::Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_report_over_http_and_two_cranks_pay_them() {
    let s = Scenario::new(Guards {
        required_approvals: 2,
        ..Guards::SINGLE_ORACLE
    })
    .await;
    let network = s.network;
    let storage: Arc<dyn Storage> = s.storage("primary.db");
    let window = s.window(2).await;
    let clock = Arc::new(ManualClock::new(window.end + 1));
    let parts = http_parts(
        Arc::clone(&s.bank),
        Arc::clone(&storage),
        network,
        s.distributor,
        clock.clone(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(http::serve(listener, parts.app, async move {
        let _ = stopped.await;
    }));

    // Three devices report the epoch's first hour; the third then signs a
    // different report for the same hour.
    let devices: Vec<Keypair> = s.owners.iter().map(|o| o.device.insecure_clone()).collect();
    let simulator = Simulator::new(&url, network, devices);
    let period = Period {
        start: window.start,
        secs: 3_600,
        energy_wh: 2_000,
        uptime_secs: 3_600,
    };
    let sent = simulator.send_each(&simulator.reports(period), 3).await;
    assert_eq!(sent.accepted, 3, "{sent:?}");
    let third = &simulator.devices()[2];
    let changed = Period {
        energy_wh: 9_000,
        ..period
    };
    let conflicting = simulator.report(third, changed, u64::MAX / 2);
    let sent = simulator.send_each(&[conflicting], 1).await;
    assert_eq!(sent.rejected.get("conflict"), Some(&1), "{sent:?}");

    let primary = Crank::new(
        s.pipeline("primary.db", Role::Primary, Faults::none())
            .await,
        Arc::clone(&parts.book),
        &parts.metrics,
        0,
    );
    let verifier = s
        .pipeline(
            "verifier.db",
            Role::Verifier {
                source: Box::new(HttpSource::new(&url)),
            },
            Faults::none(),
        )
        .await;
    s.close(2).await;
    let progress = primary.tick().await.unwrap();
    assert!(
        matches!(&progress, Progress::Waiting { epoch: 2, reason } if reason.contains("1 of 2")),
        "{progress:?}"
    );
    let (status, _) = get(&format!("{url}/v1/rewards/{}", s.owners[0].owner.pubkey())).await;
    assert_eq!(status, 404, "nothing claimable before the quorum");

    let progress = verifier.tick().await.unwrap();
    assert!(
        matches!(progress, Progress::Waiting { epoch: 3, .. }),
        "{progress:?}"
    );
    let progress = primary.tick().await.unwrap();
    assert!(
        matches!(progress, Progress::Waiting { epoch: 3, .. }),
        "{progress:?}"
    );

    // Two devices split the emission; the conflicting one earns nothing.
    let outcome = s.outcome().await;
    assert_eq!(outcome.owner_balances, [500_000, 500_000, 0]);
    assert_eq!(outcome.roots_proposed, 1);

    let owner = s.owners[0].owner.pubkey();
    let (status, reward) = get(&format!("{url}/v1/rewards/{owner}")).await;
    assert_eq!(status, 200, "{reward}");
    assert_eq!(reward["cumulative_amount"], 500_000);
    assert_eq!(reward["claimed"], 500_000, "pushed");
    assert_eq!(reward["claimable"], 0);
    assert!(Proofs::from_json(&reward).unwrap().claim(&owner).is_some());
    let (status, body) = get(&format!("{url}/v1/rewards/{}", s.owners[2].owner.pubkey())).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("unknown_recipient"))
    );
    let (status, body) = get(&format!("{url}/v1/rewards/not-a-key")).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("malformed")));

    let (status, summary) = get(&format!("{url}/v1/epochs/2")).await;
    assert_eq!(status, 200);
    assert_eq!(summary["results"]["freeze"]["reports"], 2);
    assert_eq!(summary["results"]["freeze"]["conflicts"], 1);
    assert_eq!(summary["results"]["push_claims"]["pushed"], 2);
    let (status, body) = get(&format!("{url}/v1/epochs/77")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("unknown_epoch"))
    );
    let (status, listing) = get(&format!("{url}/v1/epochs/2/reports")).await;
    assert_eq!((status, listing["frozen"].as_bool()), (200, Some(true)));

    let (_, metrics) = get(&format!("{url}/metrics")).await;
    let metrics = metrics.as_str().unwrap().to_string();
    for line in [
        "depin_crank_reports_accepted_total 3",
        "depin_crank_reports_rejected_total{reason=\"conflict\"} 1",
        "depin_crank_push_claims_total 2",
        "depin_crank_last_root_epoch 2",
        "depin_crank_pipeline_epoch 3",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    tokio::task::spawn_blocking(move || parts.committer.join())
        .await
        .unwrap();
}
