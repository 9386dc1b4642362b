//! Property tests of the money math: value conserved, caps hold, nothing paid
//! for absent devices, rounding never favours a recipient, the ledger only
//! grows and its indexes never move, and order does not matter.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;

use crate::{
    score, DeviceOutcome, DeviceWork, EpochInputs, Key, Ledger, OperatorStatus, RawScoringConfig,
    ScoringConfig, BPS_DENOMINATOR,
};

/// Keys of devices are unique (`0x01` + counter); owners and operators come
/// from a small pool, so recipients repeat across devices and roles.
fn device_key(n: usize) -> Key {
    let mut bytes = [1u8; 32];
    bytes[..8].copy_from_slice(&(n as u64).to_le_bytes());
    Key(bytes)
}

fn pool_key() -> impl Strategy<Value = Key> {
    (0u8..8).prop_map(|n| Key([n + 100; 32]))
}

fn arb_config() -> impl Strategy<Value = ScoringConfig> {
    (
        1u64..1 << 48,
        prop_oneof![1u64..1 << 48, Just(u64::MAX)],
        0u16..=BPS_DENOMINATOR,
        prop_oneof![Just(0u64), 0u64..2_000],
    )
        .prop_map(|(emission, cap, bps, min_work)| {
            ScoringConfig::new(RawScoringConfig {
                emission_per_epoch: emission,
                per_device_cap: cap,
                operator_share_bps: bps,
                min_work_wh: min_work,
            })
            .unwrap()
        })
}

/// A device's fields but its key (given by position).
fn arb_work() -> impl Strategy<Value = (Key, Option<OperatorStatus>, u64, bool)> {
    (
        pool_key(),
        proptest::option::of(
            (pool_key(), any::<bool>())
                .prop_map(|(key, eligible)| OperatorStatus { key, eligible }),
        ),
        prop_oneof![Just(0u64), 0u64..5_000, 0u64..1 << 32],
        proptest::bool::weighted(0.85),
    )
}

fn arb_devices(max: usize) -> impl Strategy<Value = Vec<DeviceWork>> {
    proptest::collection::vec(arb_work(), 0..max).prop_map(|works| {
        works
            .into_iter()
            .enumerate()
            .map(|(n, (owner, operator, work_wh, active))| DeviceWork {
                device: device_key(n),
                owner,
                operator,
                work_wh,
                active_through_epoch: active,
            })
            .collect()
    })
}

