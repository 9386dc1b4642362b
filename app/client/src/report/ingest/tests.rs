//! The ingest rules: the success path, each rejection, conflicts.

use super::*;
use crate::report::sign;
use crate::report::tests::{keypair, report_by};
use proptest::prelude::*;
use solana_keypair::Keypair;
use solana_signer::Signer;

const HOUR: i64 = 3_600;
const EPOCH_START: i64 = 1_700_000_000;

/// A 5 kW inverter registered and active in the report's network, an epoch
/// of a day that began at the report's period start, a clock two hours in.
fn context_for(device: &Keypair) -> IngestContext {
    let network = report_by(device).network;
    IngestContext {
        network,
        device: Some(RegisteredDevice {
            network,
            device_key: device.pubkey(),
            kind: DeviceKind::SolarInverter,
            capacity: 5_000,
            status: DeviceStatus::Active,
        }),
        last_sequence: Some(9),
        epoch: EpochWindow {
            start: EPOCH_START,
            end: EPOCH_START + 24 * HOUR,
        },
        now: EPOCH_START + 2 * HOUR,
    }
}

/// Checks the report after `change` (re-signed by the device).
fn check_changed(change: impl FnOnce(&mut WorkReport)) -> Result<(), Rejection> {
    let device = keypair(7);
    let mut report = report_by(&device);
    change(&mut report);
    check(&sign(&report, &device), &context_for(&device))
}

fn code(result: Result<(), Rejection>) -> &'static str {
    result.unwrap_err().code()
}

#[test]
fn accepts_a_report_that_passes_every_rule() {
    assert_eq!(check_changed(|_| {}), Ok(()));
}

#[test]
fn accepts_any_sequence_as_a_devices_first_report() {
    let device = keypair(7);
    let ctx = IngestContext {
        last_sequence: None,
        ..context_for(&device)
    };
    let report = WorkReport {
        sequence: 0,
        ..report_by(&device)
    };
    assert_eq!(check(&sign(&report, &device), &ctx), Ok(()));
}

#[test]
fn malformed_empty_period() {
    assert_eq!(code(check_changed(|r| r.period_secs = 0)), "malformed");
}

#[test]
fn malformed_uptime_longer_than_the_period() {
    assert_eq!(
        code(check_changed(|r| r.uptime_secs = r.period_secs + 1)),
        "malformed"
    );
}

#[test]
fn malformed_period_end_overflows() {
    assert_eq!(
        code(check_changed(|r| r.period_start = i64::MAX)),
        "malformed"
    );
}

#[test]
fn bad_signature_when_a_field_changed_after_signing() {
    let device = keypair(7);
    let mut signed = sign(&report_by(&device), &device);
    signed.report.energy_wh += 1;
    let rejection = check(&signed, &context_for(&device)).unwrap_err();
    assert_eq!(rejection, Rejection::BadSignature);
}

#[test]
fn bad_signature_by_another_key() {
    let device = keypair(7);
    let signed = sign(&report_by(&device), &keypair(8));
    assert_eq!(code(check(&signed, &context_for(&device))), "bad_signature");
}

#[test]
fn wrong_network() {
    let other = Pubkey::new_from_array([9; 32]);
    assert_eq!(
        check_changed(|r| r.network = other),
        Err(Rejection::WrongNetwork {
            expected: Pubkey::new_from_array([1; 32]),
            got: other,
        })
    );
}

#[test]
fn unknown_device_when_not_registered() {
    let device = keypair(7);
    let ctx = IngestContext {
        device: None,
        ..context_for(&device)
    };
    let result = check(&sign(&report_by(&device), &device), &ctx);
    assert_eq!(code(result), "unknown_device");
}

#[test]
fn unknown_device_when_the_registered_key_or_network_differs() {
    let device = keypair(7);
    let signed = sign(&report_by(&device), &device);
    let registered = context_for(&device).device.unwrap();
    for wrong in [
        RegisteredDevice {
            device_key: keypair(8).pubkey(),
            ..registered
        },
        RegisteredDevice {
            network: Pubkey::new_from_array([9; 32]),
            ..registered
        },
    ] {
        let ctx = IngestContext {
            device: Some(wrong),
            ..context_for(&device)
        };
        assert_eq!(code(check(&signed, &ctx)), "unknown_device");
    }
}

#[test]
fn device_not_active_when_suspended_or_retired() {
    let device = keypair(7);
    let signed = sign(&report_by(&device), &device);
    for status in [DeviceStatus::Suspended, DeviceStatus::Retired] {
        let mut ctx = context_for(&device);
        ctx.device.as_mut().unwrap().status = status;
        assert_eq!(
            check(&signed, &ctx),
            Err(Rejection::DeviceNotActive { status })
        );
    }
}

