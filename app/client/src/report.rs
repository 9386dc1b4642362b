//! Device work reports off chain: signing (devices, the simulator, tests),
//! signature verification, the JSON form of the crank's HTTP API, and (in
//! [`ingest`]) the rules the crank applies before accepting a report.
//!
//! The signed bytes are `depin_registry::report::message`; nothing here
//! redefines them. Verification lives here rather than in the registry crate
//! because the program has no ed25519 implementation in its dependencies (on
//! chain the Ed25519 precompile checks signatures), while this crate already
//! has one through `solana-keypair` (`Signature::verify`, strict ed25519).

pub mod ingest;

use anchor_lang::prelude::Pubkey;
use serde::{Deserialize, Serialize};
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;

pub use depin_registry::report::{decode, message, WorkReport, DOMAIN, MESSAGE_LEN};
pub use ingest::{
    check, conflicts, EpochSchedule, EpochWindow, IngestContext, RegisteredDevice, Rejection,
};

/// A work report and the device key's signature of its [`message`].
///
/// JSON (the HTTP API; keys and signature in base58, unknown fields refused):
/// `{"report": {"network", "device_key", "period_start", "period_secs",
/// "energy_wh", "uptime_secs", "sequence"}, "signature"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SignedReportJson", into = "SignedReportJson")]
pub struct SignedReport {
    pub report: WorkReport,
    pub signature: Signature,
}

/// Signs `report` with the device's keypair (on real hardware the secure
/// element signs [`message`]). The keypair must be `report.device_key`'s:
/// any other key's signature fails [`SignedReport::verify`].
pub fn sign(report: &WorkReport, device: &Keypair) -> SignedReport {
    SignedReport {
        report: *report,
        signature: device.sign_message(&message(report)),
    }
}

/// True when `message` is a work report message naming `device_key` as its
/// device, and `signature` is that key's signature of it. Anything else a
/// device key signed (an attestation, say) is refused: its bytes are not a
/// report message.
pub fn verify_message(message: &[u8], device_key: &Pubkey, signature: &Signature) -> bool {
    decode(message).is_some_and(|report| report.device_key == *device_key)
        && signature.verify(device_key.as_ref(), message)
}

impl SignedReport {
    /// The bytes the signature covers.
    pub fn message(&self) -> [u8; MESSAGE_LEN] {
        message(&self.report)
    }

    pub fn verify(&self) -> bool {
        verify_message(&self.message(), &self.report.device_key, &self.signature)
    }

    /// Parses one report from the API's JSON; the error is a
    /// [`Rejection::Malformed`] naming what is wrong.
    pub fn from_json(json: &[u8]) -> Result<Self, Rejection> {
        serde_json::from_slice(json).map_err(|error| Rejection::Malformed(error.to_string()))
    }

