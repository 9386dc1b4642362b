//! The group committer on its own: requests waiting together share one
//! transaction, each gets its own outcomes, and a failing one fails alone.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use depin_crank::ingest::{CommitError, CommitterConfig, GroupCommitter};
use depin_crank::metrics::Metrics;
use depin_crank::storage::{AcceptOutcome, ReportRow};

use crate::support::*;

fn row(device: u8, sequence: u64) -> ReportRow {
    ReportRow {
        network: [42; 32],
        device: [device; 32],
        period_start: epoch_start(),
        period_secs: 3_600,
        sequence,
        energy_wh: 1,
        uptime_secs: 3_600,
        epoch: OPEN_EPOCH,
        message: vec![device, sequence as u8],
        signature: [device; 64],
        received_at: 0,
    }
}

fn slow_storage(dir: &tempfile::TempDir) -> Arc<TestStorage> {
    let storage = Arc::new(TestStorage::open(dir.path().join("crank.db")));
    // Long enough that every request below queues behind the first commit.
    storage.commit_delay_ms.store(200, Ordering::SeqCst);
    storage
}

/// Starts `requests` commits of one row each (devices 1..=requests) at once.
async fn commit_concurrently(
    committer: &GroupCommitter,
    requests: u8,
) -> Vec<Result<Vec<AcceptOutcome>, CommitError>> {
    let mut tasks = tokio::task::JoinSet::new();
    for device in 1..=requests {
        let committer = committer.clone();
        tasks.spawn(async move { (device, committer.commit(vec![row(device, 1)]).await) });
        if device == 1 {
            // The first commit starts alone; the others queue behind it.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    let mut results: Vec<_> = tasks.join_all().await;
    results.sort_by_key(|(device, _)| *device);
    results.into_iter().map(|(_, result)| result).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_requests_share_one_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let storage = slow_storage(&dir);
    let metrics = Metrics::new();
    let (committer, thread) =
        GroupCommitter::start(storage.clone(), CommitterConfig::default(), &metrics).unwrap();
    let results = commit_concurrently(&committer, 20).await;
    assert_eq!(
        storage.transactions.load(Ordering::SeqCst),
        2,
        "the first, then the other 19"
    );
    let mut ids = Vec::new();
    for result in results {
        match result.unwrap().as_slice() {
            [AcceptOutcome::Accepted { report_id }] => ids.push(*report_id),
            other => panic!("{other:?}"),
        }
    }
    ids.dedup();
    assert_eq!(ids.len(), 20, "each request got its own report's id");
    drop(committer);
    tokio::task::spawn_blocking(move || thread.join())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_the_storage_refuses_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let storage = slow_storage(&dir);
    let metrics = Metrics::new();
    let (committer, _thread) =
        GroupCommitter::start(storage.clone(), CommitterConfig::default(), &metrics).unwrap();
    // A request alone gets its own failure.
    storage.poison_sequence.store(1, Ordering::SeqCst);
    let first = committer.commit(vec![row(1, 1)]).await;
    assert!(matches!(first, Err(CommitError::Storage(_))), "{first:?}");
    // Among requests waiting together, only device 3's (sequence 7) fails.
    storage.poison_sequence.store(7, Ordering::SeqCst);
    storage.transactions.store(0, Ordering::SeqCst);

    let mut tasks = tokio::task::JoinSet::new();
    for device in 1..=5u8 {
        let committer = committer.clone();
        let sequence = if device == 3 { 7 } else { 1 };
        tasks.spawn(async move { (device, committer.commit(vec![row(device, sequence)]).await) });
        if device == 1 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    let mut results = tasks.join_all().await;
    results.sort_by_key(|(device, _)| *device);
    for (device, result) in results {
        if device == 3 {
            assert!(matches!(result, Err(CommitError::Storage(_))), "{result:?}");
        } else {
            assert!(
                matches!(result.as_deref(), Ok([AcceptOutcome::Accepted { .. }])),
                "device {device}: {result:?}"
            );
        }
    }
    // The first alone; the four waiting together failed; then one by one.
    assert_eq!(storage.transactions.load(Ordering::SeqCst), 1 + 1 + 4);
    assert_eq!(
        metrics
            .counter("depin_crank_ingest_commit_failures_total", "", &[])
            .get(),
        2
    );
}
