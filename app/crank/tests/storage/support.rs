//! Report rows and databases for the tests.

use depin_crank::storage::{Key32, ReportRow, SqliteStorage};
use tempfile::TempDir;

pub const NETWORK: Key32 = [7; 32];
pub const PERIOD_SECS: u32 = 3_600;
/// Epochs of a day of hourly periods.
pub const PERIODS_PER_EPOCH: i64 = 24;

/// The epoch a period starting at `period_start` belongs to.
pub fn epoch_of(period_start: i64) -> u64 {
    let epoch = period_start / (i64::from(PERIOD_SECS) * PERIODS_PER_EPOCH);
    u64::try_from(epoch).expect("period_start is not negative")
}

pub fn device(n: u8) -> Key32 {
    [n; 32]
}

/// A report of device `device` for period number `period`, its message
/// standing in for the signed encoding: every field, so two rows have equal
/// messages exactly when their fields are equal.
pub fn report(device: Key32, period: i64, sequence: u64, energy_wh: u64) -> ReportRow {
    let period_start = period * i64::from(PERIOD_SECS);
    let uptime_secs = PERIOD_SECS;
    let mut message = b"test-report".to_vec();
    message.extend_from_slice(&NETWORK);
    message.extend_from_slice(&device);
    message.extend_from_slice(&period_start.to_le_bytes());
    message.extend_from_slice(&PERIOD_SECS.to_le_bytes());
    message.extend_from_slice(&energy_wh.to_le_bytes());
    message.extend_from_slice(&uptime_secs.to_le_bytes());
    message.extend_from_slice(&sequence.to_le_bytes());
    let mut signature = [0u8; 64];
    signature[..8].copy_from_slice(&sequence.to_le_bytes());
    signature[8..16].copy_from_slice(&energy_wh.to_le_bytes());
    signature[16..48].copy_from_slice(&device);
    ReportRow {
        network: NETWORK,
        device,
        period_start,
        period_secs: PERIOD_SECS,
        sequence,
        energy_wh,
        uptime_secs,
        epoch: epoch_of(period_start),
        message,
        signature,
        received_at: 1_700_000_000 + period,
    }
}

/// A fresh database file in its own temporary directory (kept alive by the
/// returned guard).
pub fn open_temp() -> (TempDir, SqliteStorage) {
    let dir = tempfile::tempdir().expect("temp dir");
    let storage = SqliteStorage::open(dir.path().join("crank.db")).expect("open");
    (dir, storage)
}
