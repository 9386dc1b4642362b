//! `POST /v1/reports/batch`: one result per report, in order.

use std::sync::atomic::Ordering;

use depin_client::report::sign;
use depin_crank::http::Limits;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_outcomes_come_back_in_input_order() {
    let crank = Crank::start().await;
    let a = crank.device(1);
    let b = crank.device(2);
    let stranger = keypair(9);
    let accepted_before = crank.report(&a, 0, 1, 100);
    let first_id = assert_accepted(&crank.post_report(&accepted_before).await);

    let mut body = vec![
        serde_json::to_value(crank.report(&b, 0, 1, 100)).unwrap(), // accepted
        serde_json::to_value(accepted_before).unwrap(),             // retry: same id
        serde_json::to_value(crank.report(&stranger, 0, 1, 100)).unwrap(), // unknown
        serde_json::json!({ "report": "nonsense" }),                // malformed entry
        serde_json::to_value(crank.report(&b, 1, 1, 100)).unwrap(), // replay of b's 1
        serde_json::to_value(crank.report(&a, 0, 2, 999)).unwrap(), // conflict with a's
        serde_json::to_value(sign(&crank.work(&a, 1, 3, 100), &b)).unwrap(), // forged
        serde_json::to_value(crank.report(&a, 2, 4, 100)).unwrap(), // accepted
    ];
    let (status, answer) = crank
        .post(
            "/v1/reports/batch",
            serde_json::Value::from(std::mem::take(&mut body)).to_string(),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().unwrap();
    let codes: Vec<&str> = results
        .iter()
        .map(|r| r["code"].as_str().unwrap_or(r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            "accepted",
            "accepted",
            "unknown_device",
            "malformed",
            "replay",
            "conflict",
            "bad_signature",
            "accepted"
        ]
    );
    assert_eq!(results[1]["report_id"], first_id);
    for refused in [2, 3, 4, 5, 6] {
        assert_eq!(results[refused]["status"], "rejected");
        assert!(results[refused]["message"].as_str().is_some());
    }

    // Stored: b's hour 0 and a's hour 2 (a's hour 0 is out: conflicted).
    let stored: Vec<(u8, i64)> = crank
        .stored()
        .iter()
        .map(|s| {
            let seed = if s.report.device == a.pubkey_bytes() {
                1
            } else {
                2
            };
            (seed, (s.report.period_start - epoch_start()) / HOUR)
        })
        .collect();
    let mut expected = vec![(1, 2), (2, 0)];
    let mut got = stored.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(
        results[0]["report_id"],
        crank
            .stored()
            .iter()
            .find(|s| s.report.device == b.pubkey_bytes())
            .unwrap()
            .id
    );
}

trait KeyBytes {
    fn pubkey_bytes(&self) -> [u8; 32];
}

impl KeyBytes for depin_client::Keypair {
    fn pubkey_bytes(&self) -> [u8; 32] {
        depin_client::Signer::pubkey(self).to_bytes()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_no_array_is_a_400() {
    let crank = Crank::start().await;
    for body in ["{}", "[", "\"x\""] {
        let (status, answer) = crank.post("/v1/reports/batch", body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["code"], "malformed");
    }
    let (status, answer) = crank.post("/v1/reports/batch", "[]").await;
    assert_eq!(
        (status, answer),
        (200, serde_json::json!({ "results": [] }))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_over_the_limits_are_refused_whole() {
    let crank = Crank::start_with(Options {
        limits: Limits {
            max_batch: 3,
            max_body_bytes: 4_096,
        },
        ..Options::default()
    })
    .await;
    let device = crank.device(1);
    let four: Vec<_> = (0..4)
        .map(|h| crank.report(&device, h, h as u64 + 1, 1))
        .collect();
    let (status, answer) = crank.post_batch(&four).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["code"], "batch_too_large");

    let (status, answer) = crank.post("/v1/reports/batch", "[".repeat(5_000)).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["code"], "body_too_large");
    assert!(crank.stored().is_empty());

    let (status, answer) = crank.post_batch(&four[..3]).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(crank.stored().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_failure_fails_the_whole_batch() {
    let crank = Crank::start().await;
    let device = crank.device(1);
    let reports: Vec<_> = (0..3)
        .map(|h| crank.report(&device, h, h as u64 + 1, 1))
        .collect();
    crank.storage.fail_writes.store(true, Ordering::SeqCst);
    let (status, answer) = crank.post_batch(&reports).await;
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["code"], "unavailable");
    assert!(crank.stored().is_empty());
    assert_eq!(
        crank.metric("depin_crank_ingest_unavailable_total").await,
        3
    );
}
