//! `POST /v1/reports`: acceptance, each refusal reason, retries, outages.

use std::sync::atomic::Ordering;
use std::time::Duration;

use depin_client::depin_registry::state::DeviceStatus;
use depin_client::report::{sign, SignedReport};
use depin_client::{Pubkey, Signer};
use depin_crank::storage::Storage;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accepted_report_is_stored_as_signed() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let signed = crank.report(&device, 2, 7, 4_000);
    let report_id = assert_accepted(&crank.post_report(&signed).await);

    let stored = crank.stored();
    assert_eq!(stored.len(), 1);
    let row = &stored[0];
    assert_eq!(row.id, report_id);
    assert_eq!(row.report.network, crank.network.to_bytes());
    assert_eq!(row.report.device, device.pubkey().to_bytes());
    assert_eq!(row.report.period_start, epoch_start() + 2 * HOUR);
    assert_eq!(row.report.period_secs, 3_600);
    assert_eq!(row.report.sequence, 7);
    assert_eq!(row.report.energy_wh, 4_000);
    assert_eq!(row.report.uptime_secs, 3_600);
    assert_eq!(row.report.epoch, OPEN_EPOCH);
    assert_eq!(row.report.message, signed.message().to_vec());
    assert_eq!(row.report.signature, *signed.signature.as_array());
    assert_eq!(row.report.received_at, epoch_start() + 5 * HOUR);
    assert_eq!(
        crank
            .storage
            .last_sequence(&crank.network.to_bytes(), &device.pubkey().to_bytes())
            .unwrap(),
        Some(7)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_gets_the_same_report_id_and_stores_nothing_more() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let signed = crank.report(&device, 0, 1, 100);
    let first = assert_accepted(&crank.post_report(&signed).await);
    let again = assert_accepted(&crank.post_report(&signed).await);
    assert_eq!(first, again);
    assert_eq!(crank.stored().len(), 1);
    assert_eq!(crank.metric("depin_crank_reports_accepted_total").await, 1);
    assert_eq!(crank.metric("depin_crank_reports_duplicate_total").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_that_does_not_parse_is_a_400() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let mut json = serde_json::to_value(crank.report(&device, 0, 1, 100)).unwrap();
    json["report"]["bonus_wh"] = 5.into();
    for body in ["{", "[]", "null", &json.to_string()] {
        let (status, answer) = crank.post("/v1/reports", body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["code"], "malformed", "{body}");
    }
    assert!(crank.stored().is_empty());
    assert_eq!(
        crank
            .metric("depin_crank_reports_rejected_total{reason=\"malformed\"}")
            .await,
        4
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_that_contradicts_itself_is_malformed() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let mut work = crank.work(&device, 0, 1, 100);
    work.uptime_secs = work.period_secs + 1;
    assert_refused(&crank.post_report(&sign(&work, &device)).await, "malformed");
    assert!(crank.stored().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sequence_storage_cannot_keep_is_malformed() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let signed = crank.report(&device, 0, u64::MAX, 100);
    let answer = crank.post_report(&signed).await;
    assert_refused(&answer, "malformed");
    assert!(answer.1["message"].as_str().unwrap().contains("i64::MAX"));
    // It failed alone: the next report commits.
    assert_accepted(&crank.post_report(&crank.report(&device, 1, 2, 100)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_keys_signature_is_refused() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let forged = sign(&crank.work(&device, 0, 1, 100), &keypair(2));
    assert_refused(&crank.post_report(&forged).await, "bad_signature");
    assert!(crank.stored().is_empty());
    assert_eq!(
        crank.devices.lookups.load(Ordering::SeqCst),
        0,
        "a bad signature never costs a registry lookup"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_for_another_network_is_refused() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let mut work = crank.work(&device, 0, 1, 100);
    work.network = Pubkey::new_from_array([43; 32]);
    assert_refused(
        &crank.post_report(&sign(&work, &device)).await,
        "wrong_network",
    );
    assert!(crank.stored().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_device_is_refused() {
    let crank = Crank::start().await;
    let stranger = keypair(9);
    let signed = crank.report(&stranger, 0, 1, 100);
    assert_refused(&crank.post_report(&signed).await, "unknown_device");
    assert!(crank.stored().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_device_is_refused() {
    let crank = Crank::start().await;
    let device = keypair(1);
    crank.register_as(&device, DeviceStatus::Suspended);
    let signed = crank.report(&device, 0, 1, 100);
    assert_refused(&crank.post_report(&signed).await, "device_not_active");
    assert!(crank.stored().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sequence_not_above_the_last_is_a_replay() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    assert_accepted(&crank.post_report(&crank.report(&device, 1, 10, 100)).await);
    let replay = crank.report(&device, 2, 10, 100);
    let answer = crank.post_report(&replay).await;
    assert_refused(&answer, "replay");
    assert_eq!(crank.stored().len(), 1);
    assert_eq!(
        crank
            .metric("depin_crank_reports_rejected_total{reason=\"replay\"}")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_before_the_first_epoch_is_late() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let mut work = crank.work(&device, 0, 1, 100);
    work.period_start = ORIGIN - HOUR;
    assert_refused(&crank.post_report(&sign(&work, &device)).await, "late");
    assert!(crank.stored().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_not_over_yet_is_early() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    // The clock stands at hour 5: hour 4 has ended, hour 5 has not.
    assert_refused(
        &crank.post_report(&crank.report(&device, 5, 2, 100)).await,
        "early",
    );
    assert_accepted(&crank.post_report(&crank.report(&device, 4, 1, 100)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_crossing_the_epoch_end_is_early() {
    let crank = Crank::start().await;
    crank.clock.advance(i64::from(EPOCH_SECS) * 2);
    let device = crank.device(1);
    let mut work = crank.work(&device, 23, 1, 100);
    work.period_secs = 2 * HOUR as u32;
    assert_refused(&crank.post_report(&sign(&work, &device)).await, "early");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_energy_than_the_capacity_allows_is_implausible() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    // 1.35 x 5,000 W x 1 h = 6,750 Wh.
    assert_refused(
        &crank.post_report(&crank.report(&device, 0, 1, 6_751)).await,
        "implausible",
    );
    assert_accepted(&crank.post_report(&crank.report(&device, 0, 2, 6_750)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_epoch_refuses_its_reports() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    assert!(crank
        .storage
        .freeze_epoch(&crank.network.to_bytes(), OPEN_EPOCH)
        .unwrap());
    let answer = crank.post_report(&crank.report(&device, 0, 1, 100)).await;
    assert_refused(&answer, "epoch_frozen");
    assert!(crank.stored().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_reports_for_one_period_are_a_conflict() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let first = crank.report(&device, 3, 1, 100);
    let second = crank.report(&device, 3, 2, 5_000);
    assert_accepted(&crank.post_report(&first).await);
    let answer = crank.post_report(&second).await;
    assert_refused(&answer, "conflict");
    let conflict_id = answer.1["conflict_id"].as_i64().expect("a conflict id");
    // Retrying either copy keeps answering the conflict.
    for copy in [&first, &second] {
        let again = crank.post_report(copy).await;
        assert_refused(&again, "conflict");
        assert_eq!(again.1["conflict_id"], conflict_id);
    }
    assert!(
        crank.stored().is_empty(),
        "both copies are out of the count"
    );
    let conflicts = crank
        .storage
        .conflicts(&crank.network.to_bytes(), OPEN_EPOCH)
        .unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].id, conflict_id);
    assert_eq!(conflicts[0].first.message, first.message().to_vec());
    assert_eq!(conflicts[0].second.message, second.message().to_vec());
    assert_eq!(
        crank
            .metric("depin_crank_reports_rejected_total{reason=\"conflict\"}")
            .await,
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_registered_later_is_accepted_once_the_negative_entry_expires() {
    let crank = Crank::start_with(Options {
        negative_ttl: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let device = keypair(1);
    let signed = crank.report(&device, 0, 1, 100);
    assert_refused(&crank.post_report(&signed).await, "unknown_device");
    crank.register(&device);
    // Still the cached "not registered" for a moment...
    assert_refused(&crank.post_report(&signed).await, "unknown_device");
    assert_eq!(crank.devices.lookups.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(350)).await;
    // ...then looked up again and found.
    assert_accepted(&crank.post_report(&signed).await);
    assert_eq!(crank.devices.lookups.load(Ordering::SeqCst), 2);
    assert_eq!(crank.stored().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_an_unknown_key_asks_the_registry_once() {
    let crank = Crank::start().await;
    let stranger = keypair(9);
    let reports: Vec<SignedReport> = (0..40)
        .map(|sequence| crank.report(&stranger, 0, sequence, 100))
        .collect();
    let answers = join_all(reports.iter().map(|r| crank.post_report(r)).collect()).await;
    for answer in &answers {
        assert_refused(answer, "unknown_device");
    }
    assert_eq!(crank.devices.lookups.load(Ordering::SeqCst), 1);
}

/// Polls every future concurrently (no futures crate needed).
async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut all_done = true;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(context) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    outputs.into_iter().map(|output| output.unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_failure_is_a_503_and_stores_nothing() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    crank.storage.fail_writes.store(true, Ordering::SeqCst);
    let answer = crank.post_report(&crank.report(&device, 0, 1, 100)).await;
    assert_eq!(answer.0, 503, "{}", answer.1);
    assert_eq!(answer.1["code"], "unavailable");
    assert!(crank.stored().is_empty());
    assert_eq!(
        crank.metric("depin_crank_ingest_unavailable_total").await,
        1
    );
    // Once the disk is back, the retry is accepted.
    crank.storage.fail_writes.store(false, Ordering::SeqCst);
    assert_accepted(&crank.post_report(&crank.report(&device, 0, 1, 100)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_outage_is_a_503_and_is_not_cached() {
    let crank = Crank::start().await;
    let device = keypair(1);
    crank.devices.fail_lookups_of(device.pubkey());
    let answer = crank.post_report(&crank.report(&device, 0, 1, 100)).await;
    assert_eq!(answer.0, 503, "{}", answer.1);
    assert_eq!(answer.1["code"], "unavailable");
    assert!(crank.stored().is_empty());
    // The failure was not cached as "not registered".
    crank.devices.heal(&device.pubkey());
    crank.register(&device);
    assert_accepted(&crank.post_report(&crank.report(&device, 0, 1, 100)).await);
}
