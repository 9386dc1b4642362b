//! Each outcome of accepting a report.

use depin_crank::storage::{AcceptOutcome, Rejection, SignedCopy, Storage};

use crate::support::{device, open_temp, report, NETWORK};

fn accepted_id(outcome: AcceptOutcome) -> i64 {
    match outcome {
        AcceptOutcome::Accepted { report_id } => report_id,
        other => panic!("expected Accepted, got {other:?}"),
    }
}

#[test]
fn a_new_report_is_accepted_and_counted() {
    let (_dir, storage) = open_temp();
    let row = report(device(1), 3, 1, 500);
    let id = accepted_id(storage.accept_report(&row).unwrap());

    let counted = storage.reports_for_epoch(&NETWORK, 0).unwrap();
    assert_eq!(counted.len(), 1);
    assert_eq!(counted[0].id, id);
    assert_eq!(counted[0].report, row);
    assert_eq!(
        storage.last_sequence(&NETWORK, &device(1)).unwrap(),
        Some(1)
    );
    assert!(storage.reports_for_epoch(&NETWORK, 1).unwrap().is_empty());
    assert!(storage.reports_for_epoch(&[9; 32], 0).unwrap().is_empty());
}

#[test]
fn a_byte_identical_retry_is_a_duplicate_counted_once() {
    let (_dir, storage) = open_temp();
    let row = report(device(1), 3, 1, 500);
    let id = accepted_id(storage.accept_report(&row).unwrap());

    for _ in 0..3 {
        assert_eq!(
            storage.accept_report(&row).unwrap(),
            AcceptOutcome::Duplicate { report_id: id }
        );
    }
    // Still a duplicate after later reports raised the sequence past it.
    accepted_id(storage.accept_report(&report(device(1), 4, 2, 10)).unwrap());
    assert_eq!(
        storage.accept_report(&row).unwrap(),
        AcceptOutcome::Duplicate { report_id: id }
    );
    assert_eq!(storage.reports_for_epoch(&NETWORK, 0).unwrap().len(), 2);
    assert_eq!(
        storage.last_sequence(&NETWORK, &device(1)).unwrap(),
        Some(2)
    );
}

#[test]
fn a_sequence_not_above_the_last_is_a_replay() {
    let (_dir, storage) = open_temp();
    accepted_id(
        storage
            .accept_report(&report(device(1), 3, 5, 500))
            .unwrap(),
    );

    for sequence in [5, 4, 0] {
        assert_eq!(
            storage
                .accept_report(&report(device(1), 4, sequence, 500))
                .unwrap(),
            AcceptOutcome::Rejected(Rejection::Replay { last_sequence: 5 }),
        );
    }
    assert_eq!(storage.reports_for_epoch(&NETWORK, 0).unwrap().len(), 1);
    assert_eq!(
        storage.last_sequence(&NETWORK, &device(1)).unwrap(),
        Some(5)
    );
    // Sequences are per device.
    accepted_id(
        storage
            .accept_report(&report(device(2), 4, 1, 500))
            .unwrap(),
    );
}

#[test]
fn two_reports_for_one_period_are_a_conflict_kept_as_evidence_and_not_counted() {
    let (_dir, storage) = open_temp();
    let first = report(device(1), 3, 1, 500);
    let second = report(device(1), 3, 2, 900);
    let other = report(device(2), 3, 1, 400);
    accepted_id(storage.accept_report(&first).unwrap());
    accepted_id(storage.accept_report(&other).unwrap());

    let conflict_id = match storage.accept_report(&second).unwrap() {
        AcceptOutcome::Rejected(Rejection::Conflict { conflict_id }) => conflict_id,
        other => panic!("expected a conflict, got {other:?}"),
    };

    let counted = storage.reports_for_epoch(&NETWORK, 0).unwrap();
    assert_eq!(counted.len(), 1, "both conflicting reports leave the count");
    assert_eq!(counted[0].report, other);

    let evidence = storage.conflicts(&NETWORK, 0).unwrap();
    assert_eq!(evidence.len(), 1);
    let evidence = &evidence[0];
    assert_eq!(evidence.id, conflict_id);
    assert_eq!(
        (
            evidence.network,
            evidence.device,
            evidence.period_start,
            evidence.epoch
        ),
        (NETWORK, device(1), first.period_start, 0)
    );
    let copy = |row: &depin_crank::storage::ReportRow| SignedCopy {
        sequence: row.sequence,
        message: row.message.clone(),
        signature: row.signature,
        received_at: row.received_at,
    };
    assert_eq!(evidence.first, copy(&first));
    assert_eq!(evidence.second, copy(&second));
    assert!(storage.conflicts(&NETWORK, 1).unwrap().is_empty());

    // Retries of either copy get the conflict again and add nothing.
    for retry in [&first, &second] {
        assert_eq!(
            storage.accept_report(retry).unwrap(),
            AcceptOutcome::Rejected(Rejection::Conflict { conflict_id })
        );
    }
    assert_eq!(storage.conflicts(&NETWORK, 0).unwrap().len(), 1);
    assert_eq!(
        storage.last_sequence(&NETWORK, &device(1)).unwrap(),
        Some(2)
    );
}

