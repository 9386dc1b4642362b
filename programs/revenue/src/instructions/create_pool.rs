use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::errors::RevenueError;
use crate::events::RevenuePoolCreated;
use crate::pda::{POOL_SEED, REVENUE_VAULT_SEED, SHARE_VAULT_SEED};
use crate::state::RevenuePool;

/// Opens the revenue pool of a share mint. The issuer must be the share
/// mint's mint authority (normally a fractional asset, signing through CPI),
/// so nobody else can claim a mint's pool.
#[derive(Accounts)]
pub struct CreatePool<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub issuer: Signer<'info>,
    #[account(
        constraint = share_mint.mint_authority == Some(issuer.key()).into()
            @ RevenueError::IssuerMustBeMintAuthority
    )]
    pub share_mint: Box<Account<'info, Mint>>,
    pub payment_mint: Box<Account<'info, Mint>>,
    #[account(
        init,
        payer = payer,
        space = 8 + RevenuePool::INIT_SPACE,
        seeds = [POOL_SEED, share_mint.key().as_ref()],
        bump
    )]
    pub pool: Box<Account<'info, RevenuePool>>,
    #[account(
        init,
        payer = payer,
        seeds = [SHARE_VAULT_SEED, pool.key().as_ref()],
        bump,
        token::mint = share_mint,
        token::authority = pool,
        token::token_program = token_program
    )]
    pub share_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = payer,
        seeds = [REVENUE_VAULT_SEED, pool.key().as_ref()],
        bump,
        token::mint = payment_mint,
        token::authority = pool,
        token::token_program = token_program
    )]
    pub revenue_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<CreatePool>) -> Result<()> {
    let accounts = ctx.accounts;
    accounts.pool.set_inner(RevenuePool {
        share_mint: accounts.share_mint.key(),
        payment_mint: accounts.payment_mint.key(),
        share_vault: accounts.share_vault.key(),
        revenue_vault: accounts.revenue_vault.key(),
        issuer: accounts.issuer.key(),
        bump: ctx.bumps.pool,
        share_vault_bump: ctx.bumps.share_vault,
        revenue_vault_bump: ctx.bumps.revenue_vault,
        total_deposited: 0,
        total_claimed: 0,
        reward_per_weight: 0,
        dust: 0,
        total_weight: 0,
        total_redistributed: 0,
    });
    emit!(RevenuePoolCreated {
        pool: accounts.pool.key(),
        share_mint: accounts.share_mint.key(),
        payment_mint: accounts.payment_mint.key(),
        issuer: accounts.issuer.key(),
    });
    Ok(())
}
