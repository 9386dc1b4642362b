//! The SQLite schema, as an ordered list of migrations applied at open.
//!
//! A migration, once released, never changes: a schema change is a new entry
//! at the end. `schema_version` keeps one row per applied migration.

use rusqlite::{Connection, TransactionBehavior};

use super::{StorageError, StorageResult};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in the order they apply; versions count up from 1.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "reports, conflicts, device sequences, epochs, steps, state",
    sql: r#"
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    network      BLOB    NOT NULL CHECK (length(network) = 32),
    device       BLOB    NOT NULL CHECK (length(device) = 32),
    period_start INTEGER NOT NULL,
    period_secs  INTEGER NOT NULL,
    sequence     INTEGER NOT NULL CHECK (sequence >= 0),
    energy_wh    INTEGER NOT NULL CHECK (energy_wh >= 0),
    uptime_secs  INTEGER NOT NULL,
    epoch        INTEGER NOT NULL CHECK (epoch >= 0),
    message      BLOB    NOT NULL,
    signature    BLOB    NOT NULL CHECK (length(signature) = 64),
    received_at  INTEGER NOT NULL,
    -- Set when a different report for the same period arrives: the report
    -- stays as evidence but is no longer counted.
    conflicted   INTEGER NOT NULL DEFAULT 0 CHECK (conflicted IN (0, 1)),
    -- One counted-or-conflicted report per device and period: the database
    -- itself refuses a second one, whatever the code above it does.
    UNIQUE (network, device, period_start)
);
CREATE INDEX reports_by_epoch ON reports (network, epoch, device, period_start);

-- The report that revealed a conflict; the first one is the reports row.
CREATE TABLE conflicts (
    id                 INTEGER PRIMARY KEY,
    first_report_id    INTEGER NOT NULL REFERENCES reports (id),
    second_sequence    INTEGER NOT NULL,
    second_message     BLOB    NOT NULL,
    second_signature   BLOB    NOT NULL CHECK (length(second_signature) = 64),
    second_received_at INTEGER NOT NULL
);
CREATE INDEX conflicts_by_report ON conflicts (first_report_id);

CREATE TABLE device_sequences (
    network       BLOB    NOT NULL,
    device        BLOB    NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (network, device)
) WITHOUT ROWID;

CREATE TABLE frozen_epochs (
    network   BLOB    NOT NULL,
    epoch     INTEGER NOT NULL,
    PRIMARY KEY (network, epoch)
) WITHOUT ROWID;

CREATE TABLE epoch_steps (
    id      INTEGER PRIMARY KEY,
    network BLOB    NOT NULL,
    epoch   INTEGER NOT NULL,
    step    TEXT    NOT NULL,
    result  BLOB    NOT NULL,
    UNIQUE (network, epoch, step)
);

CREATE TABLE state (
    network BLOB NOT NULL,
    key     TEXT NOT NULL CHECK (length(key) > 0),
    value   BLOB NOT NULL,
    PRIMARY KEY (network, key)
) WITHOUT ROWID;
"#,
}];

/// The schema version this code writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// Brings the database up to [`SCHEMA_VERSION`] in one transaction, or
/// refuses a database a newer crank has migrated past what this one knows.
pub(super) fn migrate(conn: &mut Connection) -> StorageResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
             version INTEGER PRIMARY KEY,
             name    TEXT NOT NULL
         )",
    )?;
    let current: i64 = tx
        .query_row("SELECT max(version) FROM schema_version", [], |row| {
            row.get::<_, Option<i64>>(0)
        })?
        .unwrap_or(0);
    if current > SCHEMA_VERSION {
        return Err(StorageError::SchemaTooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.execute_batch(migration.sql)?;
        tx.execute(
            "INSERT INTO schema_version (version, name) VALUES (?1, ?2)",
            (migration.version, migration.name),
        )?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_count_up_from_one() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, index as i64 + 1, "{}", migration.name);
        }
    }
}
