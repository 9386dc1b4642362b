//! Each rule of the crate doc, its success path and the ways it refuses.

use super::{config, device, epoch, key, operated};
use crate::{score, DeviceOutcome, EpochInputs, EpochScores, Key, ScoreError};

const NO_CAP: u64 = u64::MAX;

fn payout(scores: &EpochScores, recipient: Key) -> Option<u64> {
    scores
        .payouts
        .iter()
        .find(|p| p.recipient == recipient)
        .map(|p| p.amount)
}

#[test]
fn emission_is_split_pro_rata_to_work() {
    let scores = score(
        &config(1_000, NO_CAP, 0, 0),
        &epoch(vec![device(1, 11, 1), device(2, 12, 3)]),
    )
    .unwrap();
    assert_eq!(payout(&scores, key(11)), Some(250));
    assert_eq!(payout(&scores, key(12)), Some(750));
    assert_eq!(scores.remainder, 0);
    assert_eq!(scores.counted_work_wh, 4);
}

#[test]
fn rounding_down_leaves_a_remainder() {
    let devices = vec![device(1, 11, 5), device(2, 12, 5), device(3, 13, 5)];
    let scores = score(&config(10, NO_CAP, 0, 0), &epoch(devices)).unwrap();
    assert!(scores.payouts.iter().all(|p| p.amount == 3));
    assert_eq!(scores.remainder, 1);
}

#[test]
fn cap_cuts_a_device_and_the_excess_is_carried_not_redistributed() {
    // Shares 900 and 100; the cap cuts the first to 300, the second keeps
    // exactly its own share.
    let devices = vec![device(1, 11, 9), device(2, 12, 1)];
    let scores = score(&config(1_000, 300, 0, 0), &epoch(devices)).unwrap();
    assert_eq!(payout(&scores, key(11)), Some(300));
    assert_eq!(payout(&scores, key(12)), Some(100));
    assert!(scores.devices[0].capped);
    assert!(!scores.devices[1].capped);
    assert_eq!(scores.remainder, 600);
}

#[test]
fn cap_applies_per_device_so_an_owner_of_two_devices_gets_two_caps() {
    let devices = vec![device(1, 11, 1), device(2, 11, 1)];
    let scores = score(&config(1_000, 300, 0, 0), &epoch(devices)).unwrap();
    assert_eq!(payout(&scores, key(11)), Some(600));
    assert_eq!(scores.remainder, 400);
}

#[test]
fn inactive_device_gets_nothing_and_does_not_dilute_the_others() {
    let mut inactive = device(2, 12, 1_000);
    inactive.active_through_epoch = false;
    let scores = score(
        &config(1_000, NO_CAP, 0, 0),
        &epoch(vec![device(1, 11, 1), inactive]),
    )
    .unwrap();
    assert_eq!(payout(&scores, key(11)), Some(1_000));
    assert_eq!(payout(&scores, key(12)), None);
    assert_eq!(scores.devices[1].outcome, DeviceOutcome::Inactive);
    assert_eq!(scores.devices[1].amount(), 0);
}

#[test]
fn work_below_the_minimum_does_not_count() {
    let devices = vec![device(1, 11, 10), device(2, 12, 9)];
    let scores = score(&config(1_000, NO_CAP, 0, 10), &epoch(devices)).unwrap();
    assert_eq!(scores.devices[0].outcome, DeviceOutcome::Counted);
    assert_eq!(scores.devices[1].outcome, DeviceOutcome::BelowMinimumWork);
    assert_eq!(payout(&scores, key(11)), Some(1_000));
    assert_eq!(payout(&scores, key(12)), None);
    assert_eq!(scores.counted_work_wh, 10);
}

#[test]
fn zero_work_never_counts_even_without_a_minimum() {
    let scores = score(&config(1_000, NO_CAP, 0, 0), &epoch(vec![device(1, 11, 0)])).unwrap();
    assert_eq!(scores.devices[0].outcome, DeviceOutcome::BelowMinimumWork);
    assert!(scores.payouts.is_empty());
}

#[test]
fn an_epoch_without_counted_work_carries_everything() {
    let mut inactive = device(2, 12, 50);
    inactive.active_through_epoch = false;
    for devices in [vec![], vec![device(1, 11, 0), inactive]] {
        let inputs = EpochInputs {
            epoch: 7,
            carried_in: 25,
            devices,
        };
        let scores = score(&config(1_000, NO_CAP, 0, 0), &inputs).unwrap();
        assert!(scores.payouts.is_empty());
        assert_eq!(scores.remainder, 1_025);
        assert_eq!(scores.counted_work_wh, 0);
    }
}