#[test]
fn replay_when_the_sequence_does_not_increase() {
    for sequence in [9, 3, 0] {
        assert_eq!(
            check_changed(|r| r.sequence = sequence),
            Err(Rejection::Replay {
                last: 9,
                got: sequence
            })
        );
    }
    assert_eq!(check_changed(|r| r.sequence = u64::MAX), Ok(()));
}

#[test]
fn late_when_the_period_starts_before_the_open_epoch() {
    assert_eq!(
        code(check_changed(|r| r.period_start = EPOCH_START - 1)),
        "late"
    );
    // Straddling the epoch's start is late too.
    assert_eq!(
        code(check_changed(|r| {
            r.period_start = EPOCH_START - HOUR / 2;
        })),
        "late"
    );
}

#[test]
fn early_when_the_period_has_not_ended() {
    // The clock is two hours into the epoch: hour 2..3 is not over.
    assert_eq!(
        check_changed(|r| r.period_start = EPOCH_START + 2 * HOUR),
        Err(Rejection::Early {
            period_end: EPOCH_START + 3 * HOUR,
            limit: EPOCH_START + 2 * HOUR,
        })
    );
    // Ending exactly now is fine.
    assert_eq!(
        check_changed(|r| r.period_start = EPOCH_START + HOUR),
        Ok(())
    );
}

#[test]
fn early_when_the_period_ends_after_the_open_epoch() {
    let device = keypair(7);
    let mut ctx = context_for(&device);
    ctx.now = ctx.epoch.end + 10 * HOUR;
    let last_hour = WorkReport {
        period_start: ctx.epoch.end - HOUR,
        ..report_by(&device)
    };
    assert_eq!(check(&sign(&last_hour, &device), &ctx), Ok(()));
    let over_the_end = WorkReport {
        period_start: ctx.epoch.end - HOUR + 1,
        ..last_hour
    };
    let result = check(&sign(&over_the_end, &device), &ctx);
    assert_eq!(
        result,
        Err(Rejection::Early {
            period_end: ctx.epoch.end + 1,
            limit: ctx.epoch.end,
        })
    );
}

#[test]
fn implausible_above_one_point_three_five_times_capacity() {
    // 5,000 W x 1.35 x 1 h = 6,750 Wh.
    assert_eq!(check_changed(|r| r.energy_wh = 6_750), Ok(()));
    assert_eq!(
        check_changed(|r| r.energy_wh = 6_751),
        Err(Rejection::Implausible {
            energy_wh: 6_751,
            max_energy_wh: 6_750,
            rated_power_w: 5_000,
        })
    );
}

#[test]
fn capacity_maps_to_power_per_kind() {
    let registered = |kind, capacity| RegisteredDevice {
        network: Pubkey::default(),
        device_key: Pubkey::default(),
        kind,
        capacity,
        status: DeviceStatus::Active,
    };
    // A 13.5 kWh battery, one hour at 1C: 13,500 x 1.35 = 18,225 Wh.
    assert_eq!(
        registered(DeviceKind::Battery, 13_500).max_energy_wh(3_600),
        18_225
    );
    // A 5 kW inverter over 15 minutes: 1,687.5 Wh, rounded down.
    assert_eq!(
        registered(DeviceKind::SolarInverter, 5_000).max_energy_wh(900),
        1_687
    );
    // A sensor registered with no capacity may deliver nothing.
    assert_eq!(registered(DeviceKind::Sensor, 0).max_energy_wh(3_600), 0);
    assert_eq!(
        registered(DeviceKind::Other, u32::MAX).max_energy_wh(u32::MAX),
        6_917_529_024_419_856
    );
}

#[test]
fn the_first_broken_rule_is_reported() {
    // Tampered and for another network: the signature is judged first.
    let device = keypair(7);
    let mut signed = sign(&report_by(&device), &device);
    signed.report.network = Pubkey::new_from_array([9; 32]);
    assert_eq!(code(check(&signed, &context_for(&device))), "bad_signature");
    // A replay of an old epoch's report is a replay, not merely late.
    assert_eq!(
        code(check_changed(|r| {
            r.sequence = 1;
            r.period_start = EPOCH_START - 48 * HOUR;
        })),
        "replay"
    );
}

#[test]
fn codes_are_distinct_and_listed() {
    let key = Pubkey::default();
    let every = [
        Rejection::Malformed(String::new()),
        Rejection::BadSignature,
        Rejection::WrongNetwork {
            expected: key,
            got: key,
        },
        Rejection::UnknownDevice {
            network: key,
            device_key: key,
        },
        Rejection::DeviceNotActive {
            status: DeviceStatus::Retired,
        },
        Rejection::Replay { last: 1, got: 1 },
        Rejection::Late {
            period_start: 0,
            epoch_start: 1,
        },
        Rejection::Early {
            period_end: 1,
            limit: 0,
        },
        Rejection::Implausible {
            energy_wh: 1,
            max_energy_wh: 0,
            rated_power_w: 0,
        },
    ];
    let codes: Vec<_> = every.iter().map(Rejection::code).collect();
    assert_eq!(codes, Rejection::CODES);
    let json = every[5].to_json();
    assert_eq!(json["code"], "replay");
    assert_eq!(
        json["message"],
        "sequence 1 does not exceed the last accepted sequence 1"
    );
}

