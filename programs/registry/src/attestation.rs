//! Device attestations: the signed message, and the Ed25519 precompile
//! instruction that carries it. Both the program (parse) and the client
//! (build) use this module, so the byte layout is defined once.

use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::state::AttestationKind;

pub use solana_instructions_sysvar::ID as INSTRUCTIONS_SYSVAR_ID;

pub const ED25519_PROGRAM_ID: Pubkey = pubkey!("Ed25519SigVerify111111111111111111111111111");

/// Keeps a device signature for this program from passing as anything else.
pub const DOMAIN: &[u8; 16] = b"depin-attest-v1\0";
pub const MESSAGE_LEN: usize = 16 + 32 + 4 + 4 + 1 + 32;

/// Ed25519 instruction layout: 2-byte header, one 14-byte offsets entry,
/// then public key, signature and message.
const HEADER_LEN: usize = 2;
const OFFSETS_LEN: usize = 14;
const PUBKEY_OFFSET: usize = HEADER_LEN + OFFSETS_LEN;
const SIGNATURE_OFFSET: usize = PUBKEY_OFFSET + 32;
const MESSAGE_OFFSET: usize = SIGNATURE_OFFSET + 64;
/// "The data is in this same instruction."
const THIS_INSTRUCTION: u16 = u16::MAX;

/// The bytes a device signs: domain, the device account (which binds program,
/// network and device key), the registration it belongs to (so nothing signed
/// before a close and re-registration verifies again), nonce, kind, payload.
pub fn message(
    device: &Pubkey,
    registration: u32,
    nonce: u32,
    kind: AttestationKind,
    payload: &[u8; 32],
) -> [u8; MESSAGE_LEN] {
    let mut out = [0u8; MESSAGE_LEN];
    out[..16].copy_from_slice(DOMAIN);
    out[16..48].copy_from_slice(device.as_ref());
    out[48..52].copy_from_slice(&registration.to_le_bytes());
    out[52..56].copy_from_slice(&nonce.to_le_bytes());
    out[56] = kind as u8;
    out[57..].copy_from_slice(payload);
    out
}

/// Data of an Ed25519 precompile instruction checking one signature whose
/// key, signature and message all live in the instruction itself.
pub fn ed25519_instruction_data(
    pubkey: &[u8; 32],
    signature: &[u8; 64],
    message: &[u8],
) -> Vec<u8> {
    let mut data = Vec::with_capacity(MESSAGE_OFFSET + message.len());
    data.extend_from_slice(&[1, 0]);
    for value in [
        SIGNATURE_OFFSET as u16,
        THIS_INSTRUCTION,
        PUBKEY_OFFSET as u16,
        THIS_INSTRUCTION,
        MESSAGE_OFFSET as u16,
        message.len() as u16,
        THIS_INSTRUCTION,
    ] {
        data.extend_from_slice(&value.to_le_bytes());
    }
    data.extend_from_slice(pubkey);
    data.extend_from_slice(signature);
    data.extend_from_slice(message);
    data
}

/// The public key and message that an Ed25519 instruction's data proves were
/// signed. Rejects anything but exactly one signature whose offsets all point
/// into the same instruction: an entry pointing at another instruction would
/// let the precompile check different bytes than the ones read here.
pub fn parse_ed25519_instruction(data: &[u8]) -> Result<(Pubkey, &[u8])> {
    require!(
        data.len() >= PUBKEY_OFFSET && data[0] == 1,
        RegistryError::MalformedEd25519Instruction
    );
    let field =
        |i: usize| u16::from_le_bytes([data[HEADER_LEN + 2 * i], data[HEADER_LEN + 2 * i + 1]]);
    let (sig_ix, key_offset, key_ix) = (field(1), field(2) as usize, field(3));
    let (msg_offset, msg_len, msg_ix) = (field(4) as usize, field(5) as usize, field(6));
    require!(
        sig_ix == THIS_INSTRUCTION && key_ix == THIS_INSTRUCTION && msg_ix == THIS_INSTRUCTION,
        RegistryError::MalformedEd25519Instruction
    );
    let key = data
        .get(key_offset..key_offset + 32)
        .ok_or(RegistryError::MalformedEd25519Instruction)?;
    let message = data
        .get(msg_offset..msg_offset + msg_len)
        .ok_or(RegistryError::MalformedEd25519Instruction)?;
    Ok((Pubkey::new_from_array(key.try_into().unwrap()), message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_then_parse_round_trips() {
        let device = Pubkey::new_unique();
        let msg = message(&device, 1, 7, AttestationKind::WorkReport, &[9; 32]);
        let key = [3u8; 32];
        let data = ed25519_instruction_data(&key, &[5; 64], &msg);
        let (parsed_key, parsed_msg) = parse_ed25519_instruction(&data).unwrap();
        assert_eq!(parsed_key.to_bytes(), key);
        assert_eq!(parsed_msg, &msg[..]);
    }

    #[test]
    fn rejects_offsets_into_other_instructions() {
        let mut data = ed25519_instruction_data(&[3; 32], &[5; 64], b"hello");
        // message_instruction_index -> instruction 0
        data[14..16].copy_from_slice(&0u16.to_le_bytes());
        assert!(parse_ed25519_instruction(&data).is_err());
    }

    #[test]
    fn rejects_two_signatures_and_truncation() {
        let mut data = ed25519_instruction_data(&[3; 32], &[5; 64], b"hello");
        data[0] = 2;
        assert!(parse_ed25519_instruction(&data).is_err());
        let data = ed25519_instruction_data(&[3; 32], &[5; 64], b"hello");
        assert!(parse_ed25519_instruction(&data[..data.len() - 1]).is_err());
    }

    #[test]
    fn message_binds_every_field() {
        let device = Pubkey::new_unique();
        let base = message(&device, 1, 1, AttestationKind::Location, &[1; 32]);
        assert_ne!(
            base,
            message(
                &Pubkey::new_unique(),
                1,
                1,
                AttestationKind::Location,
                &[1; 32]
            )
        );
        assert_ne!(
            base,
            message(&device, 1, 2, AttestationKind::Location, &[1; 32])
        );
        assert_ne!(
            base,
            message(&device, 2, 1, AttestationKind::Location, &[1; 32])
        );
        assert_ne!(
            base,
            message(&device, 1, 1, AttestationKind::WorkReport, &[1; 32])
        );
        assert_ne!(
            base,
            message(&device, 1, 1, AttestationKind::Location, &[2; 32])
        );
    }
}
