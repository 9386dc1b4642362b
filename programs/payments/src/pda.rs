//! The one definition of every payments PDA.

use anchor_lang::prelude::Pubkey;

pub const TARIFF_SEED: &[u8] = b"tariff";
pub const SESSION_SEED: &[u8] = b"session";
pub const ESCROW_SEED: &[u8] = b"escrow";

/// A device's tariff (one per device).
pub fn tariff(device: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[TARIFF_SEED, device.as_ref()], &crate::ID)
}

/// A customer's session `id` at a device.
pub fn session(device: &Pubkey, customer: &Pubkey, id: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            SESSION_SEED,
            device.as_ref(),
            customer.as_ref(),
            &id.to_le_bytes(),
        ],
        &crate::ID,
    )
}

/// The session's deposit, a token account whose authority is the session.
pub fn escrow(session: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[ESCROW_SEED, session.as_ref()], &crate::ID)
}
