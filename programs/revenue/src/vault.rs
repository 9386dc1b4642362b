//! Transfers out of the pool's vaults, signed by the pool PDA.

use anchor_lang::prelude::*;

use crate::pda::POOL_SEED;
use crate::state::RevenuePool;

pub use depin_token_cpi::transfer as deposit;

pub fn pay_out<'info>(
    pool: &Account<'info, RevenuePool>,
    vault: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    let bump = [pool.bump];
    let seeds: &[&[u8]] = &[POOL_SEED, pool.share_mint.as_ref(), &bump];
    depin_token_cpi::transfer_signed(
        vault,
        destination,
        &pool.to_account_info(),
        token_program,
        amount,
        seeds,
    )
}
