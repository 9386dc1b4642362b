use anchor_lang::prelude::*;

use crate::errors::RevenueError;
use crate::events::HoldingOpened;
use crate::pda::HOLDING_SEED;
use crate::state::{Holding, RevenuePool};

/// The issuer opens an empty holding for `owner` (an offering keeps the
/// shares it sells in its own holding until it succeeds). Only the issuer:
/// anyone else could front-run an offering by opening its holding first.
#[derive(Accounts)]
#[instruction(owner: Pubkey)]
pub struct OpenHolding<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub issuer: Signer<'info>,
    #[account(has_one = issuer @ RevenueError::NotIssuer)]
    pub pool: Box<Account<'info, RevenuePool>>,
    #[account(
        init,
        payer = payer,
        space = 8 + Holding::INIT_SPACE,
        seeds = [HOLDING_SEED, pool.key().as_ref(), owner.as_ref()],
        bump
    )]
    pub holding: Box<Account<'info, Holding>>,
    pub system_program: Program<'info, System>,
}

pub fn handler(ctx: Context<OpenHolding>, owner: Pubkey) -> Result<()> {
    let accounts = ctx.accounts;
    crate::state::init_holding(
        &mut accounts.holding,
        accounts.pool.key(),
        owner,
        ctx.bumps.holding,
    );
    emit!(HoldingOpened {
        pool: accounts.pool.key(),
        owner,
        by_issuer: true,
    });
    Ok(())
}
