//! The simulator against a real crank: what it counts is what was stored.

use depin_client::Signer;
use depin_crank::simulate::{Period, Simulator};

use crate::support::*;

fn hour(h: i64, energy_wh: u64) -> Period {
    Period {
        start: epoch_start() + h * HOUR,
        secs: HOUR as u32,
        energy_wh,
        uptime_secs: HOUR as u32,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_verdicts_singly_and_in_batches() {
    let crank = Crank::start().await;
    let simulator = Simulator::seeded(crank.url.clone(), crank.network, 1, 6);
    // The same seed is the same fleet.
    assert_eq!(
        Simulator::seeded(crank.url.clone(), crank.network, 1, 6).keys(),
        simulator.keys()
    );
    for device in &simulator.devices()[..5] {
        crank.register(device);
    }

    // Six devices, one unregistered; one report over the plausible limit.
    let mut reports = simulator.reports(hour(0, 1_000));
    reports[0] = simulator.report(&simulator.devices()[0], hour(0, 9_999), 1);
    let summary = simulator.send_each(&reports, 4).await;
    assert_eq!(summary.accepted, 4);
    assert_eq!(summary.rejected.get("implausible"), Some(&1));
    assert_eq!(summary.rejected.get("unknown_device"), Some(&1));
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert_eq!(summary.latencies.len(), 6);
    assert!(summary.latency_percentile(99.0) >= summary.latency_percentile(50.0));

    // The next hour in batches of 4, plus a retry of hour 0 (accepted again).
    let mut next = simulator.reports(hour(1, 1_000));
    next.push(reports[1]);
    let summary = simulator.send_batches(&next, 4, 2).await;
    assert_eq!(summary.total(), 7);
    assert_eq!(summary.accepted, 6);
    assert_eq!(summary.rejected.get("unknown_device"), Some(&1));
    assert_eq!(summary.latencies.len(), 2, "two requests");

    let stored = crank.stored();
    assert_eq!(stored.len(), 4 + 5);
    let unregistered = simulator.devices()[5].pubkey().to_bytes();
    assert!(stored.iter().all(|s| s.report.device != unregistered));
}
