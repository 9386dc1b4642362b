//! Random sequences of reports and freezes against the counting rules.

use std::collections::{BTreeMap, BTreeSet};

use depin_crank::storage::{AcceptOutcome, Key32, Rejection, Storage};
use proptest::prelude::*;

use crate::support::{device, epoch_of, open_temp, report, NETWORK};

#[derive(Clone, Debug)]
enum Op {
    Report {
        device: u8,
        period: i64,
        sequence: u64,
        energy_wh: u64,
    },
    Freeze {
        epoch: u64,
    },
}

/// Few devices, periods, sequences and energies, so that duplicates,
/// replays and conflicts are frequent; periods 24 and 25 are in epoch 1.
fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0u8..3, prop::sample::select(vec![0i64, 1, 24, 25]), 0u64..8, 0u64..2).prop_map(
            |(device, period, sequence, energy_wh)| Op::Report { device, period, sequence, energy_wh }
        ),
        1 => (0u64..2).prop_map(|epoch| Op::Freeze { epoch }),
    ]
}

/// (device, period_start) of every counted report, refusing a pair twice.
fn counted_pairs(storage: &impl Storage) -> BTreeMap<(Key32, i64), Vec<u8>> {
    let mut counted = BTreeMap::new();
    for epoch in 0..2 {
        for stored in storage.reports_for_epoch(&NETWORK, epoch).unwrap() {
            let row = stored.report;
            let key = (row.device, row.period_start);
            assert!(
                counted.insert(key, row.message).is_none(),
                "two counted reports for {key:?}"
            );
        }
    }
    counted
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn reports_are_counted_at_most_once_and_sequences_never_regress(
        ops in prop::collection::vec(op(), 1..40)
    ) {
        let (_dir, storage) = open_temp();
        // What the outcomes said, to compare with what storage answers.
        let mut accepted: BTreeMap<(Key32, i64), Vec<u8>> = BTreeMap::new();
        let mut conflicted: BTreeSet<(Key32, i64)> = BTreeSet::new();
        let mut frozen: BTreeMap<u64, BTreeMap<(Key32, i64), Vec<u8>>> = BTreeMap::new();

        for op in ops {
            match op {
                Op::Freeze { epoch } => {
                    storage.freeze_epoch(&NETWORK, epoch).unwrap();
                    let counted = counted_pairs(&storage);
                    let at_freeze = counted
                        .into_iter()
                        .filter(|((_, start), _)| epoch_of(*start) == epoch)
                        .collect();
                    frozen.entry(epoch).or_insert(at_freeze);
                }
                Op::Report { device: n, period, sequence, energy_wh } => {
                    let row = report(device(n), period, sequence, energy_wh);
                    let key = (row.device, row.period_start);
                    let before = storage.last_sequence(&NETWORK, &row.device).unwrap();
                    let outcome = storage.accept_report(&row).unwrap();
                    let after = storage.last_sequence(&NETWORK, &row.device).unwrap();
                    prop_assert!(after >= before, "sequence regressed: {before:?} -> {after:?}");

                    match outcome {
                        AcceptOutcome::Accepted { .. } => {
                            prop_assert!(before.is_none_or(|last| sequence > last));
                            prop_assert_eq!(after, Some(sequence));
                            prop_assert!(!frozen.contains_key(&row.epoch));
                            prop_assert!(accepted.insert(key, row.message.clone()).is_none());
                        }
                        AcceptOutcome::Duplicate { .. } => {
                            prop_assert_eq!(accepted.get(&key), Some(&row.message));
                            prop_assert_eq!(after, before);
                        }
                        AcceptOutcome::Rejected(Rejection::Replay { last_sequence }) => {
                            prop_assert_eq!(before, Some(last_sequence));
                            prop_assert!(sequence <= last_sequence);
                            prop_assert_eq!(after, before);
                        }
                        AcceptOutcome::Rejected(Rejection::Conflict { .. }) => {
                            prop_assert!(accepted.contains_key(&key));
                            conflicted.insert(key);
                        }
                        AcceptOutcome::Rejected(Rejection::EpochFrozen { epoch }) => {
                            prop_assert_eq!(epoch, row.epoch);
                            prop_assert!(frozen.contains_key(&epoch));
                            prop_assert_eq!(after, before);
                        }
                    }
                }
            }

            // Counted = accepted and never conflicted, each pair once.
            let counted = counted_pairs(&storage);
            let expected: BTreeMap<_, _> = accepted
                .iter()
                .filter(|(key, _)| !conflicted.contains(*key))
                .map(|(key, message)| (*key, message.clone()))
                .collect();
            prop_assert_eq!(&counted, &expected);
            // A frozen epoch's count never changes.
            for (epoch, at_freeze) in &frozen {
                let now: BTreeMap<_, _> = counted
                    .iter()
                    .filter(|((_, start), _)| epoch_of(*start) == *epoch)
                    .map(|(key, message)| (*key, message.clone()))
                    .collect();
                prop_assert_eq!(&now, at_freeze, "epoch {} changed after its freeze", epoch);
            }
            // Every conflicted pair has its evidence.
            let evidence: BTreeSet<_> = (0..2)
                .flat_map(|epoch| storage.conflicts(&NETWORK, epoch).unwrap())
                .map(|conflict| (conflict.device, conflict.period_start))
                .collect();
            prop_assert_eq!(&evidence, &conflicted);
        }
    }
}
