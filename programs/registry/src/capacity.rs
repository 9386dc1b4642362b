//! What a device can plausibly deliver, from its kind and registered
//! capacity. One rule for the crank (work reports) and the payments program
//! (meter readings).

use crate::state::DeviceKind;

/// Glow's reporting rule: at most 1.35 x capacity x period length.
pub const PLAUSIBLE_CAPACITY_PERCENT: u128 = 135;

/// The power (W) the plausibility rule allows, from the kind-specific
/// capacity:
/// - battery: capacity is stored energy (Wh); allow a full discharge per
///   hour (1C), so W = Wh / 1 h. Home batteries are rated well below that
///   (13.5 kWh at 5 kW is 0.37C), so an honest battery is never refused;
/// - solar inverter, EV charger: capacity is the rated output power (W);
/// - hotspot, sensor, other: capacity is read as W too; these deliver
///   little or no energy, and a capacity of 0 allows none.
pub fn rated_power_w(kind: DeviceKind, capacity: u32) -> u64 {
    let capacity = u64::from(capacity);
    match kind {
        DeviceKind::Battery => capacity, // Wh over one hour
        DeviceKind::SolarInverter | DeviceKind::EvCharger => capacity,
        DeviceKind::Hotspot | DeviceKind::Sensor | DeviceKind::Other => capacity,
    }
}

/// The most energy (Wh, rounded down) the device can plausibly deliver in
/// `secs`: 1.35 x rated power x hours.
pub fn max_energy_wh(kind: DeviceKind, capacity: u32, secs: u64) -> u64 {
    scaled(u128::from(rated_power_w(kind, capacity)), secs, 3_600)
}

/// The most service time (s) a device can plausibly sell in `secs`: the
/// elapsed time with the same tolerance (clock skew between the device and
/// the chain).
pub fn max_service_secs(secs: u64) -> u64 {
    scaled(1, secs, 1)
}

/// The most data (MB) a device can plausibly move in `secs`: its capacity
/// is read as a link rate in Mbit/s, so MB = 1.35 x Mbit/s x s / 8.
pub fn max_data_mb(capacity: u32, secs: u64) -> u64 {
    scaled(u128::from(capacity), secs, 8)
}

/// `1.35 x rate x secs / per`, rounded down, saturating at `u64::MAX`.
fn scaled(rate: u128, secs: u64, per: u128) -> u64 {
    let bound = PLAUSIBLE_CAPACITY_PERCENT * rate * u128::from(secs) / (100 * per);
    u64::try_from(bound).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_follow_the_documented_rule() {
        // 5,000 W x 1.35 x 1 h = 6,750 Wh.
        assert_eq!(max_energy_wh(DeviceKind::EvCharger, 5_000, 3_600), 6_750);
        assert_eq!(max_energy_wh(DeviceKind::Battery, 13_500, 3_600), 18_225);
        assert_eq!(max_energy_wh(DeviceKind::Sensor, 0, 3_600), 0);
        assert_eq!(max_service_secs(100), 135);
        // 100 Mbit/s for 80 s: 1,000 MB, 1,350 with the tolerance.
        assert_eq!(max_data_mb(100, 80), 1_350);
        assert_eq!(
            max_energy_wh(DeviceKind::Battery, u32::MAX, u64::MAX),
            u64::MAX
        );
    }
}
