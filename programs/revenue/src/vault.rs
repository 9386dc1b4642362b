//! Token transfers into the pool's vaults and out of them (signed by the
//! pool PDA with its stored bump).

use anchor_lang::prelude::*;
use anchor_spl::token::{transfer, Transfer};

use crate::pda::POOL_SEED;
use crate::state::RevenuePool;

pub fn deposit<'info>(
    from: &AccountInfo<'info>,
    vault: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    let accounts = Transfer {
        from: from.clone(),
        to: vault.clone(),
        authority: authority.clone(),
    };
    transfer(CpiContext::new(token_program.key(), accounts), amount)
}

pub fn pay_out<'info>(
    pool: &Account<'info, RevenuePool>,
    vault: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    amount: u64,
) -> Result<()> {
    let bump = [pool.bump];
    let seeds: &[&[u8]] = &[POOL_SEED, pool.share_mint.as_ref(), &bump];
    let accounts = Transfer {
        from: vault.clone(),
        to: destination.clone(),
        authority: pool.to_account_info(),
    };
    transfer(
        CpiContext::new_with_signer(token_program.key(), accounts, &[seeds]),
        amount,
    )
}
