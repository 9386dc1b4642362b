//! Token transfers out of a distributor's vault (signed by the distributor
//! PDA with its stored bump: no address search on-chain).

use anchor_lang::prelude::*;

use crate::pda::DISTRIBUTOR_SEED;
use crate::state::Distributor;

pub fn from_vault<'info>(
    distributor: &Account<'info, Distributor>,
    vault: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    let (pool_id, bump) = distributor.signer_seeds_parts();
    let seeds: &[&[u8]] = &[
        DISTRIBUTOR_SEED,
        distributor.network.as_ref(),
        distributor.mint.as_ref(),
        &pool_id,
        &bump,
    ];
    depin_token_cpi::transfer_signed(
        vault,
        destination,
        &distributor.to_account_info(),
        token_program,
        amount,
        seeds,
    )
}
