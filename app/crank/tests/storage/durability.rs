//! What survives closing the database, and the schema migrations.

use depin_crank::storage::{
    SqliteStorage, StepWrite, Storage, StorageError, MIGRATIONS, SCHEMA_VERSION,
};
use rusqlite::Connection;

use crate::support::{device, report, NETWORK};

#[test]
fn a_reopened_database_holds_everything_committed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crank.db");
    let (counted, evidence) = {
        let storage = SqliteStorage::open(&path).unwrap();
        storage
            .accept_report(&report(device(1), 3, 1, 500))
            .unwrap();
        storage
            .accept_report(&report(device(2), 3, 1, 400))
            .unwrap();
        storage
            .accept_report(&report(device(2), 3, 2, 401))
            .unwrap();
        storage
            .accept_report(&report(device(3), 30, 9, 10))
            .unwrap();
        storage.freeze_epoch(&NETWORK, 0).unwrap();
        storage
            .record_step(&StepWrite {
                network: NETWORK,
                epoch: 0,
                step: "score".into(),
                result: b"scores".to_vec(),
                state: vec![("ledger".into(), b"ledger".to_vec())],
            })
            .unwrap();
        (
            storage.reports_for_epoch(&NETWORK, 0).unwrap(),
            storage.conflicts(&NETWORK, 0).unwrap(),
        )
    };

    let storage = SqliteStorage::open(&path).unwrap();
    assert_eq!(storage.reports_for_epoch(&NETWORK, 0).unwrap(), counted);
    assert_eq!(counted.len(), 1);
    assert_eq!(storage.reports_for_epoch(&NETWORK, 1).unwrap().len(), 1);
    assert_eq!(storage.conflicts(&NETWORK, 0).unwrap(), evidence);
    assert_eq!(evidence.len(), 1);
    assert!(storage.is_frozen(&NETWORK, 0).unwrap());
    assert_eq!(storage.completed_steps(&NETWORK, 0).unwrap(), ["score"]);
    assert_eq!(
        storage.get_state(&NETWORK, "ledger").unwrap().as_deref(),
        Some(&b"ledger"[..])
    );
    assert_eq!(
        storage.last_sequence(&NETWORK, &device(2)).unwrap(),
        Some(2)
    );
    assert_eq!(
        storage.last_sequence(&NETWORK, &device(3)).unwrap(),
        Some(9)
    );
}

fn versions(path: &std::path::Path) -> Vec<i64> {
    let conn = Connection::open(path).unwrap();
    let mut statement = conn
        .prepare("SELECT version FROM schema_version ORDER BY version")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn an_empty_database_is_migrated_to_the_latest_schema_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crank.db");
    let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();

    drop(SqliteStorage::open(&path).unwrap());
    assert_eq!(versions(&path), all);
    assert_eq!(all.last(), Some(&SCHEMA_VERSION));
    drop(SqliteStorage::open(&path).unwrap());
    assert_eq!(versions(&path), all, "a reopen applies nothing again");

    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    for table in [
        "reports",
        "conflicts",
        "device_sequences",
        "frozen_epochs",
        "epoch_steps",
        "state",
    ] {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                [table],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(found, 1, "table {table}");
    }
}

#[test]
fn a_database_from_a_newer_crank_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crank.db");
    drop(SqliteStorage::open(&path).unwrap());
    let newer = SCHEMA_VERSION + 1;
    Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO schema_version (version, name) VALUES (?1, 'from the future')",
            [newer],
        )
        .unwrap();

    let error = SqliteStorage::open(&path).err().expect("refused");
    assert!(
        matches!(error, StorageError::SchemaTooNew { found, known } if found == newer && known == SCHEMA_VERSION),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains("newer than this crank knows"), "{message}");
    assert_eq!(versions(&path).last(), Some(&newer));
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crank.db");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    assert!(SqliteStorage::open(&path).is_err());
}
