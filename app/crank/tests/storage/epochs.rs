//! Freezing epochs, the step journal and the state blobs.

use depin_crank::storage::{AcceptOutcome, Rejection, StepWrite, Storage, StorageError};

use crate::support::{device, open_temp, report, NETWORK, PERIODS_PER_EPOCH};

#[test]
fn a_frozen_epoch_refuses_late_reports_and_keeps_its_count() {
    let (_dir, storage) = open_temp();
    let on_time = report(device(1), 3, 1, 500);
    let AcceptOutcome::Accepted { report_id } = storage.accept_report(&on_time).unwrap() else {
        panic!("accepted");
    };

    assert!(storage.freeze_epoch(&NETWORK, 0).unwrap());
    assert!(
        !storage.freeze_epoch(&NETWORK, 0).unwrap(),
        "already frozen"
    );
    assert!(storage.is_frozen(&NETWORK, 0).unwrap());
    assert!(!storage.is_frozen(&NETWORK, 1).unwrap());
    assert!(!storage.is_frozen(&[9; 32], 0).unwrap());

    let frozen = AcceptOutcome::Rejected(Rejection::EpochFrozen { epoch: 0 });
    // A late report, and a conflicting one that would change the count.
    assert_eq!(
        storage
            .accept_report(&report(device(2), 5, 1, 500))
            .unwrap(),
        frozen
    );
    assert_eq!(
        storage
            .accept_report(&report(device(1), 3, 2, 900))
            .unwrap(),
        frozen
    );
    // A retry of a report accepted in time still gets its answer.
    assert_eq!(
        storage.accept_report(&on_time).unwrap(),
        AcceptOutcome::Duplicate { report_id }
    );
    assert_eq!(storage.reports_for_epoch(&NETWORK, 0).unwrap().len(), 1);
    assert!(storage.conflicts(&NETWORK, 0).unwrap().is_empty());
    assert_eq!(
        storage.last_sequence(&NETWORK, &device(1)).unwrap(),
        Some(1),
        "a refused report does not move the sequence"
    );

    // The next epoch is open.
    let next = report(device(2), PERIODS_PER_EPOCH, 1, 500);
    assert!(matches!(
        storage.accept_report(&next).unwrap(),
        AcceptOutcome::Accepted { .. }
    ));
}

fn step(name: &str, result: &[u8], state: &[(&str, &[u8])]) -> StepWrite {
    StepWrite {
        network: NETWORK,
        epoch: 4,
        step: name.to_string(),
        result: result.to_vec(),
        state: state
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_vec()))
            .collect(),
    }
}

#[test]
fn a_step_records_its_mark_result_and_state_together() {
    let (_dir, storage) = open_temp();
    assert!(storage.completed_steps(&NETWORK, 4).unwrap().is_empty());

    storage
        .record_step(&step("score", b"scores", &[("ledger", b"ledger v4")]))
        .unwrap();
    storage.record_step(&step("tree", b"root", &[])).unwrap();

    assert_eq!(
        storage.completed_steps(&NETWORK, 4).unwrap(),
        ["score", "tree"]
    );
    assert_eq!(
        storage.step_result(&NETWORK, 4, "tree").unwrap().as_deref(),
        Some(&b"root"[..])
    );
    assert_eq!(storage.step_result(&NETWORK, 4, "post").unwrap(), None);
    assert_eq!(
        storage.get_state(&NETWORK, "ledger").unwrap().as_deref(),
        Some(&b"ledger v4"[..])
    );
    assert!(storage.completed_steps(&NETWORK, 5).unwrap().is_empty());
    assert!(storage.completed_steps(&[9; 32], 4).unwrap().is_empty());
}

#[test]
fn a_step_recorded_twice_is_refused_and_changes_nothing() {
    let (_dir, storage) = open_temp();
    storage
        .record_step(&step("score", b"first", &[("ledger", b"v1")]))
        .unwrap();

    let error = storage
        .record_step(&step("score", b"second", &[("ledger", b"v2")]))
        .unwrap_err();
    assert!(
        matches!(&error, StorageError::StepAlreadyRecorded { step, epoch: 4 } if step == "score"),
        "{error}"
    );
    assert_eq!(
        storage
            .step_result(&NETWORK, 4, "score")
            .unwrap()
            .as_deref(),
        Some(&b"first"[..])
    );
    assert_eq!(
        storage.get_state(&NETWORK, "ledger").unwrap().as_deref(),
        Some(&b"v1"[..])
    );
}

#[test]
fn a_step_failing_inside_its_transaction_leaves_neither_mark_nor_results() {
    let (_dir, storage) = open_temp();
    storage.put_state(&NETWORK, "ledger", b"v3").unwrap();

    // The mark and the first state write succeed inside the transaction;
    // the empty key then breaks the state table's CHECK constraint.
    let failing = step("score", b"scores", &[("ledger", b"v4"), ("", b"x")]);
    storage.record_step(&failing).unwrap_err();

    assert!(storage.completed_steps(&NETWORK, 4).unwrap().is_empty());
    assert_eq!(storage.step_result(&NETWORK, 4, "score").unwrap(), None);
    assert_eq!(
        storage.get_state(&NETWORK, "ledger").unwrap().as_deref(),
        Some(&b"v3"[..])
    );
    // The step can then be recorded for real.
    storage
        .record_step(&step("score", b"scores", &[("ledger", b"v4")]))
        .unwrap();
    assert_eq!(storage.completed_steps(&NETWORK, 4).unwrap(), ["score"]);
}

#[test]
fn state_blobs_are_replaced_per_network_and_key() {
    let (_dir, storage) = open_temp();
    assert_eq!(storage.get_state(&NETWORK, "ledger").unwrap(), None);
    storage.put_state(&NETWORK, "ledger", b"v1").unwrap();
    storage.put_state(&NETWORK, "ledger", b"v2").unwrap();
    storage.put_state(&[9; 32], "ledger", b"other").unwrap();
    assert_eq!(
        storage.get_state(&NETWORK, "ledger").unwrap().as_deref(),
        Some(&b"v2"[..])
    );
    assert_eq!(
        storage.get_state(&[9; 32], "ledger").unwrap().as_deref(),
        Some(&b"other"[..])
    );
    assert!(storage.put_state(&NETWORK, "", b"x").is_err(), "empty key");
}
