//! `GET /v1/epochs/{n}/reports`: the epoch's signed reports and conflicts.

use depin_client::report::SignedReport;
use depin_crank::storage::Storage;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_counted_reports_and_both_copies_of_each_conflict() {
    let crank = Crank::start().await;
    let a = crank.device(1);
    let b = crank.device(2);
    let counted = [crank.report(&a, 0, 1, 100), crank.report(&b, 0, 1, 200)];
    for signed in &counted {
        assert_accepted(&crank.post_report(signed).await);
    }
    let first = crank.report(&a, 1, 2, 300);
    let second = crank.report(&a, 1, 3, 301);
    assert_accepted(&crank.post_report(&first).await);
    let conflict = crank.post_report(&second).await;
    assert_refused(&conflict, "conflict");

    let (status, body) = crank.get(&format!("/v1/epochs/{OPEN_EPOCH}/reports")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["epoch"], OPEN_EPOCH);
    assert_eq!(body["frozen"], false);
    let reports: Vec<SignedReport> = serde_json::from_value(body["reports"].clone()).unwrap();
    let mut expected = counted.to_vec();
    // Stored order: by device key bytes, then period.
    expected.sort_by_key(|s| (s.report.device_key.to_bytes(), s.report.period_start));
    assert_eq!(reports, expected);
    assert!(reports.iter().all(SignedReport::verify));

    let conflicts = body["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0]["id"], conflict.1["conflict_id"]);
    assert_eq!(conflicts[0]["device"], a.pubkey_string());
    assert_eq!(conflicts[0]["period_start"], epoch_start() + HOUR);
    let copies: Vec<SignedReport> = ["first", "second"]
        .iter()
        .map(|k| serde_json::from_value(conflicts[0][*k].clone()).unwrap())
        .collect();
    assert_eq!(copies, [first, second]);
    assert!(copies.iter().all(SignedReport::verify));
}

trait KeyString {
    fn pubkey_string(&self) -> String;
}

impl KeyString for depin_client::Keypair {
    fn pubkey_string(&self) -> String {
        depin_client::Signer::pubkey(self).to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_or_frozen_epoch_and_a_bad_number() {
    let crank = Crank::start().await;
    crank
        .storage
        .freeze_epoch(&crank.network.to_bytes(), 1)
        .unwrap();
    let (status, body) = crank.get("/v1/epochs/1/reports").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        serde_json::json!({ "epoch": 1, "frozen": true, "reports": [], "conflicts": [] })
    );
    let (status, body) = crank.get("/v1/epochs/two/reports").await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "malformed");
}
