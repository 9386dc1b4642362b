use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::StakingError;
use crate::events::Staked;
use crate::pda::POSITION_SEED;
use crate::state::{Position, PositionKind, StakePool};
use crate::vault;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct StakeArgs {
    /// Tells an owner's positions apart.
    pub id: u32,
    pub amount: u64,
    /// 0 = no lockup; longer locks weigh more, up to the pool's maximum.
    pub lockup_secs: i64,
}

/// Opens a staking position: tokens move to the stake vault and start
/// earning at once, weighted by the lockup.
#[derive(Accounts)]
#[instruction(args: StakeArgs)]
pub struct Stake<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub owner: Signer<'info>,
    #[account(mut, has_one = stake_vault @ StakingError::WrongPool)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        init,
        payer = payer,
        space = 8 + Position::INIT_SPACE,
        seeds = [POSITION_SEED, pool.key().as_ref(), owner.key().as_ref(), &args.id.to_le_bytes()],
        bump
    )]
    pub position: Box<Account<'info, Position>>,
    /// CHECK: the owner's token account; the token program checks it.
    #[account(mut)]
    pub source: UncheckedAccount<'info>,
    /// CHECK: address-checked against the pool.
    #[account(mut)]
    pub stake_vault: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl Stake<'_> {
    pub fn validate(&self, args: &StakeArgs) -> Result<()> {
        require!(args.amount > 0, StakingError::ZeroAmount);
        self.pool.check_lockup(args.lockup_secs)
    }
}

pub fn handler(ctx: Context<Stake>, args: StakeArgs) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    accounts.pool.accrue(now)?;
    accounts.position.set_inner(Position::open(
        accounts.pool.key(),
        accounts.owner.key(),
        PositionKind::Stake,
        args.id,
        ctx.bumps.position,
        args.lockup_secs,
        now,
    )?);
    accounts
        .pool
        .add_stake(&mut accounts.position, args.amount)?;
    vault::deposit(
        &accounts.source,
        &accounts.stake_vault,
        &accounts.owner,
        &accounts.token_program,
        args.amount,
    )?;
    emit!(Staked {
        pool: accounts.pool.key(),
        position: accounts.position.key(),
        owner: accounts.owner.key(),
        amount: args.amount,
        lockup_end: accounts.position.lockup_end,
        weight: accounts.position.weight,
    });
    Ok(())
}
