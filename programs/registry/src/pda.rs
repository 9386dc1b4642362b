//! The one definition of every registry PDA. Programs, client, CLI and tests
//! all derive addresses through these functions.

use anchor_lang::prelude::Pubkey;

pub const PLATFORM_SEED: &[u8] = b"platform";
pub const NETWORK_SEED: &[u8] = b"network";
pub const MEMBER_SEED: &[u8] = b"member";
pub const MAKER_SEED: &[u8] = b"maker";
pub const DEVICE_SEED: &[u8] = b"device";

pub fn platform() -> (Pubkey, u8) {
    Pubkey::find_program_address(&[PLATFORM_SEED], &crate::ID)
}

pub fn network(network_id: u32) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[NETWORK_SEED, &network_id.to_le_bytes()], &crate::ID)
}

/// The role record of `authority` in `network`.
pub fn member(network: &Pubkey, authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[MEMBER_SEED, network.as_ref(), authority.as_ref()],
        &crate::ID,
    )
}

/// An approved maker, keyed by the maker's signing authority.
pub fn maker(network: &Pubkey, maker_authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[MAKER_SEED, network.as_ref(), maker_authority.as_ref()],
        &crate::ID,
    )
}

/// A device, keyed by the machine's own ed25519 key.
pub fn device(network: &Pubkey, device_key: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[DEVICE_SEED, network.as_ref(), device_key.as_ref()],
        &crate::ID,
    )
}
