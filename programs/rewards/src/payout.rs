//! Token transfers out of a distributor's vault (signed by the distributor
//! PDA with its stored bump: no address search on-chain).

use anchor_lang::prelude::*;

use crate::pda::DISTRIBUTOR_SEED;
use crate::state::DistributorSigner;

/// The distributor account must not be borrowed: it signs the transfer.
pub fn from_vault<'info>(
    distributor: &AccountInfo<'info>,
    signer: &DistributorSigner,
    vault: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    let seeds: &[&[u8]] = &[
        DISTRIBUTOR_SEED,
        signer.network.as_ref(),
        signer.mint.as_ref(),
        &signer.pool_id,
        &signer.bump,
    ];
    depin_token_cpi::transfer_signed(
        vault,
        destination,
        distributor,
        token_program,
        amount,
        seeds,
    )
}
