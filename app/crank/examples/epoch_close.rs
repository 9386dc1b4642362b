//! Benchmark: closing an epoch of N devices (default 1,000,000), one report
//! each: read the epoch's reports from SQLite, sum them per device, score,
//! update the cumulative ledger, build the reward tree, persist the ledger
//! with the step record. Chain reads (device accounts) are left out: they
//! depend on the RPC node, not on the crank.
//!
//! `cargo run --profile measure -p depin-crank --example epoch_close -- 1000000`
//! prints each phase's time and the peak resident memory (VmHWM).

#[path = "support/memory.rs"]
mod memory;

use std::collections::BTreeMap;
use std::time::Instant;

use depin_client::rewards::hex32;
use depin_crank::epoch::reward_tree;
use depin_crank::storage::{ReportRow, SqliteStorage, StepWrite, Storage};
use depin_scoring::{score, DeviceWork, Key, Ledger, RawScoringConfig, ScoringConfig};

fn main() {
    let devices: u32 = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("N is a number of devices"))
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let storage = SqliteStorage::open(dir.path().join("bench.db")).expect("database");
    let network = [7u8; 32];
    let epoch = 2;

    let started = Instant::now();
    let rows: Vec<ReportRow> = (0..devices).map(|i| row(network, i, epoch)).collect();
    for chunk in rows.chunks(10_000) {
        storage.accept_batch(chunk).expect("stored");
    }
    drop(rows);
    eprintln!(
        "setup: {devices} reports stored in {:.1?}",
        started.elapsed()
    );

    let total = Instant::now();
    let phase = Instant::now();
    let reports = storage.reports_for_epoch(&network, epoch).expect("read");
    let read = phase.elapsed();

    let phase = Instant::now();
    let mut work: BTreeMap<[u8; 32], u64> = BTreeMap::new();
    for stored in &reports {
        *work.entry(stored.report.device).or_default() += stored.report.energy_wh;
    }
    drop(reports);
    let inputs: Vec<DeviceWork> = work
        .into_iter()
        .map(|(device, work_wh)| DeviceWork {
            device: Key(device),
            owner: Key(owner_of(device)),
            operator: None,
            work_wh,
            active_through_epoch: true,
        })
        .collect();
    let config = ScoringConfig::new(RawScoringConfig {
        emission_per_epoch: 1_000_000_000_000,
        per_device_cap: 10_000_000,
        operator_share_bps: 2_000,
        min_work_wh: 1,
    })
    .expect("config");
    let mut ledger = Ledger::new();
    let scores = score(&config, &ledger.inputs_for(epoch, inputs)).expect("scored");
    ledger.apply(&scores).expect("applied");
    let scored = phase.elapsed();

    let phase = Instant::now();
    let distributor = depin_client::Pubkey::new_from_array([9u8; 32]);
    let tree = reward_tree(&distributor, &ledger);
    let root = tree.root();
    let built = phase.elapsed();

    let phase = Instant::now();
    let ledger_json = serde_json::to_vec(&ledger).expect("ledger JSON");
    storage
        .record_step(&StepWrite {
            network,
            epoch,
            step: "score".into(),
            result: serde_json::to_vec(&scores.remainder).expect("JSON"),
            state: vec![("ledger".into(), ledger_json.clone())],
        })
        .expect("persisted");
    let persisted = phase.elapsed();

    println!(
        "epoch close, {devices} devices: read {read:.2?}, sum+score+ledger {scored:.2?}, \
         tree {built:.2?}, persist {persisted:.2?} ({} MB ledger); total {:.2?}; \
         peak memory {} MB; root {}",
        ledger_json.len() / 1_000_000,
        total.elapsed(),
        memory::peak_rss_mb(),
        hex32(&root)
    );
}

fn row(network: [u8; 32], i: u32, epoch: u64) -> ReportRow {
    let mut device = [0u8; 32];
    device[..4].copy_from_slice(&i.to_le_bytes());
    ReportRow {
        network,
        device,
        period_start: 86_400,
        period_secs: 3_600,
        sequence: 1,
        energy_wh: 1_000 + u64::from(i % 5_000),
        uptime_secs: 3_600,
        epoch,
        // The crank stores the signed message; a message's size is what
        // matters here.
        message: vec![0u8; depin_client::report::MESSAGE_LEN],
        signature: [1u8; 64],
        received_at: 90_000,
    }
}

/// One owner per two devices.
fn owner_of(device: [u8; 32]) -> [u8; 32] {
    let mut owner = device;
    owner[0] &= 0xfe;
    owner[31] = 0xee;
    owner
}
