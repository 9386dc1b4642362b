use anchor_lang::prelude::*;
use anchor_spl::token::Token;
use depin_registry::state::{permission, Member};

use crate::boost_ends::BoostEnds;
use crate::errors::StakingError;
use crate::events::Slashed;
use crate::state::{Position, PositionKind, StakePool};
use crate::vault;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SlashArgs {
    pub amount: u64,
    /// Network-defined reason code (recorded in the event).
    pub reason: u16,
    /// Hash of the evidence (e.g. the offending reports).
    pub evidence: [u8; 32],
}

/// A member with the slasher permission takes part of an operator's bond
/// (active first, then any unbonding part, so unbonding cannot dodge a
/// slash) and sends it to the network treasury.
///
/// Remaining accounts: the pool's lock-end buckets due now (clients add
/// them).
#[derive(Accounts)]
pub struct Slash<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ StakingError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(
        mut,
        has_one = stake_vault @ StakingError::WrongPool,
        has_one = treasury @ StakingError::InvalidTreasury
    )]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(mut, has_one = pool @ StakingError::WrongPool)]
    pub bond: Box<Account<'info, Position>>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub stake_vault: UncheckedAccount<'info>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub treasury: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Slash<'_> {
    pub fn validate(&self, args: &SlashArgs) -> Result<()> {
        self.member
            .require(&self.pool.network, permission::SLASHER)?;
        require!(
            self.bond.kind == PositionKind::OperatorBond,
            StakingError::NotABond
        );
        require!(args.amount > 0, StakingError::ZeroAmount);
        Ok(())
    }
}

pub fn handler<'info>(ctx: Context<'info, Slash<'info>>, args: SlashArgs) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let mut boost_ends = BoostEnds::from_accounts(&accounts.pool.key(), ctx.remaining_accounts)?;
    accounts.pool.accrue(now, &mut boost_ends)?;
    // A bond has no lock, so no boost can have ended: no settlement first.
    accounts
        .pool
        .slash(&mut accounts.bond, args.amount, now, &mut boost_ends)?;
    boost_ends.write_back()?;
    vault::pay_out(
        &accounts.pool,
        &accounts.stake_vault,
        &accounts.treasury,
        &accounts.token_program,
        args.amount,
    )?;
    emit!(Slashed {
        pool: accounts.pool.key(),
        operator: accounts.bond.owner,
        amount: args.amount,
        remaining_bond: accounts.bond.amount + accounts.bond.unbonding,
        reason: args.reason,
        evidence: args.evidence,
        by: accounts.authority.key(),
    });
    Ok(())
}
