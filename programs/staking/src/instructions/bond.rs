use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::boost_ends::BoostEnds;
use crate::errors::StakingError;
use crate::events::Bonded;
use crate::pda::BOND_SEED;
use crate::state::{Position, PositionKind, StakePool};
use crate::vault;

/// A device operator bonds stake (creating its bond on first use). Bonds
/// earn like unlocked stake, can be slashed, and decide eligibility for
/// device rewards against the network's minimum bond.
///
/// Remaining accounts: the pool's lock-end buckets due now (clients add
/// them).
#[derive(Accounts)]
pub struct Bond<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub operator: Signer<'info>,
    #[account(mut, has_one = stake_vault @ StakingError::WrongPool)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Position::INIT_SPACE,
        seeds = [BOND_SEED, pool.key().as_ref(), operator.key().as_ref()],
        bump
    )]
    pub bond: Box<Account<'info, Position>>,
    /// CHECK: the operator's token account; the token program checks it.
    #[account(mut)]
    pub source: UncheckedAccount<'info>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub stake_vault: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl Bond<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, StakingError::ZeroAmount);
        require!(self.bond.unbonding == 0, StakingError::AlreadyUnbonding);
        Ok(())
    }
}

pub fn handler<'info>(ctx: Context<'info, Bond<'info>>, amount: u64) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut boost_ends = BoostEnds::from_accounts(&accounts.pool.key(), ctx.remaining_accounts)?;
    accounts.pool.accrue(now, &mut boost_ends)?;
    // A fresh record has no pool yet; the seeds already bind it to this one.
    if accounts.bond.pool == Pubkey::default() {
        accounts.bond.set_inner(Position::open(
            accounts.pool.key(),
            accounts.operator.key(),
            PositionKind::OperatorBond,
            0,
            ctx.bumps.bond,
            0,
            now,
            now,
        ));
    }
    // A bond has no lock, so no boost can have ended: no settlement first.
    accounts
        .pool
        .add_stake(&mut accounts.bond, amount, now, &mut boost_ends)?;
    boost_ends.write_back()?;
    vault::deposit(
        &accounts.source,
        &accounts.stake_vault,
        &accounts.operator,
        &accounts.token_program,
        amount,
    )?;
    emit!(Bonded {
        pool: accounts.pool.key(),
        operator: accounts.operator.key(),
        amount,
        total_bonded: accounts.bond.amount,
    });
    Ok(())
}