fn with(report: WorkReport, change: impl FnOnce(&mut WorkReport)) -> SignedReport {
    let mut changed = report;
    change(&mut changed);
    SignedReport {
        report: changed,
        signature: Default::default(),
    }
}

#[test]
fn different_reports_for_the_same_period_conflict() {
    let device = keypair(7);
    let first = sign(&report_by(&device), &device);
    let second = sign(
        &WorkReport {
            energy_wh: 1,
            sequence: 11,
            ..first.report
        },
        &device,
    );
    assert!(conflicts(&first, &second));
    assert!(conflicts(&second, &first));
}

#[test]
fn overlapping_periods_conflict_and_adjacent_ones_do_not() {
    let base = report_by(&keypair(7));
    let a = with(base, |_| {});
    let overlapping = with(base, |r| r.period_start += 3_599);
    let adjacent = with(base, |r| r.period_start += 3_600);
    let inside = with(base, |r| {
        r.period_start += 60;
        r.period_secs = 60;
    });
    assert!(conflicts(&a, &overlapping));
    assert!(conflicts(&a, &inside));
    assert!(!conflicts(&a, &adjacent));
}

#[test]
fn the_same_report_twice_is_no_conflict() {
    let base = report_by(&keypair(7));
    let a = with(base, |_| {});
    let resigned = SignedReport {
        signature: solana_signature::Signature::from([5; 64]),
        ..a
    };
    assert!(!conflicts(&a, &a));
    assert!(!conflicts(&a, &resigned));
}

#[test]
fn other_devices_and_networks_never_conflict() {
    let base = report_by(&keypair(7));
    let a = with(base, |_| {});
    let other_device = with(base, |r| {
        r.device_key = keypair(8).pubkey();
        r.energy_wh += 1;
    });
    let other_network = with(base, |r| {
        r.network = Pubkey::new_from_array([9; 32]);
        r.energy_wh += 1;
    });
    assert!(!conflicts(&a, &other_device));
    assert!(!conflicts(&a, &other_network));
}

proptest! {
    /// Rounding never favours the device: an accepted amount is within
    /// 1.35 x power x time exactly, and one Wh more is refused.
    #[test]
    fn max_energy_is_the_exact_bound_rounded_down(
        capacity in any::<u32>(),
        period_secs in 1..=u32::MAX,
        kind in prop::sample::select(vec![
            DeviceKind::Battery, DeviceKind::SolarInverter, DeviceKind::Hotspot,
            DeviceKind::Sensor, DeviceKind::EvCharger, DeviceKind::Other,
        ]),
    ) {
        let device = RegisteredDevice {
            network: Pubkey::default(),
            device_key: Pubkey::default(),
            kind,
            capacity,
            status: DeviceStatus::Active,
        };
        let max = u128::from(device.max_energy_wh(period_secs));
        let bound = 135 * u128::from(capacity) * u128::from(period_secs);
        prop_assert!(max * 360_000 <= bound);
        prop_assert!((max + 1) * 360_000 > bound);
    }

    /// Conflict is symmetric, and never between a report and itself.
    #[test]
    fn conflicts_is_symmetric(
        a in crate::report::tests::any_report(),
        b in crate::report::tests::any_report(),
        same_device in any::<bool>(),
    ) {
        let b = if same_device {
            WorkReport { network: a.network, device_key: a.device_key, ..b }
        } else {
            b
        };
        let (a, b) = (with(a, |_| {}), with(b, |_| {}));
        prop_assert_eq!(conflicts(&a, &b), conflicts(&b, &a));
        prop_assert!(!conflicts(&a, &a));
    }
}

#[test]
fn epoch_schedule_numbers_epochs_from_one_at_the_network_creation() {
    let schedule = EpochSchedule {
        origin: 1_000,
        length_secs: 60,
    };
    assert_eq!(schedule.epoch_at(999), None);
    assert_eq!(schedule.epoch_at(1_000), Some(1));
    assert_eq!(schedule.epoch_at(1_059), Some(1));
    assert_eq!(schedule.epoch_at(1_060), Some(2));
    assert_eq!(schedule.window(0), None);
    assert_eq!(
        schedule.window(2),
        Some(EpochWindow {
            start: 1_060,
            end: 1_120
        })
    );
    for t in [1_000, 1_030, 1_119, 5_000] {
        let window = schedule.window(schedule.epoch_at(t).unwrap()).unwrap();
        assert!(window.start <= t && t < window.end);
    }
    let zero = EpochSchedule {
        origin: 0,
        length_secs: 0,
    };
    assert_eq!(zero.epoch_at(10), None);
    assert_eq!(schedule.window(u64::MAX), None);
}