/// The parts (basis points of the device's share) each recipient of a
/// device is entitled to.
fn parts(config: &ScoringConfig, work: &DeviceWork) -> Vec<(Key, u16)> {
    match work.operator {
        Some(op) if op.eligible => vec![
            (work.owner, BPS_DENOMINATOR - config.operator_share_bps()),
            (op.key, config.operator_share_bps()),
        ],
        _ => vec![(work.owner, BPS_DENOMINATOR)],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn emission_is_conserved_exactly(
        config in arb_config(),
        devices in arb_devices(40),
        carried_in in 0u64..1 << 40,
    ) {
        let inputs = EpochInputs { epoch: 1, carried_in, devices };
        let scores = score(&config, &inputs).unwrap();
        let available = u128::from(config.emission_per_epoch()) + u128::from(carried_in);
        prop_assert_eq!(scores.paid() + u128::from(scores.remainder), available);
        let by_device: u128 = scores.devices.iter().map(|d| u128::from(d.amount())).sum();
        prop_assert_eq!(by_device, scores.paid());
        prop_assert!(scores.payouts.iter().all(|p| p.amount > 0));
    }

    #[test]
    fn no_device_or_recipient_gets_more_than_the_caps_allow(
        config in arb_config(),
        devices in arb_devices(40),
    ) {
        let scores = score(&config, &EpochInputs { epoch: 1, carried_in: 0, devices: devices.clone() }).unwrap();
        let cap = config.per_device_cap();
        prop_assert!(scores.devices.iter().all(|d| d.amount() <= cap));
        // A recipient earns at most one cap per device it owns or operates.
        let mut roles: HashMap<Key, u128> = HashMap::new();
        for work in &devices {
            for (recipient, _) in parts(&config, work) {
                *roles.entry(recipient).or_default() += 1;
            }
        }
        for payout in &scores.payouts {
            prop_assert!(u128::from(payout.amount) <= roles[&payout.recipient] * u128::from(cap));
        }
    }

    #[test]
    fn uncounted_and_absent_devices_are_paid_nothing(
        config in arb_config(),
        devices in arb_devices(40),
        rejected in proptest::collection::vec(any::<bool>(), 40),
    ) {
        // Devices whose reports were all rejected are left out of the inputs.
        let (absent, present): (Vec<_>, Vec<_>) = devices
            .into_iter()
            .zip(rejected)
            .partition(|(_, rejected)| *rejected);
        let present: Vec<DeviceWork> = present.into_iter().map(|(d, _)| d).collect();
        let scores = score(&config, &EpochInputs { epoch: 1, carried_in: 0, devices: present.clone() }).unwrap();

        let scored: Vec<Key> = scores.devices.iter().map(|d| d.device).collect();
        for (work, _) in &absent {
            prop_assert!(!scored.contains(&work.device));
        }
        let present_recipients: Vec<Key> =
            present.iter().flat_map(|w| parts(&config, w)).map(|(k, _)| k).collect();
        for payout in &scores.payouts {
            prop_assert!(present_recipients.contains(&payout.recipient));
        }
        for device in &scores.devices {
            if device.outcome != DeviceOutcome::Counted {
                prop_assert_eq!(device.amount(), 0);
            }
        }
    }

    #[test]
    fn rounding_never_pays_more_than_the_exact_pro_rata_share(
        config in arb_config(),
        devices in arb_devices(40),
        carried_in in 0u64..1 << 40,
    ) {
        let inputs = EpochInputs { epoch: 1, carried_in, devices };
        let scores = score(&config, &inputs).unwrap();
        let available = u128::from(config.emission_per_epoch()) + u128::from(carried_in);
        let total = scores.counted_work_wh;
        // entitled[r] / (total × 10,000) is r's exact share, before caps.
        let mut entitled: BTreeMap<Key, u128> = BTreeMap::new();
        let counted = scores.devices.iter().filter(|d| d.outcome == DeviceOutcome::Counted);
        for device in counted {
            let work = inputs.devices.iter().find(|w| w.device == device.device).unwrap();
            for (recipient, bps) in parts(&config, work) {
                *entitled.entry(recipient).or_default() +=
                    available * u128::from(work.work_wh) * u128::from(bps);
            }
        }
        for payout in &scores.payouts {
            let paid = u128::from(payout.amount) * total * u128::from(BPS_DENOMINATOR);
            prop_assert!(paid <= entitled[&payout.recipient]);
        }
    }

    #[test]
    fn input_order_does_not_matter(
        config in arb_config(),
        (devices, shuffled) in arb_devices(40).prop_flat_map(|d| (Just(d.clone()), Just(d).prop_shuffle())),
    ) {
        let once = score(&config, &EpochInputs { epoch: 1, carried_in: 3, devices }).unwrap();
        let again = score(&config, &EpochInputs { epoch: 1, carried_in: 3, devices: shuffled }).unwrap();
        prop_assert_eq!(once, again);
    }

    #[test]
    fn ledger_totals_only_grow_and_indexes_never_move(
        config in arb_config(),
        epochs in proptest::collection::vec(arb_devices(12), 1..12),
        first_epoch in 0u64..1_000,
    ) {
        let mut ledger = Ledger::new();
        let mut paid_to: BTreeMap<Key, u128> = BTreeMap::new();
        let mut emitted = 0u128;
        for (n, devices) in epochs.into_iter().enumerate() {
            let before = ledger.clone();
            let scores = score(&config, &ledger.inputs_for(first_epoch + n as u64, devices)).unwrap();
            let applied = ledger.apply(&scores).unwrap();
            emitted += u128::from(config.emission_per_epoch());
            for payout in &scores.payouts {
                *paid_to.entry(payout.recipient).or_default() += u128::from(payout.amount);
            }

            // Old leaves keep index and recipient, and never shrink.
            for (old, new) in before.leaves().iter().zip(ledger.leaves()) {
                prop_assert_eq!(old.index, new.index);
                prop_assert_eq!(old.recipient, new.recipient);
                prop_assert!(new.cumulative_amount >= old.cumulative_amount);
            }
            prop_assert_eq!(applied.new_indexes.start as usize, before.len());
            prop_assert_eq!(applied.new_indexes.end as usize, ledger.len());
            prop_assert_eq!(
                ledger.total_cumulative(),
                before.total_cumulative() + u128::from(applied.increase)
            );
            // Index is position, every recipient once, totals are the sum
            // of its payouts, and nothing emitted is lost.
            let mut seen = std::collections::HashSet::new();
            for (position, leaf) in ledger.leaves().iter().enumerate() {
                prop_assert_eq!(leaf.index as usize, position);
                prop_assert!(seen.insert(leaf.recipient));
                prop_assert_eq!(u128::from(leaf.cumulative_amount), paid_to[&leaf.recipient]);
                prop_assert_eq!(ledger.get(&leaf.recipient), Some(*leaf));
            }
            prop_assert_eq!(seen.len(), paid_to.len());
            prop_assert_eq!(ledger.total_cumulative() + u128::from(ledger.carried()), emitted);
        }
        let restored: Ledger = serde_json::from_str(&serde_json::to_string(&ledger).unwrap()).unwrap();
        prop_assert_eq!(restored, ledger);
    }
}
