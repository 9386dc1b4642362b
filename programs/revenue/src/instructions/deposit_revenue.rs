use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::RevenueError;
use crate::events::RevenueDeposited;
use crate::state::RevenuePool;
use crate::vault;

/// Anyone (the asset operator, the crank) pays revenue into the pool; it is
/// owed pro rata to the shares earning at this moment. Refused while no
/// shares earn: held revenue would go to whoever bought the first share.
#[derive(Accounts)]
pub struct DepositRevenue<'info> {
    pub depositor: Signer<'info>,
    #[account(mut, has_one = revenue_vault @ RevenueError::WrongPool)]
    pub pool: Account<'info, RevenuePool>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub revenue_vault: UncheckedAccount<'info>,
    /// CHECK: the depositor's token account; the token program checks it.
    #[account(mut)]
    pub source: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl DepositRevenue<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, RevenueError::ZeroAmount);
        self.pool.require_earning()
    }
}

pub fn handler(ctx: Context<DepositRevenue>, amount: u64) -> Result<()> {
    let accounts = ctx.accounts;
    accounts.pool.deposit(amount)?;
    vault::deposit(
        &accounts.source,
        &accounts.revenue_vault,
        &accounts.depositor,
        &accounts.token_program,
        amount,
    )?;
    emit!(RevenueDeposited {
        pool: accounts.pool.key(),
        depositor: accounts.depositor.key(),
        amount,
    });
    Ok(())
}