#[test]
fn a_conflicting_report_with_an_old_sequence_is_still_evidence() {
    let (_dir, storage) = open_temp();
    accepted_id(
        storage
            .accept_report(&report(device(1), 3, 1, 500))
            .unwrap(),
    );
    accepted_id(
        storage
            .accept_report(&report(device(1), 4, 7, 500))
            .unwrap(),
    );

    let outcome = storage
        .accept_report(&report(device(1), 3, 2, 900))
        .unwrap();
    assert!(
        matches!(outcome, AcceptOutcome::Rejected(Rejection::Conflict { .. })),
        "{outcome:?}"
    );
    assert_eq!(storage.conflicts(&NETWORK, 0).unwrap().len(), 1);
    assert_eq!(
        storage.last_sequence(&NETWORK, &device(1)).unwrap(),
        Some(7),
        "an old sequence never lowers the device's last one"
    );
}

#[test]
fn a_third_report_for_a_conflicted_period_adds_evidence() {
    let (_dir, storage) = open_temp();
    accepted_id(
        storage
            .accept_report(&report(device(1), 3, 1, 500))
            .unwrap(),
    );
    storage
        .accept_report(&report(device(1), 3, 2, 600))
        .unwrap();
    storage
        .accept_report(&report(device(1), 3, 3, 700))
        .unwrap();

    let evidence = storage.conflicts(&NETWORK, 0).unwrap();
    assert_eq!(evidence.len(), 2);
    assert_eq!(
        evidence
            .iter()
            .map(|e| e.second.sequence)
            .collect::<Vec<_>>(),
        [2, 3]
    );
    assert!(storage.reports_for_epoch(&NETWORK, 0).unwrap().is_empty());
}

#[test]
fn a_batch_decides_each_report_after_the_ones_before_it() {
    let (_dir, storage) = open_temp();
    let first = report(device(1), 3, 1, 500);
    let outcomes = storage
        .accept_batch(&[
            first.clone(),
            first.clone(),
            report(device(1), 4, 1, 500),
            report(device(2), 3, 1, 500),
        ])
        .unwrap();
    let id = accepted_id(outcomes[0].clone());
    assert_eq!(outcomes[1], AcceptOutcome::Duplicate { report_id: id });
    assert_eq!(
        outcomes[2],
        AcceptOutcome::Rejected(Rejection::Replay { last_sequence: 1 })
    );
    accepted_id(outcomes[3].clone());
    assert_eq!(storage.reports_for_epoch(&NETWORK, 0).unwrap().len(), 2);
}

#[test]
fn a_batch_that_fails_changes_nothing() {
    let (_dir, storage) = open_temp();
    let mut too_large = report(device(2), 3, 1, 500);
    too_large.energy_wh = u64::MAX;
    let error = storage
        .accept_batch(&[report(device(1), 3, 1, 500), too_large])
        .unwrap_err();
    assert!(error.to_string().contains("energy_wh"), "{error}");
    assert!(storage.reports_for_epoch(&NETWORK, 0).unwrap().is_empty());
    assert_eq!(storage.last_sequence(&NETWORK, &device(1)).unwrap(), None);
}
