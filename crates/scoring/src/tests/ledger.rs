//! Cumulative totals, stable indexes, ordering and persistence of the ledger.

use super::{config, device, key};
use crate::{score, DeviceWork, EpochScores, Key, Leaf, Ledger, LedgerError, Payout};

/// Scores `devices` as the ledger's next epoch (emission 1,000, cap 400).
fn next(ledger: &Ledger, devices: Vec<DeviceWork>) -> EpochScores {
    let epoch = ledger.last_epoch().map_or(1, |last| last + 1);
    score(
        &config(1_000, 400, 0, 0),
        &ledger.inputs_for(epoch, devices),
    )
    .unwrap()
}

fn leaf(index: u32, recipient: Key, cumulative_amount: u64) -> Leaf {
    Leaf {
        index,
        recipient,
        cumulative_amount,
    }
}

#[test]
fn first_epoch_gives_indexes_in_key_order() {
    let mut ledger = Ledger::new();
    let scores = next(&ledger, vec![device(1, 13, 1), device(2, 11, 1)]);
    let applied = ledger.apply(&scores).unwrap();
    assert_eq!(applied.epoch, 1);
    assert_eq!(applied.new_indexes, 0..2);
    assert_eq!(applied.increase, 800);
    assert_eq!(
        ledger.leaves(),
        &[leaf(0, key(11), 400), leaf(1, key(13), 400)]
    );
    assert_eq!(ledger.carried(), 200);
    assert_eq!(ledger.last_epoch(), Some(1));
}

#[test]
fn later_epochs_keep_indexes_add_to_totals_and_append_newcomers() {
    let mut ledger = Ledger::new();
    ledger
        .apply(&next(&ledger, vec![device(1, 13, 1), device(2, 11, 1)]))
        .unwrap();
    // Available 1,200 (200 carried): 12 gets 400 (capped), 13 gets 300.
    let scores = next(&ledger, vec![device(1, 13, 1), device(3, 12, 3)]);
    assert_eq!(scores.carried_in, 200);
    let applied = ledger.apply(&scores).unwrap();
    assert_eq!(applied.new_indexes, 2..3);
    assert_eq!(applied.increase, 700);
    assert_eq!(
        ledger.leaves(),
        &[
            leaf(0, key(11), 400),
            leaf(1, key(13), 700),
            leaf(2, key(12), 400)
        ]
    );
    assert_eq!(ledger.get(&key(12)), Some(leaf(2, key(12), 400)));
    assert_eq!(ledger.get(&key(99)), None);
    assert_eq!(ledger.carried(), 500);
    // Everything emitted is either paid or carried.
    assert_eq!(ledger.total_cumulative() + 500, 2_000);
}

#[test]
fn an_epoch_without_payouts_only_moves_the_carry() {
    let mut ledger = Ledger::new();
    let applied = ledger.apply(&next(&ledger, vec![])).unwrap();
    assert_eq!(applied.new_indexes, 0..0);
    assert_eq!(applied.increase, 0);
    assert!(ledger.is_empty());
    assert_eq!(ledger.carried(), 1_000);
}

#[test]
fn the_same_epoch_twice_is_refused_and_changes_nothing() {
    let mut ledger = Ledger::new();
    let scores = next(&ledger, vec![device(1, 11, 1)]);
    ledger.apply(&scores).unwrap();
    let before = ledger.clone();
    let mut again = scores;
    again.carried_in = ledger.carried();
    assert_eq!(
        ledger.apply(&again),
        Err(LedgerError::EpochOutOfOrder {
            expected: 2,
            got: 1
        })
    );
    assert_eq!(ledger, before);
}

#[test]
fn a_skipped_epoch_is_refused() {
    let mut ledger = Ledger::new();
    ledger
        .apply(&next(&ledger, vec![device(1, 11, 1)]))
        .unwrap();
    let inputs = ledger.inputs_for(3, vec![device(1, 11, 1)]);
    let scores = score(&config(1_000, 400, 0, 0), &inputs).unwrap();
    assert_eq!(
        ledger.apply(&scores),
        Err(LedgerError::EpochOutOfOrder {
            expected: 2,
            got: 3
        })
    );
}

