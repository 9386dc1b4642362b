//! The ingest benchmark (ignored by default): a simulated fleet sends over
//! loopback to a crank committing durably to SQLite.
//!
//! `cargo test -p depin-crank --test http -- --ignored --nocapture ingest_throughput`
//! Scale with `BENCH_DEVICES` (default 2,000), `BENCH_HOURS` (default 5:
//! reports per device for each endpoint) and `BENCH_CONCURRENCY` (default
//! 64 single requests in flight).

use depin_crank::simulate::{Period, SendSummary, Simulator};

use crate::support::*;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Group commits so far: how many, and the seconds they took in all.
async fn commits(crank: &Crank) -> (u64, f64) {
    let count = crank
        .metric("depin_crank_ingest_commit_seconds_count")
        .await;
    let seconds = crank
        .metric_value("depin_crank_ingest_commit_seconds_sum")
        .await
        .parse()
        .unwrap();
    (count, seconds)
}

fn print_commits(reports: usize, before: (u64, f64), after: (u64, f64)) {
    let (count, seconds) = (after.0 - before.0, after.1 - before.1);
    println!(
        "  {count} group commits, {:.1} reports and {:.2} ms each, committer busy {:.2} s",
        reports as f64 / count.max(1) as f64,
        seconds * 1e3 / count.max(1) as f64,
        seconds
    );
}

fn print(label: &str, summary: &SendSummary) {
    println!(
        "{label}: {} reports in {:.2} s = {:.0} reports/s; request latency p50 {:.1} ms, p99 {:.1} ms; accepted {}, rejected {:?}, failed {:?}",
        summary.total(),
        summary.elapsed.as_secs_f64(),
        summary.reports_per_sec(),
        summary.latency_percentile(50.0).as_secs_f64() * 1e3,
        summary.latency_percentile(99.0).as_secs_f64() * 1e3,
        summary.accepted,
        summary.rejected,
        summary.failed,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn ingest_throughput() {
    let devices = env_usize("BENCH_DEVICES", 2_000);
    let hours = env_usize("BENCH_HOURS", 5) as i64;
    let crank = Crank::start().await;
    // Late in the open epoch: 2 x `hours` ended hours to report.
    crank.clock.set(epoch_start() + 2 * hours * HOUR);
    let simulator = Simulator::seeded(crank.url.clone(), crank.network, 7, devices);
    for device in simulator.devices() {
        crank.register(device);
    }
    let period = |hour: i64| Period {
        start: epoch_start() + hour * HOUR,
        secs: HOUR as u32,
        energy_wh: 3_000,
        uptime_secs: HOUR as u32,
    };

    let signing = std::time::Instant::now();
    // Hour by hour, as devices report: a device's next report is sent only
    // after its last one was answered.
    let single: Vec<Vec<_>> = (0..hours).map(|h| simulator.reports(period(h))).collect();
    // A gateway sends each device's reports in order, in one batch: the
    // batches in flight at once hold different devices.
    let later: Vec<Vec<_>> = (hours..2 * hours)
        .map(|h| simulator.reports(period(h)))
        .collect();
    let batched: Vec<_> = (0..devices)
        .flat_map(|device| later.iter().map(move |hour| hour[device]))
        .collect();
    println!(
        "signed {} reports in {:.1} s",
        single.len() * devices + batched.len(),
        signing.elapsed().as_secs_f64()
    );

    // The server's main CPU cost per report: one ed25519 verification.
    let sample = &single[0][..devices.min(50)];
    let verifying = std::time::Instant::now();
    assert!(sample.iter().all(|signed| signed.verify()));
    println!(
        "one signature verification: {:.0} us in this build",
        verifying.elapsed().as_secs_f64() * 1e6 / sample.len() as f64
    );

    let concurrency = env_usize("BENCH_CONCURRENCY", 64);
    let before = commits(&crank).await;
    let mut summary = SendSummary::default();
    for hour in &single {
        summary.merge(simulator.send_each(hour, concurrency).await);
    }
    let single: Vec<_> = single.concat();
    print(
        &format!("POST /v1/reports, concurrency {concurrency}"),
        &summary,
    );
    assert_eq!(summary.accepted, single.len(), "{summary:?}");
    let after = commits(&crank).await;
    print_commits(single.len(), before, after);

    // Whole devices per batch: about 200 reports.
    let per_batch = (200 / hours as usize).max(1) * hours as usize;
    let summary = simulator.send_batches(&batched, per_batch, 8).await;
    print(
        &format!("POST /v1/reports/batch ({per_batch} per request), concurrency 8"),
        &summary,
    );
    assert_eq!(summary.accepted, batched.len());
    print_commits(batched.len(), after, commits(&crank).await);
    assert_eq!(crank.stored().len(), single.len() + batched.len());
}

/// Storage alone: what one group commit of 500 new reports costs, fsync
/// included, on the same rows the HTTP benchmark stores.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --ignored --nocapture"]
async fn storage_commit_cost() {
    use depin_crank::storage::{ReportRow, SqliteStorage, Storage};

    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path().join("crank.db")).unwrap();
    let simulator = Simulator::seeded(
        "http://unused",
        depin_client::Pubkey::new_from_array([42; 32]),
        7,
        500,
    );
    let rows = |hour: i64| -> Vec<ReportRow> {
        let period = Period {
            start: epoch_start() + hour * HOUR,
            secs: HOUR as u32,
            energy_wh: 3_000,
            uptime_secs: HOUR as u32,
        };
        simulator
            .reports(period)
            .iter()
            .map(|signed| ReportRow {
                network: signed.report.network.to_bytes(),
                device: signed.report.device_key.to_bytes(),
                period_start: signed.report.period_start,
                period_secs: signed.report.period_secs,
                sequence: signed.report.sequence,
                energy_wh: signed.report.energy_wh,
                uptime_secs: signed.report.uptime_secs,
                epoch: OPEN_EPOCH,
                message: signed.message().to_vec(),
                signature: *signed.signature.as_array(),
                received_at: 0,
            })
            .collect()
    };
    let batches: Vec<Vec<ReportRow>> = (0..20).map(rows).collect();
    let started = std::time::Instant::now();
    for batch in &batches {
        storage.accept_batch(batch).unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "storage: 20 commits of 500 reports in {elapsed:.2} s = {:.0} reports/s, {:.1} us per report",
        10_000.0 / elapsed,
        elapsed * 1e6 / 10_000.0
    );
}
