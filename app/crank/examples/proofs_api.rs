//! Benchmark: the proofs API at N leaves (default 1,000,000): load the
//! claimable tree into the proof book, then `GET /v1/rewards/{recipient}`
//! over loopback HTTP for random recipients, C requests in flight; prints
//! the load time, throughput and latency percentiles.
//!
//! `cargo run --release -p depin-crank --example proofs_api -- 1000000 20000 32`

#[path = "support/memory.rs"]
mod memory;

use std::sync::Arc;
use std::time::{Duration, Instant};

use depin_client::Pubkey;
use depin_crank::epoch::{ActiveTree, TreeRecord, ACTIVE_EPOCH, ACTIVE_TREE};
use depin_crank::proofs::ProofBook;
use depin_crank::proofs_api::{self, ProofsState};
use depin_crank::storage::{SqliteStorage, Storage};
use depin_scoring::{EpochScores, Key, Ledger, Payout};

#[tokio::main]
async fn main() {
    let mut args = std::env::args()
        .skip(1)
        .map(|a| a.parse::<usize>().expect("a number"));
    let leaves = args.next().unwrap_or(1_000_000);
    let requests = args.next().unwrap_or(20_000);
    let concurrency = args.next().unwrap_or(32);

    let recipients: Vec<Key> = (0..leaves as u64).map(key).collect();
    let mut sorted = recipients.clone();
    sorted.sort();
    let mut ledger = Ledger::new();
    let payouts: Vec<Payout> = sorted
        .iter()
        .map(|recipient| Payout {
            recipient: *recipient,
            amount: 1_000,
        })
        .collect();
    let total = 1_000 * leaves as u64;
    ledger
        .apply(&EpochScores {
            epoch: 1,
            emission: total,
            carried_in: 0,
            counted_work_wh: 0,
            devices: vec![],
            payouts,
            remainder: 0,
        })
        .expect("ledger");
    let network = Pubkey::new_from_array([3u8; 32]);
    let distributor = Pubkey::new_from_array([4u8; 32]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let storage: Arc<dyn Storage> =
        Arc::new(SqliteStorage::open(dir.path().join("bench.db")).expect("database"));
    let active = ActiveTree {
        tree: TreeRecord {
            epoch: 1,
            root: None,
            cumulative_total: total,
            recipient_count: leaves as u32,
        },
        ledger,
    };
    storage
        .put_state(
            &network.to_bytes(),
            ACTIVE_TREE,
            &serde_json::to_vec(&active).unwrap(),
        )
        .unwrap();
    storage
        .put_state(&network.to_bytes(), ACTIVE_EPOCH, b"1")
        .unwrap();
    drop(active);

    let book = Arc::new(ProofBook::new(Arc::clone(&storage), network, distributor));
    let started = Instant::now();
    book.reload().expect("loaded");
    let load = started.elapsed();
    let app = proofs_api::router(ProofsState {
        book,
        storage,
        network,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::new();
    let recipients = Arc::new(recipients);
    let started = Instant::now();
    let mut tasks = vec![];
    for worker in 0..concurrency {
        let (client, url, recipients) = (client.clone(), url.clone(), Arc::clone(&recipients));
        tasks.push(tokio::spawn(async move {
            let mut latencies = vec![];
            let mut state = worker as u64 + 1;
            for _ in 0..requests / concurrency {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let recipient = recipients[(state >> 33) as usize % recipients.len()];
                let key = Pubkey::new_from_array(recipient.to_bytes());
                let sent = Instant::now();
                let response = client
                    .get(format!("{url}/v1/rewards/{key}"))
                    .send()
                    .await
                    .expect("answer");
                assert!(response.status().is_success());
                let _ = response.bytes().await.expect("body");
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies: Vec<Duration> = vec![];
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "proofs API, {leaves} leaves: tree loaded in {load:.2?}; {} requests, {concurrency} in flight: \
         {:.0}/s, p50 {:.2?}, p99 {:.2?}, max {:.2?}; peak memory {} MB",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
        latencies[latencies.len() - 1],
        memory::peak_rss_mb()
    );
}

fn key(i: u64) -> Key {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&i.to_le_bytes());
    bytes[8..16].copy_from_slice(&i.wrapping_mul(0x9e3779b97f4a7c15).to_le_bytes());
    Key(bytes)
}
