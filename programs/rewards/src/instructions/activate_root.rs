use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;

use crate::errors::RewardsError;
use crate::roots;
use crate::state::{Distributor, RootProposal};

/// Anyone makes a fully approved root the distributor's root once its
/// challenge period is over and no admin vetoed it.
#[derive(Accounts)]
pub struct ActivateRoot<'info> {
    #[account(mut, has_one = vault @ RewardsError::WrongVault)]
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(mut, has_one = distributor @ RewardsError::WrongProposal)]
    pub root_proposal: Box<Account<'info, RootProposal>>,
    pub vault: Account<'info, TokenAccount>,
}

impl ActivateRoot<'_> {
    pub fn validate(&self) -> Result<()> {
        let distributor = self.distributor.load()?;
        require!(
            !distributor.is_clawed_back(),
            RewardsError::AlreadyClawedBack
        );
        let now = Clock::get()?.unix_timestamp;
        require!(!distributor.is_expired(now), RewardsError::Expired);
        self.root_proposal.require_activatable(now)
    }
}

pub fn handler(ctx: Context<ActivateRoot>) -> Result<()> {
    let accounts = ctx.accounts;
    roots::activate(
        &accounts.distributor,
        &mut accounts.root_proposal,
        accounts.vault.amount,
    )
}
