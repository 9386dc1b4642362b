//! A process killed with SIGKILL mid-write loses nothing it acknowledged and
//! leaves a sound database.
//!
//! The parent test runs this test binary again as a child (`child_process`,
//! selected by an environment variable) that accepts reports and prints
//! `ack` lines after each commit, then kills it at a random moment. This is a
//! process crash: the OS keeps what the child wrote, so it tests that a
//! commit is atomic and that recovery replays the WAL, not that the disk
//! honours fsync (a power cut).

use std::collections::hash_map::RandomState;
use std::collections::BTreeSet;
use std::hash::BuildHasher;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use depin_crank::storage::{AcceptOutcome, SqliteStorage, Storage};
use rusqlite::Connection;

use crate::support::{device, epoch_of, report, NETWORK};

const CHILD_DB: &str = "DEPIN_CRANK_CRASH_CHILD_DB";
const DEVICES: u64 = 50;
const ROUNDS: usize = 6;

/// The report number `n` of the child's fixed stream: devices take turns,
/// each sending its periods in order with sequence = period + 1.
fn nth_report(n: u64) -> depin_crank::storage::ReportRow {
    let device_number = u8::try_from(n % DEVICES).unwrap();
    let period = n / DEVICES;
    report(
        device(device_number),
        i64::try_from(period).unwrap(),
        period + 1,
        100 + n % 7,
    )
}

/// Runs only as the child: accepts the stream from the start (a restarted
/// child finds the first part stored already: duplicates), alternating single
/// reports and batches, until killed.
#[test]
fn child_process() {
    let Ok(path) = std::env::var(CHILD_DB) else {
        return;
    };
    let storage = SqliteStorage::open(path).unwrap();
    let stdout = std::io::stdout();
    let started = Instant::now();
    let mut next = 0u64;
    // A bound in case the parent died without killing us.
    while started.elapsed() < Duration::from_secs(60) {
        let batch_len = 1 + next % 5;
        let batch: Vec<_> = (next..next + batch_len).map(nth_report).collect();
        let outcomes = storage.accept_batch(&batch).unwrap();
        let mut out = stdout.lock();
        for (row, outcome) in batch.iter().zip(outcomes) {
            assert!(
                matches!(
                    outcome,
                    AcceptOutcome::Accepted { .. } | AcceptOutcome::Duplicate { .. }
                ),
                "{outcome:?}"
            );
            writeln!(out, "ack {} {}", row.device[0], row.period_start).unwrap();
        }
        next += batch_len;
    }
}

fn random_below(bound: u64) -> u64 {
    RandomState::new().hash_one(Instant::now()) % bound
}

/// Spawns the child on `path`, kills it after a random number of
/// acknowledgements and a random delay, and returns every (device,
/// period_start) it acknowledged.
fn run_and_kill(path: &Path) -> BTreeSet<(u8, i64)> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    let kill_after = 1 + random_below(600);
    let mut acked = BTreeSet::new();
    while (acked.len() as u64) < kill_after {
        match lines.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => acked.extend(parse_ack(&line)),
            Err(error) => panic!("the child stopped acknowledging: {error}"),
        }
    }
    std::thread::sleep(Duration::from_micros(random_below(3_000)));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    reader.join().unwrap();
    // Lines the child printed before it died are acknowledgements too.
    acked.extend(lines.try_iter().filter_map(|line| parse_ack(&line)));
    acked
}

/// (device, period_start) from an `ack` line; None for the test harness's
/// own lines.
fn parse_ack(line: &str) -> Option<(u8, i64)> {
    let (device, period_start) = line.strip_prefix("ack ")?.split_once(' ')?;
    Some((device.parse().ok()?, period_start.parse().ok()?))
}

fn integrity_check(path: &Path) -> String {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap()
}

#[test]
fn a_killed_writer_loses_no_acknowledged_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crank.db");
    let mut acked = BTreeSet::new();
    for round in 0..ROUNDS {
        acked.extend(run_and_kill(&path));
        assert_eq!(integrity_check(&path), "ok", "round {round}");

        let storage = SqliteStorage::open(&path).unwrap();
        let mut stored = BTreeSet::new();
        let last_epoch = epoch_of(acked.iter().map(|&(_, start)| start).max().unwrap());
        for epoch in 0..=last_epoch + 1 {
            for stored_report in storage.reports_for_epoch(&NETWORK, epoch).unwrap() {
                let row = stored_report.report;
                assert!(
                    stored.insert((row.device[0], row.period_start)),
                    "counted twice: {row:?}"
                );
                assert_eq!(row.epoch, epoch);
            }
        }
        let lost: Vec<_> = acked.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "round {round}: acknowledged but lost: {lost:?}"
        );
        assert!(storage.conflicts(&NETWORK, 0).unwrap().is_empty());
    }
}
