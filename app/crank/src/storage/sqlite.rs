//! [`Storage`] on an embedded SQLite database in WAL mode.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use super::migrations::migrate;
use super::{
    AcceptOutcome, ConflictEvidence, Key32, Rejection, ReportRow, SignedCopy, StepWrite, Storage,
    StorageError, StorageResult, StoredReport,
};

/// How long a statement waits for another connection's write lock (another
/// process on the same file, a checkpoint) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite storage: one connection for writes, serialized by a mutex (SQLite
/// allows one writer at a time anyway), and one for reads, so the proofs API
/// keeps answering from the last commit while a write waits on its fsync.
pub struct SqliteStorage {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl From<rusqlite::Error> for StorageError {
    fn from(error: rusqlite::Error) -> Self {
        StorageError::Backend(Box::new(error))
    }
}

impl SqliteStorage {
    /// Opens (creating if needed) the database at `path` and migrates it to
    /// the schema this code knows, or refuses one a newer crank wrote.
    pub fn open(path: impl AsRef<Path>) -> StorageResult<Self> {
        let path = path.as_ref();
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        migrate(&mut writer)?;
        let reader = Connection::open(path)?;
        configure(&reader)?;
        reader.pragma_update(None, "query_only", true)?;
        Ok(Self {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-transaction dropped (rolled back) that transaction, so
        // the connection behind a poisoned lock is still sound.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reader.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `write` in one IMMEDIATE transaction (the write lock is taken at
    /// BEGIN, so the reads inside decide on data no one else can change
    /// before the commit) and commits only if it returns `Ok`.
    fn write<T>(
        &self,
        write: impl FnOnce(&Transaction<'_>) -> StorageResult<T>,
    ) -> StorageResult<T> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = write(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

/// WAL lets readers run while a write commits. `synchronous = FULL` fsyncs
/// the WAL at every commit: in WAL mode the default (NORMAL) syncs only at
/// checkpoints, so a power cut could roll back a report already answered
/// with 202. Foreign keys are off by default in SQLite.
fn configure(conn: &Connection) -> StorageResult<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StorageError::Malformed(format!(
            "SQLite refused WAL mode (journal_mode is {mode})"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

fn to_i64(field: &'static str, value: u64) -> StorageResult<i64> {
    i64::try_from(value).map_err(|_| StorageError::OutOfRange { field, value })
}

fn to_u64(field: &str, value: i64) -> StorageResult<u64> {
    u64::try_from(value).map_err(|_| StorageError::Malformed(format!("{field} = {value}")))
}

fn to_array<const N: usize>(field: &str, bytes: Vec<u8>) -> StorageResult<[u8; N]> {
    let len = bytes.len();
    bytes
        .try_into()
        .map_err(|_| StorageError::Malformed(format!("{field} has {len} bytes, not {N}")))
}

/// The stored report for the same device and period as a new one.
struct SamePeriod {
    id: i64,
    message: Vec<u8>,
    epoch: i64,
    conflicted: bool,
}

fn accept_one(tx: &Transaction<'_>, report: &ReportRow) -> StorageResult<AcceptOutcome> {
    let sequence = to_i64("sequence", report.sequence)?;
    let energy_wh = to_i64("energy_wh", report.energy_wh)?;
    let epoch = to_i64("epoch", report.epoch)?;

    let same_period = tx
        .prepare_cached(
            "SELECT id, message, epoch, conflicted FROM reports
             WHERE network = ?1 AND device = ?2 AND period_start = ?3",
        )?
        .query_row(
            (&report.network, &report.device, report.period_start),
            |row| {
                Ok(SamePeriod {
                    id: row.get(0)?,
                    message: row.get(1)?,
                    epoch: row.get(2)?,
                    conflicted: row.get(3)?,
                })
            },
        )
        .optional()?;

    if let Some(stored) = &same_period {
        if let Some(outcome) = retry_outcome(tx, stored, &report.message)? {
            return Ok(outcome);
        }
    }
    for epoch in [Some(epoch), same_period.as_ref().map(|s| s.epoch)]
        .into_iter()
        .flatten()
    {
        if is_frozen(tx, &report.network, epoch)? {
            return Ok(AcceptOutcome::Rejected(Rejection::EpochFrozen {
                epoch: to_u64("epoch", epoch)?,
            }));
        }
    }

    let last_sequence = last_sequence(tx, &report.network, &report.device)?;
    if let Some(stored) = same_period {
        raise_sequence(tx, report, sequence, last_sequence)?;
        tx.prepare_cached("UPDATE reports SET conflicted = 1 WHERE id = ?1")?
            .execute([stored.id])?;
        tx.prepare_cached(
            "INSERT INTO conflicts (first_report_id, second_sequence, second_message,
                                    second_signature, second_received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute((
            stored.id,
            sequence,
            &report.message,
            &report.signature,
            report.received_at,
        ))?;
        let conflict_id = tx.last_insert_rowid();
        return Ok(AcceptOutcome::Rejected(Rejection::Conflict { conflict_id }));
    }
    if let Some(last) = last_sequence {
        if sequence <= last {
            return Ok(AcceptOutcome::Rejected(Rejection::Replay {
                last_sequence: to_u64("last_sequence", last)?,
            }));
        }
    }
    raise_sequence(tx, report, sequence, last_sequence)?;
    tx.prepare_cached(
        "INSERT INTO reports (network, device, period_start, period_secs, sequence, energy_wh,
                              uptime_secs, epoch, message, signature, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute((
        &report.network,
        &report.device,
        report.period_start,
        report.period_secs,
        sequence,
        energy_wh,
        report.uptime_secs,
        epoch,
        &report.message,
        &report.signature,
        report.received_at,
    ))?;
    Ok(AcceptOutcome::Accepted {
        report_id: tx.last_insert_rowid(),
    })
}

/// The answer a retry of an already stored report gets: the same as the
/// first time, or `Conflict` once a conflict has dropped it. `None` if
/// `message` is a new report for that period.
fn retry_outcome(
    tx: &Transaction<'_>,
    stored: &SamePeriod,
    message: &[u8],
) -> StorageResult<Option<AcceptOutcome>> {
    let conflict_id: Option<i64> = if stored.message == message {
        if !stored.conflicted {
            return Ok(Some(AcceptOutcome::Duplicate {
                report_id: stored.id,
            }));
        }
        tx.prepare_cached("SELECT min(id) FROM conflicts WHERE first_report_id = ?1")?
            .query_row([stored.id], |row| row.get(0))?
    } else {
        tx.prepare_cached(
            "SELECT min(id) FROM conflicts WHERE first_report_id = ?1 AND second_message = ?2",
        )?
        .query_row((stored.id, message), |row| row.get(0))?
    };
    Ok(conflict_id.map(|conflict_id| AcceptOutcome::Rejected(Rejection::Conflict { conflict_id })))
}

fn raise_sequence(
    tx: &Transaction<'_>,
    report: &ReportRow,
    sequence: i64,
    last_sequence: Option<i64>,
) -> StorageResult<()> {
    if last_sequence.is_some_and(|last| last >= sequence) {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO device_sequences (network, device, last_sequence) VALUES (?1, ?2, ?3)
         ON CONFLICT (network, device) DO UPDATE SET last_sequence = excluded.last_sequence",
    )?
    .execute((&report.network, &report.device, sequence))?;
    Ok(())
}

fn last_sequence(conn: &Connection, network: &Key32, device: &Key32) -> StorageResult<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT last_sequence FROM device_sequences WHERE network = ?1 AND device = ?2",
        )?
        .query_row((network, device), |row| row.get(0))
        .optional()?)
}

fn is_frozen(conn: &Connection, network: &Key32, epoch: i64) -> StorageResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM frozen_epochs WHERE network = ?1 AND epoch = ?2")?
        .query_row((network, epoch), |_| Ok(()))
        .optional()?
        .is_some())
}

/// Columns: network, device, period_start, period_secs, sequence, energy_wh,
/// uptime_secs, epoch, message, signature, received_at, from `offset` on.
fn report_from_row(row: &Row<'_>, offset: usize) -> StorageResult<ReportRow> {
    Ok(ReportRow {
        network: to_array("network", row.get(offset)?)?,
        device: to_array("device", row.get(offset + 1)?)?,
        period_start: row.get(offset + 2)?,
        period_secs: row.get(offset + 3)?,
        sequence: to_u64("sequence", row.get(offset + 4)?)?,
        energy_wh: to_u64("energy_wh", row.get(offset + 5)?)?,
        uptime_secs: row.get(offset + 6)?,
        epoch: to_u64("epoch", row.get(offset + 7)?)?,
        message: row.get(offset + 8)?,
        signature: to_array("signature", row.get(offset + 9)?)?,
        received_at: row.get(offset + 10)?,
    })
}

const REPORT_COLUMNS: &str = "network, device, period_start, period_secs, sequence, energy_wh, \
                              uptime_secs, epoch, message, signature, received_at";

impl Storage for SqliteStorage {
    fn accept_batch(&self, reports: &[ReportRow]) -> StorageResult<Vec<AcceptOutcome>> {
        self.write(|tx| {
            reports
                .iter()
                .map(|report| accept_one(tx, report))
                .collect()
        })
    }

    fn last_sequence(&self, network: &Key32, device: &Key32) -> StorageResult<Option<u64>> {
        last_sequence(&self.reader(), network, device)?
            .map(|last| to_u64("last_sequence", last))
            .transpose()
    }

    fn reports_for_epoch(&self, network: &Key32, epoch: u64) -> StorageResult<Vec<StoredReport>> {
        let epoch = to_i64("epoch", epoch)?;
        let conn = self.reader();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT id, {REPORT_COLUMNS} FROM reports
             WHERE network = ?1 AND epoch = ?2 AND conflicted = 0
             ORDER BY device, period_start"
        ))?;
        let mut rows = statement.query((network, epoch))?;
        let mut reports = Vec::new();
        while let Some(row) = rows.next()? {
            reports.push(StoredReport {
                id: row.get(0)?,
                report: report_from_row(row, 1)?,
            });
        }
        Ok(reports)
    }

    fn conflicts(&self, network: &Key32, epoch: u64) -> StorageResult<Vec<ConflictEvidence>> {
        let epoch = to_i64("epoch", epoch)?;
        let conn = self.reader();
        let mut statement = conn.prepare_cached(&format!(
            "SELECT c.id, c.second_sequence, c.second_message, c.second_signature,
                    c.second_received_at, {REPORT_COLUMNS}
             FROM conflicts c JOIN reports r ON r.id = c.first_report_id
             WHERE r.network = ?1 AND r.epoch = ?2
             ORDER BY c.id"
        ))?;
        let mut rows = statement.query((network, epoch))?;
        let mut conflicts = Vec::new();
        while let Some(row) = rows.next()? {
            let first = report_from_row(row, 5)?;
            conflicts.push(ConflictEvidence {
                id: row.get(0)?,
                network: first.network,
                device: first.device,
                period_start: first.period_start,
                epoch: first.epoch,
                second: SignedCopy {
                    sequence: to_u64("second_sequence", row.get(1)?)?,
                    message: row.get(2)?,
                    signature: to_array("second_signature", row.get(3)?)?,
                    received_at: row.get(4)?,
                },
                first: SignedCopy {
                    sequence: first.sequence,
                    message: first.message,
                    signature: first.signature,
                    received_at: first.received_at,
                },
            });
        }
        Ok(conflicts)
    }

    fn freeze_epoch(&self, network: &Key32, epoch: u64) -> StorageResult<bool> {
        let epoch = to_i64("epoch", epoch)?;
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO frozen_epochs (network, epoch) VALUES (?1, ?2)",
                (network, epoch),
            )?;
            Ok(inserted == 1)
        })
    }

