use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::RevenueError;
use crate::events::HoldingDissolved;
use crate::pda::HOLDING_SEED;
use crate::state::{Holding, RevenuePool};
use crate::vault;

/// The issuer empties and closes a holding: its shares go to
/// `shares_destination` (the issuer burns them) and its rent to
/// `rent_destination`. With `return_revenue` (a failed offering's holding)
/// its unclaimed revenue goes back to the pool's other holders, or to
/// `fallback_owner`'s holding when no shares earn any more; without it (a
/// delivered offering's holding, left with rounding dust) the dust stays in
/// the vault, owned by nobody, like every other rounding residue.
#[derive(Accounts)]
#[instruction(fallback_owner: Pubkey, return_revenue: bool)]
pub struct IssuerDissolve<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub issuer: Signer<'info>,
    #[account(
        mut,
        has_one = issuer @ RevenueError::NotIssuer,
        has_one = share_vault @ RevenueError::WrongPool
    )]
    pub pool: Box<Account<'info, RevenuePool>>,
    #[account(mut, has_one = pool @ RevenueError::WrongPool, close = rent_destination)]
    pub holding: Box<Account<'info, Holding>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Holding::INIT_SPACE,
        seeds = [HOLDING_SEED, pool.key().as_ref(), fallback_owner.as_ref()],
        bump,
        constraint = fallback.key() != holding.key() @ RevenueError::SameHolding
    )]
    pub fallback: Box<Account<'info, Holding>>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    /// CHECK: the issuer's share account; the token program checks the mint.
    #[account(mut)]
    pub shares_destination: UncheckedAccount<'info>,
    /// CHECK: receives the closed holding's rent; the issuer chooses it.
    #[account(mut)]
    pub rent_destination: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler(
    ctx: Context<IssuerDissolve>,
    fallback_owner: Pubkey,
    return_revenue: bool,
) -> Result<()> {
    let accounts = ctx.accounts;
    crate::state::init_holding(
        &mut accounts.fallback,
        accounts.pool.key(),
        fallback_owner,
        ctx.bumps.fallback,
    );
    let (shares, revenue, to_fallback) = accounts.pool.dissolve(
        &mut accounts.holding,
        &mut accounts.fallback,
        return_revenue,
    )?;
    if shares > 0 {
        vault::pay_out(
            &accounts.pool,
            &accounts.share_vault,
            &accounts.shares_destination,
            &accounts.token_program,
            shares,
        )?;
    }
    emit!(HoldingDissolved {
        pool: accounts.pool.key(),
        owner: accounts.holding.owner,
        shares,
        revenue,
        revenue_returned: return_revenue,
        revenue_to_fallback: to_fallback,
        fallback: fallback_owner,
    });
    Ok(())
}
