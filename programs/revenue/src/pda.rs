//! The one definition of every revenue PDA.

use anchor_lang::prelude::Pubkey;

pub const POOL_SEED: &[u8] = b"revenue_pool";
pub const SHARE_VAULT_SEED: &[u8] = b"share_vault";
pub const REVENUE_VAULT_SEED: &[u8] = b"revenue_vault";
pub const HOLDING_SEED: &[u8] = b"holding";

/// The revenue pool of a share mint (one per mint).
pub fn pool(share_mint: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[POOL_SEED, share_mint.as_ref()], &crate::ID)
}

/// Shares deposited by holders (they earn while here).
pub fn share_vault(pool: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SHARE_VAULT_SEED, pool.as_ref()], &crate::ID)
}

/// Revenue (payment mint) waiting to be claimed.
pub fn revenue_vault(pool: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[REVENUE_VAULT_SEED, pool.as_ref()], &crate::ID)
}

/// `owner`'s earning position in `pool`.
pub fn holding(pool: &Pubkey, owner: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[HOLDING_SEED, pool.as_ref(), owner.as_ref()], &crate::ID)
}
