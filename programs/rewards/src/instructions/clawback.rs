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
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(mut)]
    pub vault: Account<'info, TokenAccount>,
    /// CHECK: address-checked against the distributor.
    #[account(mut)]
    pub treasury: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Clawback<'_> {
    pub fn validate(&self) -> Result<()> {
        let distributor = self.distributor.load()?;
        require!(
            !distributor.is_clawed_back(),
            RewardsError::AlreadyClawedBack
        );
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
    // Not counted by the outflow breaker: after expiry the remainder goes
    // back to the network's own treasury, fixed at creation, in one piece.
    let signer = {
        let mut distributor = accounts.distributor.load_mut()?;
        distributor.mark_clawed_back();
        distributor.signer()
    };
    if amount > 0 {
        payout::from_vault(
            &accounts.distributor.to_account_info(),
            &signer,
            &accounts.vault.to_account_info(),
            &accounts.treasury,
            &accounts.token_program,
            amount,
        )?;
    }
    emit!(ClawedBack {
        distributor: accounts.distributor.key(),
        amount,
        treasury: accounts.treasury.key(),
    });
    Ok(())
}