#[test]
fn carried_remainder_is_handed_out_with_the_emission() {
    let inputs = EpochInputs {
        epoch: 2,
        carried_in: 500,
        devices: vec![device(1, 11, 1)],
    };
    let scores = score(&config(1_000, NO_CAP, 0, 0), &inputs).unwrap();
    assert_eq!(payout(&scores, key(11)), Some(1_500));
    assert_eq!(scores.available(), 1_500);
}

#[test]
fn eligible_operator_gets_its_share() {
    let devices = vec![operated(device(1, 11, 1), 21, true)];
    let scores = score(&config(1_000, NO_CAP, 2_000, 0), &epoch(devices)).unwrap();
    assert_eq!(payout(&scores, key(21)), Some(200));
    assert_eq!(payout(&scores, key(11)), Some(800));
    assert_eq!(scores.devices[0].operator_amount, 200);
}

#[test]
fn ineligible_operators_part_goes_to_the_owner() {
    let devices = vec![operated(device(1, 11, 1), 21, false)];
    let scores = score(&config(1_000, NO_CAP, 2_000, 0), &epoch(devices)).unwrap();
    assert_eq!(payout(&scores, key(21)), None);
    assert_eq!(payout(&scores, key(11)), Some(1_000));
    assert_eq!(scores.devices[0].operator_amount, 0);
}

#[test]
fn split_rounds_both_parts_down_and_carries_the_unit() {
    let devices = vec![operated(device(1, 11, 1), 21, true)];
    let scores = score(&config(10, NO_CAP, 3_333, 0), &epoch(devices)).unwrap();
    assert_eq!(payout(&scores, key(21)), Some(3));
    assert_eq!(payout(&scores, key(11)), Some(6));
    assert_eq!(scores.remainder, 1);
}

#[test]
fn a_whole_share_to_the_operator_leaves_the_owner_out_of_the_payouts() {
    let devices = vec![operated(device(1, 11, 1), 21, true)];
    let scores = score(&config(1_000, NO_CAP, 10_000, 0), &epoch(devices)).unwrap();
    assert_eq!(payout(&scores, key(21)), Some(1_000));
    assert_eq!(payout(&scores, key(11)), None);
}

#[test]
fn a_recipient_in_several_roles_is_paid_once_with_the_sum() {
    // Key 11 owns device 1 and operates device 2 (owned by 12).
    let devices = vec![device(1, 11, 1), operated(device(2, 12, 1), 11, true)];
    let scores = score(&config(1_000, NO_CAP, 5_000, 0), &epoch(devices)).unwrap();
    assert_eq!(scores.payouts.len(), 2);
    assert_eq!(payout(&scores, key(11)), Some(750));
    assert_eq!(payout(&scores, key(12)), Some(250));
}

#[test]
fn results_are_sorted_by_key_whatever_the_input_order() {
    let devices = vec![device(3, 13, 2), device(1, 12, 1), device(2, 11, 1)];
    let scores = score(&config(1_000, NO_CAP, 0, 0), &epoch(devices.clone())).unwrap();
    let device_keys: Vec<Key> = scores.devices.iter().map(|d| d.device).collect();
    assert_eq!(device_keys, vec![key(1), key(2), key(3)]);
    let recipients: Vec<Key> = scores.payouts.iter().map(|p| p.recipient).collect();
    assert_eq!(recipients, vec![key(11), key(12), key(13)]);
    let mut reversed = devices;
    reversed.reverse();
    assert_eq!(
        score(&config(1_000, NO_CAP, 0, 0), &epoch(reversed)).unwrap(),
        scores
    );
}

#[test]
fn a_device_listed_twice_is_refused() {
    let devices = vec![device(1, 11, 1), device(2, 12, 1), device(1, 13, 5)];
    assert_eq!(
        score(&config(1_000, NO_CAP, 0, 0), &epoch(devices)),
        Err(ScoreError::DuplicateDevice(key(1)))
    );
}

#[test]
fn emission_plus_carry_beyond_u64_is_refused() {
    let inputs = EpochInputs {
        epoch: 1,
        carried_in: u64::MAX,
        devices: vec![device(1, 11, 1)],
    };
    assert_eq!(
        score(&config(1, NO_CAP, 0, 0), &inputs),
        Err(ScoreError::AvailableOverflow {
            emission: 1,
            carried_in: u64::MAX
        })
    );
}

#[test]
fn extreme_values_do_not_overflow() {
    let devices = vec![
        operated(device(1, 11, u64::MAX), 21, true),
        device(2, 12, u64::MAX),
    ];
    let scores = score(&config(u64::MAX, NO_CAP, 10_000, 0), &epoch(devices)).unwrap();
    assert_eq!(payout(&scores, key(21)), Some(u64::MAX / 2));
    assert_eq!(payout(&scores, key(12)), Some(u64::MAX / 2));
    assert_eq!(scores.remainder, 1);
}