    fn is_frozen(&self, network: &Key32, epoch: u64) -> StorageResult<bool> {
        is_frozen(&self.reader(), network, to_i64("epoch", epoch)?)
    }

    fn record_step(&self, write: &StepWrite) -> StorageResult<()> {
        let epoch = to_i64("epoch", write.epoch)?;
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT OR IGNORE INTO epoch_steps (network, epoch, step, result)
                 VALUES (?1, ?2, ?3, ?4)",
                (&write.network, epoch, &write.step, &write.result),
            )?;
            if inserted == 0 {
                return Err(StorageError::StepAlreadyRecorded {
                    step: write.step.clone(),
                    epoch: write.epoch,
                });
            }
            for (key, value) in &write.state {
                put_state(tx, &write.network, key, value)?;
            }
            Ok(())
        })
    }

    fn completed_steps(&self, network: &Key32, epoch: u64) -> StorageResult<Vec<String>> {
        let epoch = to_i64("epoch", epoch)?;
        let conn = self.reader();
        let mut statement = conn.prepare_cached(
            "SELECT step FROM epoch_steps WHERE network = ?1 AND epoch = ?2 ORDER BY id",
        )?;
        let steps = statement
            .query_map((network, epoch), |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(steps)
    }

    fn step_result(
        &self,
        network: &Key32,
        epoch: u64,
        step: &str,
    ) -> StorageResult<Option<Vec<u8>>> {
        let epoch = to_i64("epoch", epoch)?;
        Ok(self
            .reader()
            .query_row(
                "SELECT result FROM epoch_steps WHERE network = ?1 AND epoch = ?2 AND step = ?3",
                (network, epoch, step),
                |row| row.get(0),
            )
            .optional()?)
    }

    fn put_state(&self, network: &Key32, key: &str, value: &[u8]) -> StorageResult<()> {
        self.write(|tx| put_state(tx, network, key, value))
    }

    fn get_state(&self, network: &Key32, key: &str) -> StorageResult<Option<Vec<u8>>> {
        Ok(self
            .reader()
            .query_row(
                "SELECT value FROM state WHERE network = ?1 AND key = ?2",
                (network, key),
                |row| row.get(0),
            )
            .optional()?)
    }
}

fn put_state(tx: &Transaction<'_>, network: &Key32, key: &str, value: &[u8]) -> StorageResult<()> {
    tx.execute(
        "INSERT INTO state (network, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (network, key) DO UPDATE SET value = excluded.value",
        (network, key, value),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_connections_use_wal_and_full_sync() {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(dir.path().join("crank.db")).unwrap();
        for conn in [storage.writer(), storage.reader()] {
            let mode: String = conn
                .query_row("PRAGMA journal_mode", [], |row| row.get(0))
                .unwrap();
            let synchronous: i64 = conn
                .query_row("PRAGMA synchronous", [], |row| row.get(0))
                .unwrap();
            assert_eq!((mode.as_str(), synchronous), ("wal", 2), "2 is FULL");
        }
    }
}
