//! The device's signature of a meter reading, checked the way attestations
//! are: the instruction right before settle is the Ed25519 precompile over
//! `depin_registry::meter::message(..)`, read back through the instructions
//! sysvar.

use anchor_lang::prelude::*;
use depin_registry::attestation::{parse_ed25519_instruction, ED25519_PROGRAM_ID};
use depin_registry::meter::{self, MeterReading};
use depin_registry::state::Device;
use solana_instructions_sysvar::get_instruction_relative;

use crate::errors::PaymentsError;

/// The device signed `reading` of `session` (its address and its opening
/// time: an id used again names the same address, not the same session).
pub fn require_signed_by_device(
    instructions_sysvar: &AccountInfo,
    device: &Account<Device>,
    session: &Pubkey,
    opened_at: i64,
    reading: &MeterReading,
) -> Result<()> {
    let previous = get_instruction_relative(-1, instructions_sysvar)
        .map_err(|_| error!(PaymentsError::MissingEd25519Instruction))?;
    require_keys_eq!(
        previous.program_id,
        ED25519_PROGRAM_ID,
        PaymentsError::MissingEd25519Instruction
    );
    let (signer, signed) = parse_ed25519_instruction(&previous.data)
        .map_err(|_| error!(PaymentsError::MalformedEd25519Instruction))?;
    require_keys_eq!(
        signer,
        device.device_key,
        PaymentsError::ReadingSignerMismatch
    );
    let expected = meter::message(
        &device.key(),
        device.registration,
        session,
        opened_at,
        reading,
    );
    require!(
        signed == expected.as_slice(),
        PaymentsError::ReadingMessageMismatch
    );
    Ok(())
}
