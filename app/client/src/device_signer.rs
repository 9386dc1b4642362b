//! Everything a device signs with its own key, in one place: work reports
//! for the crank ([`sign_report`]), attestations for the registry
//! ([`Attestation::sign`]) and meter readings that settle payment sessions
//! ([`sign_reading`]). On real hardware the secure element signs these
//! bytes; the layouts are the registry crate's (`report`, `attestation`,
//! `meter`), each under its own domain, so no signature passes as another.

use anchor_lang::prelude::Pubkey;
use depin_registry::attestation;
use depin_registry::meter::{self, MeterReading, MESSAGE_LEN};
use serde::{Deserialize, Serialize};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;

pub use crate::registry::{Attestation, AttestationTarget};
pub use crate::report::{sign as sign_report, SignedReport, WorkReport};

/// What a meter reading binds besides the reading itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadingTarget {
    /// The device account (registry PDA).
    pub device: Pubkey,
    /// The device's own key, which signs.
    pub device_key: Pubkey,
    /// The device's registration the session was opened under.
    pub registration: u32,
    pub session: Pubkey,
    /// When the session opened (`Session::opened_at`): a session id used
    /// again after its session ended names the same account, so readings
    /// bind the opening too.
    pub opened_at: i64,
}

impl ReadingTarget {
    /// The exact bytes the device signs for `reading`.
    pub fn message(&self, reading: &MeterReading) -> [u8; MESSAGE_LEN] {
        meter::message(
            &self.device,
            self.registration,
            &self.session,
            self.opened_at,
            reading,
        )
    }
}

/// A reading and the device key's signature of its message.
///
/// JSON: `{"device", "device_key", "registration", "session", "opened_at",
/// "units", "sequence", "final", "signature"}` (keys and signature in
/// base58).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SignedReadingJson", into = "SignedReadingJson")]
pub struct SignedReading {
    pub target: ReadingTarget,
    pub reading: MeterReading,
    pub signature: Signature,
}

/// Signs `reading` of `target`'s session with the device's keypair, which
/// must be `target.device_key`'s (any other key's signature fails on chain).
pub fn sign_reading(
    target: &ReadingTarget,
    reading: MeterReading,
    device: &Keypair,
) -> SignedReading {
    SignedReading {
        target: *target,
        reading,
        signature: device.sign_message(&target.message(&reading)),
    }
}

impl SignedReading {
    pub fn message(&self) -> [u8; MESSAGE_LEN] {
        self.target.message(&self.reading)
    }

    /// The device key's signature of exactly this reading's message.
    pub fn verify(&self) -> bool {
        self.signature
            .verify(self.target.device_key.as_ref(), &self.message())
    }

    /// The Ed25519 precompile instruction the program reads back; it must
    /// come right before `settle`.
    pub fn ed25519_instruction(&self) -> Instruction {
        Instruction {
            program_id: attestation::ED25519_PROGRAM_ID,
            accounts: vec![],
            data: attestation::ed25519_instruction_data(
                &self.target.device_key.to_bytes(),
                self.signature.as_array(),
                &self.message(),
            ),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignedReadingJson {
    device: String,
    device_key: String,
    registration: u32,
    session: String,
    opened_at: i64,
    units: u64,
    sequence: u64,
    #[serde(rename = "final")]
    is_final: bool,
    signature: String,
}

impl From<SignedReading> for SignedReadingJson {
    fn from(signed: SignedReading) -> Self {
        SignedReadingJson {
            device: signed.target.device.to_string(),
            device_key: signed.target.device_key.to_string(),
            registration: signed.target.registration,
            session: signed.target.session.to_string(),
            opened_at: signed.target.opened_at,
            units: signed.reading.units,
            sequence: signed.reading.sequence,
            is_final: signed.reading.is_final,
            signature: signed.signature.to_string(),
        }
    }
}

impl TryFrom<SignedReadingJson> for SignedReading {
    type Error = String;

    fn try_from(json: SignedReadingJson) -> Result<Self, String> {
        let key = |field: &str, value: &str| {
            value
                .parse::<Pubkey>()
                .map_err(|error| format!("{field} {value:?}: {error}"))
        };
        Ok(SignedReading {
            target: ReadingTarget {
                device: key("device", &json.device)?,
                device_key: key("device_key", &json.device_key)?,
                registration: json.registration,
                session: key("session", &json.session)?,
                opened_at: json.opened_at,
            },
            reading: MeterReading {
                units: json.units,
                sequence: json.sequence,
                is_final: json.is_final,
            },
            signature: json
                .signature
                .parse()
                .map_err(|error| format!("signature {:?}: {error}", json.signature))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(device_key: Pubkey) -> ReadingTarget {
        ReadingTarget {
            device: Pubkey::new_unique(),
            device_key,
            registration: 3,
            session: Pubkey::new_unique(),
            opened_at: 1_700_000_000,
        }
    }

    #[test]
    fn a_signed_reading_verifies_round_trips_as_json_and_binds_its_fields() {
        let device = Keypair::new();
        let reading = MeterReading {
            units: 1_200,
            sequence: 2,
            is_final: false,
        };
        let signed = sign_reading(&target(device.pubkey()), reading, &device);
        assert!(signed.verify());
        let json = serde_json::to_string(&signed).unwrap();
        assert!(json.contains("\"final\":false"));
        assert!(json.contains("\"opened_at\":1700000000"));
        assert_eq!(
            serde_json::from_str::<SignedReading>(&json).unwrap(),
            signed
        );
        let mut altered = signed;
        altered.reading.units += 1;
        assert!(!altered.verify());
        let other = sign_reading(&target(device.pubkey()), reading, &Keypair::new());
        assert!(!other.verify());
    }

    #[test]
    fn the_precompile_instruction_carries_the_key_and_message() {
        let device = Keypair::new();
        let signed = sign_reading(&target(device.pubkey()), MeterReading::default(), &device);
        let ix = signed.ed25519_instruction();
        let (key, message) = attestation::parse_ed25519_instruction(&ix.data).unwrap();
        assert_eq!(key, device.pubkey());
        assert_eq!(message, &signed.message()[..]);
    }
}
