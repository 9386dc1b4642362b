use anchor_lang::prelude::*;
use anchor_spl::token::Token;

use crate::errors::RewardsError;
use crate::events::DistributorFunded;
use crate::state::Distributor;

/// Anyone (normally the network treasury or the crank) adds tokens to the
/// vault. Plain transfers to the vault count too; this one is recorded.
#[derive(Accounts)]
pub struct Fund<'info> {
    pub funder: Signer<'info>,
    #[account(mut, has_one = vault @ RewardsError::WrongVault)]
    pub distributor: AccountLoader<'info, Distributor>,
    /// CHECK: address-checked against the distributor; the token program
    /// checks the mint matches the source.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the funder's token account; the token program checks it.
    #[account(mut)]
    pub source: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

impl Fund<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(amount > 0, RewardsError::ZeroAmount);
        require!(
            !self.distributor.load()?.is_clawed_back(),
            RewardsError::AlreadyClawedBack
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<Fund>, amount: u64) -> Result<()> {
    let accounts = ctx.accounts;
    depin_token_cpi::transfer(
        &accounts.source,
        &accounts.vault,
        &accounts.funder,
        &accounts.token_program,
        amount,
    )?;
    let total_funded = {
        let mut distributor = accounts.distributor.load_mut()?;
        distributor.record_funding(amount)?;
        distributor.total_funded
    };
    emit!(DistributorFunded {
        distributor: accounts.distributor.key(),
        funder: accounts.funder.key(),
        amount,
        total_funded,
    });
    Ok(())
}
