//! The one definition of every fractional PDA.

use anchor_lang::prelude::Pubkey;

pub const MARKET_SEED: &[u8] = b"market";
pub const ASSET_SEED: &[u8] = b"asset";
pub const SHARE_MINT_SEED: &[u8] = b"share_mint";
pub const ASSET_SHARES_SEED: &[u8] = b"asset_shares";
pub const OFFERING_SEED: &[u8] = b"offering";
pub const ESCROW_SEED: &[u8] = b"escrow";
pub const PURCHASE_SEED: &[u8] = b"purchase";
pub const ALLOW_SEED: &[u8] = b"allow";

/// A network's market settings (offering fee).
pub fn market(network: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[MARKET_SEED, network.as_ref()], &crate::ID)
}

/// The tokenized machine of a registered device (one per device).
pub fn asset(device: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[ASSET_SEED, device.as_ref()], &crate::ID)
}

pub fn share_mint(asset: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SHARE_MINT_SEED, asset.as_ref()], &crate::ID)
}

/// The asset's own share account: refunded shares pass through it to be burned.
pub fn asset_shares(asset: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[ASSET_SHARES_SEED, asset.as_ref()], &crate::ID)
}

pub fn offering(asset: &Pubkey, id: u16) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[OFFERING_SEED, asset.as_ref(), &id.to_le_bytes()],
        &crate::ID,
    )
}

/// Payments of an offering until it closes.
pub fn escrow(offering: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[ESCROW_SEED, offering.as_ref()], &crate::ID)
}

pub fn purchase(offering: &Pubkey, buyer: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[PURCHASE_SEED, offering.as_ref(), buyer.as_ref()],
        &crate::ID,
    )
}

/// An investor's allowlist entry in a network (kept by the compliance role).
pub fn allow_entry(network: &Pubkey, investor: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[ALLOW_SEED, network.as_ref(), investor.as_ref()],
        &crate::ID,
    )
}
