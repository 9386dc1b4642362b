//! Device work reports: the message a device signs with its own key to tell
//! the crank what it did in a period. Defined here, next to the attestation
//! message, so the devices' signer, the crank and the tests share one layout.
//!
//! No instruction reads reports: they are checked off chain
//! (`depin_client::report` verifies the signature and applies the ingest
//! rules), so this module adds nothing to the program. A report can still
//! reach the chain as an attestation of kind `WorkReport` whose payload is a
//! hash of these bytes.

use anchor_lang::prelude::*;

/// Keeps a report signature from passing as an attestation (or anything else
/// a device key signs), and the reverse.
pub const DOMAIN: &[u8; 16] = b"depin-report-v1\0";

/// Byte layout of [`message`], all integers little endian:
///
/// | bytes    | field         |
/// |----------|---------------|
/// | 0..16    | [`DOMAIN`]    |
/// | 16..48   | network       |
/// | 48..80   | device_key    |
/// | 80..88   | period_start  (i64, unix seconds) |
/// | 88..92   | period_secs   (u32) |
/// | 92..100  | energy_wh     (u64) |
/// | 100..104 | uptime_secs   (u32) |
/// | 104..112 | sequence      (u64) |
pub const MESSAGE_LEN: usize = 16 + 32 + 32 + 8 + 4 + 8 + 4 + 8;

const NETWORK: usize = 16;
const DEVICE_KEY: usize = NETWORK + 32;
const PERIOD_START: usize = DEVICE_KEY + 32;
const PERIOD_SECS: usize = PERIOD_START + 8;
const ENERGY_WH: usize = PERIOD_SECS + 4;
const UPTIME_SECS: usize = ENERGY_WH + 8;
const SEQUENCE: usize = UPTIME_SECS + 4;

/// What a device did during `[period_start, period_start + period_secs)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkReport {
    /// The network account the device is registered in.
    pub network: Pubkey,
    /// The device's own ed25519 key, which signs the report.
    pub device_key: Pubkey,
    /// Unix seconds.
    pub period_start: i64,
    pub period_secs: u32,
    /// Energy delivered during the period.
    pub energy_wh: u64,
    pub uptime_secs: u32,
    /// Per device, strictly increasing across all its reports (replay guard).
    pub sequence: u64,
}

impl WorkReport {
    /// End of the period (exclusive); `None` when it does not fit an i64.
    pub fn period_end(&self) -> Option<i64> {
        self.period_start.checked_add(i64::from(self.period_secs))
    }
}

/// The bytes a device signs.
pub fn message(report: &WorkReport) -> [u8; MESSAGE_LEN] {
    let mut out = [0u8; MESSAGE_LEN];
    out[..NETWORK].copy_from_slice(DOMAIN);
    out[NETWORK..DEVICE_KEY].copy_from_slice(report.network.as_ref());
    out[DEVICE_KEY..PERIOD_START].copy_from_slice(report.device_key.as_ref());
    out[PERIOD_START..PERIOD_SECS].copy_from_slice(&report.period_start.to_le_bytes());
    out[PERIOD_SECS..ENERGY_WH].copy_from_slice(&report.period_secs.to_le_bytes());
    out[ENERGY_WH..UPTIME_SECS].copy_from_slice(&report.energy_wh.to_le_bytes());
    out[UPTIME_SECS..SEQUENCE].copy_from_slice(&report.uptime_secs.to_le_bytes());
    out[SEQUENCE..].copy_from_slice(&report.sequence.to_le_bytes());
    out
}

/// The report a message encodes: `None` unless it is exactly
/// [`MESSAGE_LEN`] bytes starting with [`DOMAIN`]. Every such message decodes,
/// and `message(&decode(m)?) == m`.
pub fn decode(bytes: &[u8]) -> Option<WorkReport> {
    let bytes: &[u8; MESSAGE_LEN] = bytes.try_into().ok()?;
    if &bytes[..NETWORK] != DOMAIN {
        return None;
    }
    Some(WorkReport {
        network: Pubkey::new_from_array(field(bytes, NETWORK)),
        device_key: Pubkey::new_from_array(field(bytes, DEVICE_KEY)),
        period_start: i64::from_le_bytes(field(bytes, PERIOD_START)),
        period_secs: u32::from_le_bytes(field(bytes, PERIOD_SECS)),
        energy_wh: u64::from_le_bytes(field(bytes, ENERGY_WH)),
        uptime_secs: u32::from_le_bytes(field(bytes, UPTIME_SECS)),
        sequence: u64::from_le_bytes(field(bytes, SEQUENCE)),
    })
}

/// The `N` bytes at `at`; the offsets are the constants above, always in bounds.
fn field<const N: usize>(bytes: &[u8; MESSAGE_LEN], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[at..at + N]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attestation;

    fn sample() -> WorkReport {
        WorkReport {
            network: Pubkey::new_unique(),
            device_key: Pubkey::new_unique(),
            period_start: 1_700_000_000,
            period_secs: 3_600,
            energy_wh: 4_200,
            uptime_secs: 3_500,
            sequence: 7,
        }
    }

    #[test]
    fn layout_is_the_documented_one() {
        let report = sample();
        let bytes = message(&report);
        assert_eq!(MESSAGE_LEN, 112);
        assert_eq!(&bytes[..16], DOMAIN);
        assert_eq!(&bytes[16..48], report.network.as_ref());
        assert_eq!(&bytes[48..80], report.device_key.as_ref());
        assert_eq!(bytes[80..88], 1_700_000_000i64.to_le_bytes());
        assert_eq!(bytes[88..92], 3_600u32.to_le_bytes());
        assert_eq!(bytes[92..100], 4_200u64.to_le_bytes());
        assert_eq!(bytes[100..104], 3_500u32.to_le_bytes());
        assert_eq!(bytes[104..112], 7u64.to_le_bytes());
    }

    #[test]
    fn decode_round_trips() {
        let report = sample();
        assert_eq!(decode(&message(&report)), Some(report));
    }

    #[test]
    fn decode_refuses_wrong_length_and_domain() {
        let bytes = message(&sample());
        assert_eq!(decode(&bytes[..MESSAGE_LEN - 1]), None);
        assert_eq!(decode(&[&bytes[..], &[0]].concat()), None);
        let mut other_domain = bytes;
        other_domain[..16].copy_from_slice(attestation::DOMAIN);
        assert_eq!(decode(&other_domain), None);
    }

    #[test]
    fn domain_differs_from_the_attestation_domain() {
        assert_ne!(DOMAIN, attestation::DOMAIN);
        // Different lengths too: neither message can be the other's bytes.
        assert_ne!(MESSAGE_LEN, attestation::MESSAGE_LEN);
    }

    #[test]
    fn period_end_is_checked() {
        let mut report = sample();
        assert_eq!(report.period_end(), Some(1_700_003_600));
        report.period_start = i64::MAX;
        assert_eq!(report.period_end(), None);
    }
}
