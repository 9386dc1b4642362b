//! The one definition of every rewards PDA.

use anchor_lang::prelude::Pubkey;

pub const DISTRIBUTOR_SEED: &[u8] = b"distributor";
pub const VAULT_SEED: &[u8] = b"vault";
pub const LEDGER_SEED: &[u8] = b"ledger";
pub const ROOT_PROPOSAL_SEED: &[u8] = b"root_proposal";

/// A reward pool of `network` paying `mint`; `pool_id` tells pools of the
/// same mint apart (seasons, programmes).
pub fn distributor(network: &Pubkey, mint: &Pubkey, pool_id: u16) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            DISTRIBUTOR_SEED,
            network.as_ref(),
            mint.as_ref(),
            &pool_id.to_le_bytes(),
        ],
        &crate::ID,
    )
}

/// The distributor's token vault (its authority is the distributor).
pub fn vault(distributor: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[VAULT_SEED, distributor.as_ref()], &crate::ID)
}

/// Ledger page `page`: claimed amounts of leaf indexes
/// `page * LEDGER_PAGE_SIZE ..` (see `state::ClaimLedger`).
pub fn ledger(distributor: &Pubkey, page: u32) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[LEDGER_SEED, distributor.as_ref(), &page.to_le_bytes()],
        &crate::ID,
    )
}

/// The distributor's root proposal (see `state::RootProposal`).
pub fn root_proposal(distributor: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[ROOT_PROPOSAL_SEED, distributor.as_ref()], &crate::ID)
}
