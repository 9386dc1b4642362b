//! Minting shares into the revenue pool's vault and crediting them to a
//! holding there (CPI `issuer_credit`, signed by the asset): the one way
//! shares come into existence (sales, unsold shares, retained shares).

use anchor_lang::prelude::*;
use anchor_spl::token::{mint_to, MintTo};

use crate::signer::{as_slices, asset_seeds};
use crate::state::Asset;

pub struct IssueAccounts<'a, 'info> {
    pub asset: &'a Account<'info, Asset>,
    pub share_mint: AccountInfo<'info>,
    pub share_vault: AccountInfo<'info>,
    pub revenue_pool: AccountInfo<'info>,
    pub holding: AccountInfo<'info>,
    pub payer: AccountInfo<'info>,
    pub revenue_program: Pubkey,
    pub token_program: Pubkey,
    pub system_program: AccountInfo<'info>,
}

pub fn mint_and_credit(accounts: IssueAccounts, owner: Pubkey, shares: u64) -> Result<()> {
    let seeds = asset_seeds(accounts.asset);
    let signer = as_slices(&seeds);
    let mint = MintTo {
        mint: accounts.share_mint,
        to: accounts.share_vault.clone(),
        authority: accounts.asset.to_account_info(),
    };
    mint_to(
        CpiContext::new_with_signer(accounts.token_program, mint, &[&signer[..]]),
        shares,
    )?;
    let credit = depin_revenue::cpi::accounts::IssuerCredit {
        payer: accounts.payer,
        issuer: accounts.asset.to_account_info(),
        pool: accounts.revenue_pool,
        holding: accounts.holding,
        share_vault: accounts.share_vault,
        system_program: accounts.system_program,
    };
    depin_revenue::cpi::issuer_credit(
        CpiContext::new_with_signer(accounts.revenue_program, credit, &[&signer[..]]),
        owner,
        shares,
    )
}
