//! Meter readings: the message a device signs to settle a payment session
//! (`depin_payments::settle`). Defined here, next to the attestation and
//! report messages, so everything a device key signs lives in one crate with
//! distinct domains, and the program, the device-side signer and the tests
//! share one layout.

use anchor_lang::prelude::*;

/// Keeps a meter signature from passing as an attestation or a work report
/// (and the reverse).
pub const DOMAIN: &[u8; 16] = b"depin-meter-v1\0\0";

/// Byte layout of [`message`], integers little endian:
///
/// | bytes    | field |
/// |----------|-------|
/// | 0..16    | [`DOMAIN`] |
/// | 16..48   | device account (binds program, network and device key) |
/// | 48..52   | registration (u32): nothing signed before a re-registration verifies after it |
/// | 52..84   | session account (binds device, customer and session id) |
/// | 84..92   | opened_at (i64): when the session opened. A session id may be used again once its session ended, at the same account address: nothing signed for the ended session verifies for the new one |
/// | 92..100  | units (u64): the session's cumulative meter reading |
/// | 100..108 | sequence (u64): strictly increasing per session |
/// | 108      | final (1 = this reading closes the session, else 0) |
pub const MESSAGE_LEN: usize = 16 + 32 + 4 + 32 + 8 + 8 + 8 + 1;

/// A device's cumulative reading for one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MeterReading {
    /// Units delivered since the session opened (cumulative).
    pub units: u64,
    /// Strictly increasing per session (replay guard).
    pub sequence: u64,
    /// The device ends the session with this reading.
    pub is_final: bool,
}

/// The bytes a device signs for `reading` of `session`, opened at `opened_at`.
pub fn message(
    device: &Pubkey,
    registration: u32,
    session: &Pubkey,
    opened_at: i64,
    reading: &MeterReading,
) -> [u8; MESSAGE_LEN] {
    let mut out = [0u8; MESSAGE_LEN];
    out[..16].copy_from_slice(DOMAIN);
    out[16..48].copy_from_slice(device.as_ref());
    out[48..52].copy_from_slice(&registration.to_le_bytes());
    out[52..84].copy_from_slice(session.as_ref());
    out[84..92].copy_from_slice(&opened_at.to_le_bytes());
    out[92..100].copy_from_slice(&reading.units.to_le_bytes());
    out[100..108].copy_from_slice(&reading.sequence.to_le_bytes());
    out[108] = u8::from(reading.is_final);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_binds_every_field_and_differs_from_the_other_domains() {
        let (device, session) = (Pubkey::new_unique(), Pubkey::new_unique());
        let reading = MeterReading {
            units: 5,
            sequence: 1,
            is_final: false,
        };
        let base = message(&device, 1, &session, 100, &reading);
        let variants = [
            message(&Pubkey::new_unique(), 1, &session, 100, &reading),
            message(&device, 2, &session, 100, &reading),
            message(&device, 1, &Pubkey::new_unique(), 100, &reading),
            message(&device, 1, &session, 101, &reading),
            message(
                &device,
                1,
                &session,
                100,
                &MeterReading {
                    units: 6,
                    ..reading
                },
            ),
            message(
                &device,
                1,
                &session,
                100,
                &MeterReading {
                    sequence: 2,
                    ..reading
                },
            ),
            message(
                &device,
                1,
                &session,
                100,
                &MeterReading {
                    is_final: true,
                    ..reading
                },
            ),
        ];
        for variant in variants {
            assert_ne!(base, variant);
        }
        assert_ne!(DOMAIN, crate::attestation::DOMAIN);
        assert_ne!(DOMAIN, crate::report::DOMAIN);
    }
}