#[test]
fn scores_computed_with_another_carry_are_refused() {
    let mut ledger = Ledger::new();
    ledger
        .apply(&next(&ledger, vec![device(1, 11, 1)]))
        .unwrap();
    let mut inputs = ledger.inputs_for(2, vec![device(1, 11, 1)]);
    inputs.carried_in = 0;
    let scores = score(&config(1_000, 400, 0, 0), &inputs).unwrap();
    assert_eq!(
        ledger.apply(&scores),
        Err(LedgerError::CarryMismatch {
            epoch: 2,
            expected: 600,
            got: 0
        })
    );
}

#[test]
fn tampered_scores_are_refused_and_change_nothing() {
    let ledger = Ledger::new();
    let good = next(&ledger, vec![device(1, 11, 1), device(2, 12, 1)]);

    let mut inflated = good.clone();
    inflated.payouts[0].amount += 1;
    let mut unsorted = good.clone();
    unsorted.payouts.reverse();
    let mut repeated = good.clone();
    repeated.payouts[1].recipient = repeated.payouts[0].recipient;
    let mut zero = good.clone();
    zero.remainder += zero.payouts[0].amount;
    zero.payouts[0].amount = 0;
    let mut beyond_u64 = good;
    beyond_u64.emission = u64::MAX;
    beyond_u64.carried_in = 0;

    for (tampered, expected) in [
        (inflated, LedgerError::NotConserved { epoch: 1 }),
        (unsorted, LedgerError::MalformedPayouts { epoch: 1 }),
        (repeated, LedgerError::MalformedPayouts { epoch: 1 }),
        (zero, LedgerError::MalformedPayouts { epoch: 1 }),
        (beyond_u64, LedgerError::NotConserved { epoch: 1 }),
    ] {
        let mut ledger = Ledger::new();
        assert_eq!(ledger.apply(&tampered), Err(expected));
        assert_eq!(ledger, Ledger::new());
    }
}

#[test]
fn cumulative_overflow_is_refused_and_changes_nothing() {
    let stored = format!(
        r#"{{"last_epoch":4,"carried":0,"leaves":[{{"index":0,"recipient":"{}","cumulative_amount":{}}}]}}"#,
        key(20),
        u64::MAX
    );
    let mut ledger: Ledger = serde_json::from_str(&stored).unwrap();
    let before = ledger.clone();
    // Key 10 (new) sorts before key 20 (full): the new leaf must not be kept.
    let scores = EpochScores {
        epoch: 5,
        emission: 2,
        carried_in: 0,
        counted_work_wh: 2,
        devices: vec![],
        payouts: vec![
            Payout {
                recipient: key(10),
                amount: 1,
            },
            Payout {
                recipient: key(20),
                amount: 1,
            },
        ],
        remainder: 0,
    };
    assert_eq!(
        ledger.apply(&scores),
        Err(LedgerError::CumulativeOverflow(key(20)))
    );
    assert_eq!(ledger, before);
}

#[test]
fn json_round_trips() {
    let mut ledger = Ledger::new();
    ledger
        .apply(&next(&ledger, vec![device(1, 13, 1), device(2, 11, 1)]))
        .unwrap();
    let json = serde_json::to_string(&ledger).unwrap();
    let restored: Ledger = serde_json::from_str(&json).unwrap();
    assert_eq!(restored, ledger);
    assert_eq!(restored.get(&key(13)), ledger.get(&key(13)));
}

#[test]
fn stored_ledgers_with_bad_indexes_or_repeated_recipients_are_refused() {
    let stored = |leaves: &[(u32, u8)]| {
        let leaves: Vec<String> = leaves
            .iter()
            .map(|(index, recipient)| {
                format!(
                    r#"{{"index":{index},"recipient":"{}","cumulative_amount":1}}"#,
                    key(*recipient)
                )
            })
            .collect();
        let json = format!(
            r#"{{"last_epoch":1,"carried":0,"leaves":[{}]}}"#,
            leaves.join(",")
        );
        serde_json::from_str::<Ledger>(&json).map_err(|e| e.to_string())
    };
    assert!(stored(&[(0, 1), (1, 2)]).is_ok());
    let gap = stored(&[(0, 1), (2, 2)]).unwrap_err();
    assert!(gap.contains("position 1 claims index 2"), "{gap}");
    let twice = stored(&[(0, 1), (1, 1)]).unwrap_err();
    assert!(twice.contains("more than one leaf"), "{twice}");
}