    /// Parses a gateway's batch: a JSON array of reports.
    pub fn batch_from_json(json: &[u8]) -> Result<Vec<Self>, Rejection> {
        serde_json::from_slice(json).map_err(|error| Rejection::Malformed(error.to_string()))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedReportJson {
    report: WorkReportJson,
    signature: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkReportJson {
    network: String,
    device_key: String,
    period_start: i64,
    period_secs: u32,
    energy_wh: u64,
    uptime_secs: u32,
    sequence: u64,
}

impl From<SignedReport> for SignedReportJson {
    fn from(signed: SignedReport) -> Self {
        let report = signed.report;
        SignedReportJson {
            report: WorkReportJson {
                network: report.network.to_string(),
                device_key: report.device_key.to_string(),
                period_start: report.period_start,
                period_secs: report.period_secs,
                energy_wh: report.energy_wh,
                uptime_secs: report.uptime_secs,
                sequence: report.sequence,
            },
            signature: signed.signature.to_string(),
        }
    }
}

impl TryFrom<SignedReportJson> for SignedReport {
    type Error = String;

    fn try_from(json: SignedReportJson) -> Result<Self, String> {
        let key = |field: &str, value: &str| {
            value
                .parse::<Pubkey>()
                .map_err(|error| format!("{field} {value:?}: {error}"))
        };
        let report = json.report;
        Ok(SignedReport {
            report: WorkReport {
                network: key("network", &report.network)?,
                device_key: key("device_key", &report.device_key)?,
                period_start: report.period_start,
                period_secs: report.period_secs,
                energy_wh: report.energy_wh,
                uptime_secs: report.uptime_secs,
                sequence: report.sequence,
            },
            signature: json
                .signature
                .parse()
                .map_err(|error| format!("signature {:?}: {error}", json.signature))?,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use depin_registry::attestation;
    use depin_registry::state::AttestationKind;
    use proptest::prelude::*;

    /// A device keypair from a seed, and a report it signs.
    pub(crate) fn keypair(seed: u8) -> Keypair {
        Keypair::new_from_array([seed; 32])
    }

    pub(crate) fn report_by(device: &Keypair) -> WorkReport {
        WorkReport {
            network: Pubkey::new_from_array([1; 32]),
            device_key: device.pubkey(),
            period_start: 1_700_000_000,
            period_secs: 3_600,
            energy_wh: 4_000,
            uptime_secs: 3_600,
            sequence: 10,
        }
    }

    #[test]
    fn a_signed_report_verifies() {
        let device = keypair(7);
        assert!(sign(&report_by(&device), &device).verify());
    }

    #[test]
    fn another_keys_signature_does_not_verify() {
        let device = keypair(7);
        let signed = sign(&report_by(&device), &keypair(8));
        assert!(!signed.verify());
    }

    #[test]
    fn verify_message_requires_the_named_device_key() {
        let device = keypair(7);
        let signed = sign(&report_by(&device), &device);
        let other = keypair(8).pubkey();
        assert!(!verify_message(
            &signed.message(),
            &other,
            &signed.signature
        ));
    }

    #[test]
    fn an_attestation_signature_never_verifies_as_a_report() {
        let device = keypair(7);
        let attested = attestation::message(
            &Pubkey::new_from_array([2; 32]),
            1,
            1,
            AttestationKind::WorkReport,
            &[3; 32],
        );
        let signature = device.sign_message(&attested);
        // A valid signature of those bytes...
        assert!(signature.verify(device.pubkey().as_ref(), &attested));
        // ...is no report: not as the bytes signed, nor over any report.
        assert!(!verify_message(&attested, &device.pubkey(), &signature));
        let as_report = SignedReport {
            report: report_by(&device),
            signature,
        };
        assert!(!as_report.verify());
    }

    #[test]
    fn a_report_signature_never_verifies_as_an_attestation() {
        let device = keypair(7);
        let signed = sign(&report_by(&device), &device);
        // The registry checks that the Ed25519 instruction's message equals
        // the attestation message it expects; a report message never does.
        let expected = attestation::message(
            &Pubkey::new_from_array([2; 32]),
            1,
            1,
            AttestationKind::WorkReport,
            &[3; 32],
        );
        assert_ne!(&signed.message()[..], &expected[..]);
        assert_ne!(
            &signed.message()[..attestation::DOMAIN.len()],
            attestation::DOMAIN
        );
        assert!(!signed.signature.verify(device.pubkey().as_ref(), &expected));
    }

    #[test]
    fn json_round_trips_with_base58_keys() {
        let device = keypair(7);
        let signed = sign(&report_by(&device), &device);
        let json = serde_json::to_value(signed).unwrap();
        assert_eq!(json["report"]["device_key"], device.pubkey().to_string());
        assert_eq!(json["signature"], signed.signature.to_string());
        assert_eq!(json["report"]["energy_wh"], 4_000);
        let bytes = serde_json::to_vec(&json).unwrap();
        assert_eq!(SignedReport::from_json(&bytes), Ok(signed));
        let batch = serde_json::to_vec(&[signed, signed]).unwrap();
        assert_eq!(
            SignedReport::batch_from_json(&batch),
            Ok(vec![signed, signed])
        );
    }

    #[test]
    fn bad_json_is_malformed() {
        let device = keypair(7);
        let good = serde_json::to_value(sign(&report_by(&device), &device)).unwrap();
        let mut cases = Vec::new();
        let mut bad_key = good.clone();
        bad_key["report"]["network"] = "not-base58-0OIl".into();
        cases.push(bad_key);
        let mut short_signature = good.clone();
        short_signature["signature"] = "3vQB7B6MrGQZaxCuFg4oh".into();
        cases.push(short_signature);
        let mut unknown_field = good.clone();
        unknown_field["report"]["bonus_wh"] = 1.into();
        cases.push(unknown_field);
        let mut negative = good.clone();
        negative["report"]["energy_wh"] = (-1).into();
        cases.push(negative);
        let mut missing = good;
        missing["report"]
            .as_object_mut()
            .unwrap()
            .remove("sequence");
        cases.push(missing);
        for case in cases {
            let bytes = serde_json::to_vec(&case).unwrap();
            let rejection = SignedReport::from_json(&bytes).unwrap_err();
            assert_eq!(rejection.code(), "malformed", "{case}");
        }
        assert_eq!(
            SignedReport::from_json(b"{").unwrap_err().code(),
            "malformed"
        );
    }

    pub(crate) fn any_report() -> impl Strategy<Value = WorkReport> {
        (
            any::<[u8; 32]>(),
            any::<[u8; 32]>(),
            any::<i64>(),
            any::<u32>(),
            any::<u64>(),
            any::<u32>(),
            any::<u64>(),
        )
            .prop_map(
                |(network, device_key, start, secs, energy, uptime, sequence)| WorkReport {
                    network: Pubkey::new_from_array(network),
                    device_key: Pubkey::new_from_array(device_key),
                    period_start: start,
                    period_secs: secs,
                    energy_wh: energy,
                    uptime_secs: uptime,
                    sequence,
                },
            )
    }

    proptest! {
        #[test]
        fn message_round_trips(report in any_report()) {
            prop_assert_eq!(decode(&message(&report)), Some(report));
        }

        #[test]
        fn json_round_trips(report in any_report(), signature in prop::collection::vec(any::<u8>(), 64)) {
            let signature: [u8; 64] = signature.try_into().unwrap();
            let signed = SignedReport { report, signature: Signature::from(signature) };
            let json = serde_json::to_vec(&signed).unwrap();
            prop_assert_eq!(SignedReport::from_json(&json), Ok(signed));
        }

        /// Any single-byte change of the signed message or of the signature
        /// fails verification.
        #[test]
        fn any_byte_change_fails_verification(
            seed in any::<[u8; 32]>(),
            mut report in any_report(),
            index in 0..MESSAGE_LEN + 64,
            flip in 1..=u8::MAX,
        ) {
            let device = Keypair::new_from_array(seed);
            report.device_key = device.pubkey();
            let signed = sign(&report, &device);
            prop_assert!(signed.verify());
            let mut bytes = signed.message();
            let mut signature = *signed.signature.as_array();
            if index < MESSAGE_LEN {
                bytes[index] ^= flip;
            } else {
                signature[index - MESSAGE_LEN] ^= flip;
            }
            prop_assert!(!verify_message(&bytes, &device.pubkey(), &Signature::from(signature)));
        }
    }
}
