use anchor_lang::prelude::*;
use anchor_spl::token::{burn, Burn, Mint, Token};
use depin_revenue::program::DepinRevenue;
use depin_revenue::state::Holding;

use crate::errors::FractionalError;
use crate::events::Refunded;
use crate::pda::ASSET_SHARES_SEED;
use crate::signer::{as_slices, asset_seeds, offering_seeds};
use crate::state::{Asset, Offering, OfferingState, Purchase};

/// After a failed offering a buyer gets everything it paid back; its shares
/// leave its holding and are burned. (Shares withdrawn to a wallet must be
/// deposited back first; revenue they earned meanwhile stays claimable.)
#[derive(Accounts)]
pub struct Refund<'info> {
    pub buyer: Signer<'info>,
    #[account(mut, has_one = share_mint @ FractionalError::WrongAccount, has_one = revenue_pool @ FractionalError::WrongAccount)]
    pub asset: Box<Account<'info, Asset>>,
    #[account(mut, has_one = asset @ FractionalError::WrongAccount, has_one = escrow @ FractionalError::WrongAccount)]
    pub offering: Box<Account<'info, Offering>>,
    #[account(
        mut,
        has_one = offering @ FractionalError::WrongAccount,
        has_one = buyer @ FractionalError::WrongAccount
    )]
    pub purchase: Box<Account<'info, Purchase>>,
    /// CHECK: address-checked against the offering.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    /// CHECK: the buyer's payment account; the token program checks the mint.
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// CHECK: the asset's share account (seeds checked here).
    #[account(mut, seeds = [ASSET_SHARES_SEED, asset.key().as_ref()], bump)]
    pub asset_shares: UncheckedAccount<'info>,
    /// CHECK: address-checked against the asset.
    #[account(mut)]
    pub revenue_pool: UncheckedAccount<'info>,
    /// The buyer's own holding: the revenue program only checks that it is
    /// of this pool, and the shares it debits must be the buyer's.
    #[account(mut, constraint = holding.owner == buyer.key() @ FractionalError::WrongAccount)]
    pub holding: Box<Account<'info, Holding>>,
    /// CHECK: the pool's share vault (checked by the revenue program).
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    pub revenue_program: Program<'info, DepinRevenue>,
    pub token_program: Program<'info, Token>,
}

impl Refund<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.offering.state == OfferingState::Failed,
            FractionalError::NotFailed
        );
        require!(!self.purchase.refunded, FractionalError::AlreadyRefunded);
        Ok(())
    }
}

pub fn handler(ctx: Context<Refund>) -> Result<()> {
    let accounts = ctx.accounts;
    let (shares, paid) = (accounts.purchase.shares, accounts.purchase.paid);
    accounts.purchase.refunded = true;
    accounts.offering.refunded = accounts
        .offering
        .refunded
        .checked_add(paid)
        .ok_or(FractionalError::Overflow)?;
    accounts.asset.burn(shares)?;

    let asset_seeds = asset_seeds(&accounts.asset);
    let asset_signer = as_slices(&asset_seeds);
    let debit = depin_revenue::cpi::accounts::IssuerDebit {
        issuer: accounts.asset.to_account_info(),
        pool: accounts.revenue_pool.to_account_info(),
        holding: accounts.holding.to_account_info(),
        share_vault: accounts.share_vault.to_account_info(),
        destination: accounts.asset_shares.to_account_info(),
        token_program: accounts.token_program.to_account_info(),
    };
    depin_revenue::cpi::issuer_debit(
        CpiContext::new_with_signer(accounts.revenue_program.key(), debit, &[&asset_signer[..]]),
        shares,
    )?;
    let burn_shares = Burn {
        mint: accounts.share_mint.to_account_info(),
        from: accounts.asset_shares.to_account_info(),
        authority: accounts.asset.to_account_info(),
    };
    burn(
        CpiContext::new_with_signer(
            accounts.token_program.key(),
            burn_shares,
            &[&asset_signer[..]],
        ),
        shares,
    )?;

    let offering_seeds = offering_seeds(&accounts.offering);
    let offering_signer = as_slices(&offering_seeds);
    depin_token_cpi::transfer_signed(
        &accounts.escrow,
        &accounts.destination,
        &accounts.offering.to_account_info(),
        &accounts.token_program,
        paid,
        &offering_signer,
    )?;
    emit!(Refunded {
        offering: accounts.offering.key(),
        buyer: accounts.buyer.key(),
        shares_burned: shares,
        amount: paid,
    });
    Ok(())
}
