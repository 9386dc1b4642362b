//! `GET /healthz`, `GET /metrics`, and shutdown.

use depin_client::report::Rejection;
use depin_crank::ingest::STORAGE_CODES;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_when_storage_does() {
    let crank = Crank::start().await;
    let (status, body) = crank.get("/healthz").await;
    assert_eq!((status, body), (200, serde_json::json!({ "status": "ok" })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_start_at_zero_and_move_with_each_verdict() {
    let crank = Crank::start().await;
    for code in Rejection::CODES.iter().chain(STORAGE_CODES.iter()) {
        let series = format!("depin_crank_reports_rejected_total{{reason=\"{code}\"}}");
        assert_eq!(crank.metric(&series).await, 0, "{series}");
    }
    assert_eq!(crank.metric("depin_crank_reports_accepted_total").await, 0);

    let device = crank.device(1);
    assert_accepted(&crank.post_report(&crank.report(&device, 0, 1, 100)).await);
    assert_accepted(&crank.post_report(&crank.report(&device, 1, 2, 100)).await);
    assert_refused(
        &crank.post_report(&crank.report(&device, 2, 2, 100)).await,
        "replay",
    );
    assert_refused(
        &crank.post_report(&crank.report(&device, 3, 3, 9_999)).await,
        "implausible",
    );
    let unknown = crank.report(&keypair(9), 0, 1, 100);
    assert_refused(&crank.post_report(&unknown).await, "unknown_device");

    assert_eq!(crank.metric("depin_crank_reports_accepted_total").await, 2);
    for (code, count) in [
        ("replay", 1),
        ("implausible", 1),
        ("unknown_device", 1),
        ("late", 0),
    ] {
        let series = format!("depin_crank_reports_rejected_total{{reason=\"{code}\"}}");
        assert_eq!(crank.metric(&series).await, count, "{series}");
    }
    // Three commits, one report each: storage judges the replay.
    assert_eq!(
        crank
            .metric("depin_crank_ingest_commit_batch_size_count")
            .await,
        3
    );
    assert_eq!(
        crank
            .metric("depin_crank_ingest_commit_batch_size_sum")
            .await,
        3
    );
    let (_, text) = crank.get_text("/metrics").await;
    assert!(text.contains("# TYPE depin_crank_ingest_commit_batch_size histogram"));
    assert!(text.contains("depin_crank_ingest_commit_batch_size_bucket{le=\"1\"} 3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_drains_the_committer() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    assert_accepted(&crank.post_report(&crank.report(&device, 0, 1, 100)).await);
    let storage = crank.storage.clone();
    let network = crank.network.to_bytes();
    crank.stop().await;
    assert_eq!(
        depin_crank::storage::Storage::reports_for_epoch(storage.as_ref(), &network, OPEN_EPOCH)
            .unwrap()
            .len(),
        1
    );
}
