//! The one definition of every staking PDA.

use anchor_lang::prelude::Pubkey;

pub const POOL_SEED: &[u8] = b"stake_pool";
pub const STAKE_VAULT_SEED: &[u8] = b"stake_vault";
pub const REWARD_VAULT_SEED: &[u8] = b"reward_vault";
pub const POSITION_SEED: &[u8] = b"position";
pub const BOND_SEED: &[u8] = b"bond";
pub const BOOST_END_SEED: &[u8] = b"boost_end";

/// The stake pool of a network (one per network).
pub fn pool(network: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[POOL_SEED, network.as_ref()], &crate::ID)
}

/// Principal (stakes, bonds, unbonding amounts).
pub fn stake_vault(pool: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[STAKE_VAULT_SEED, pool.as_ref()], &crate::ID)
}

/// Rewards funded for stakers, kept apart from principal.
pub fn reward_vault(pool: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[REWARD_VAULT_SEED, pool.as_ref()], &crate::ID)
}

/// Staking position `id` of `owner` (an owner may hold many).
pub fn position(pool: &Pubkey, owner: &Pubkey, id: u32) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            POSITION_SEED,
            pool.as_ref(),
            owner.as_ref(),
            &id.to_le_bytes(),
        ],
        &crate::ID,
    )
}

/// The bond of a device operator (one per operator).
pub fn bond(pool: &Pubkey, operator: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[BOND_SEED, pool.as_ref(), operator.as_ref()], &crate::ID)
}

/// The lock-end bucket of `pool` for `day` (days since the epoch, UTC): the
/// boost weight that leaves the pool at that day's start.
pub fn boost_end(pool: &Pubkey, day: i64) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[BOOST_END_SEED, pool.as_ref(), &day.to_le_bytes()],
        &crate::ID,
    )
}
