use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::boost_ends::BoostEnds;
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
    /// 0 = no lockup; longer locks weigh more, up to the pool's maximum. A
    /// lock ends at the UTC midnight at or after `now + lockup_secs`.
    pub lockup_secs: i64,
}

/// Opens a staking position: tokens move to the stake vault and start
/// earning at once, weighted by the lockup; the lock's boost is scheduled in
/// the lock-end bucket of its last day and ends there by itself.
///
/// Remaining accounts: the pool's lock-end buckets due now (clients add
/// them).
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
    /// CHECK: the lock-end bucket of the lock's end day,
    /// `pda::boost_end(pool, day)`; needed only for a lock with a boost,
    /// created on first use (checked in `boost_ends`).
    #[account(mut)]
    pub boost_end: Option<UncheckedAccount<'info>>,
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

pub fn handler<'info>(ctx: Context<'info, Stake<'info>>, args: StakeArgs) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let pool_key = accounts.pool.key();
    let mut boost_ends = BoostEnds::from_accounts(&pool_key, ctx.remaining_accounts)?;
    accounts.pool.accrue(now, &mut boost_ends)?;
    let lockup_end = accounts.pool.params.lock_end(now, args.lockup_secs)?;
    accounts.position.set_inner(Position::open(
        pool_key,
        accounts.owner.key(),
        PositionKind::Stake,
        args.id,
        ctx.bumps.position,
        args.lockup_secs,
        lockup_end,
        now,
    ));
    if accounts.pool.params.boost(args.amount, args.lockup_secs)? > 0 {
        let boost_end = accounts
            .boost_end
            .as_ref()
            .ok_or(StakingError::MissingBoostEnd)?;
        boost_ends.open(
            boost_end,
            accounts.position.boost_end_day(),
            &accounts.payer,
            &accounts.system_program,
        )?;
    }
    accounts
        .pool
        .add_stake(&mut accounts.position, args.amount, now, &mut boost_ends)?;
    boost_ends.write_back()?;
    vault::deposit(
        &accounts.source,
        &accounts.stake_vault,
        &accounts.owner,
        &accounts.token_program,
        args.amount,
    )?;
    emit!(Staked {
        pool: pool_key,
        position: accounts.position.key(),
        owner: accounts.owner.key(),
        amount: args.amount,
        lockup_end: accounts.position.lockup_end,
        weight: accounts.position.weight,
        boost: accounts.position.boost,
    });
    Ok(())
}
