use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::RewardsError;
use crate::events::ClawedBack;
use crate::payout;
use crate::state::Distributor;

/// After expiry anyone may send the unclaimed remainder to the treasury
/// fixed at creation; claims are over from then on.
#[derive(Accounts)]
pub struct Clawback<'info> {
    #[account(
        mut,
        has_one = vault @ RewardsError::WrongVault,
        has_one = treasury @ RewardsError::InvalidTreasury
    )]
    pub distributor: Account<'info, Distributor>,
    #[account(mut)]
    pub vault: Account<'info, TokenAccount>,
    /// CHECK: address-checked against the distributor.
    #[account(mut)]
    pub treasury: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Clawback<'_> {
    pub fn validate(&self) -> Result<()> {
        let distributor = &self.distributor;
        require!(!distributor.clawed_back, RewardsError::AlreadyClawedBack);
        require!(
            distributor.expires_at != 0 && distributor.is_expired(Clock::get()?.unix_timestamp),
            RewardsError::NotExpired
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<Clawback>) -> Result<()> {
    let accounts = ctx.accounts;
    let amount = accounts.vault.amount;
    if amount > 0 {
        payout::from_vault(
            &accounts.distributor,
            &accounts.vault.to_account_info(),
            &accounts.treasury,
            &accounts.token_program,
            amount,
        )?;
    }
    accounts.distributor.clawed_back = true;
    emit!(ClawedBack {
        distributor: accounts.distributor.key(),
        amount,
        treasury: accounts.treasury.key(),
    });
    Ok(())
}
