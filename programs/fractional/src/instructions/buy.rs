use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token};
use depin_registry::state::{Device, Network};
use depin_revenue::program::DepinRevenue;
use depin_revenue::state::{Holding, RevenuePool};

use crate::errors::FractionalError;
use crate::events::SharesBought;
use crate::issue::{mint_and_credit, IssueAccounts};
use crate::pda::PURCHASE_SEED;
use crate::state::{AllowEntry, Asset, Offering, Purchase};

/// A buyer pays into escrow while the machine is in service; its shares are
/// minted into the revenue pool's vault and credited to the offering's
/// holding, where they earn from this moment on. The offering splits that
/// revenue among its purchases and delivers it with the shares if it
/// succeeds; if it fails, the buyer is refunded and the revenue goes back to
/// the pool's other holders, so a failed purchase never gains.
#[derive(Accounts)]
pub struct Buy<'info> {
    #[account(mut)]
    pub buyer: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    pub device: Box<Account<'info, Device>>,
    #[account(
        mut,
        has_one = network @ FractionalError::WrongAccount,
        has_one = device @ FractionalError::WrongAccount,
        has_one = share_mint @ FractionalError::WrongAccount,
        has_one = revenue_pool @ FractionalError::WrongAccount
    )]
    pub asset: Box<Account<'info, Asset>>,
    #[account(mut, has_one = asset @ FractionalError::WrongAccount, has_one = escrow @ FractionalError::WrongAccount)]
    pub offering: Box<Account<'info, Offering>>,
    #[account(
        init_if_needed,
        payer = buyer,
        space = 8 + Purchase::INIT_SPACE,
        seeds = [PURCHASE_SEED, offering.key().as_ref(), buyer.key().as_ref()],
        bump
    )]
    pub purchase: Box<Account<'info, Purchase>>,
    /// The buyer's allowlist entry, when the offering requires one.
    pub allow_entry: Option<Box<Account<'info, AllowEntry>>>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// CHECK: the buyer's payment account; the token program checks it.
    #[account(mut)]
    pub payment_source: UncheckedAccount<'info>,
    /// CHECK: address-checked against the offering.
    #[account(mut)]
    pub escrow: UncheckedAccount<'info>,
    #[account(mut)]
    pub revenue_pool: Box<Account<'info, RevenuePool>>,
    /// The offering's holding (owned by the revenue program, so genuine).
    #[account(
        mut,
        constraint = offering_holding.owner == offering.key()
            && offering_holding.pool == revenue_pool.key() @ FractionalError::WrongAccount
    )]
    pub offering_holding: Box<Account<'info, Holding>>,
    /// CHECK: the pool's share vault (checked by the revenue program).
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    pub revenue_program: Program<'info, DepinRevenue>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl Buy<'_> {
    pub fn validate(&self, _shares: u64) -> Result<()> {
        self.offering.require_open(Clock::get()?.unix_timestamp)?;
        self.asset.require_in_service(&self.device, &self.network)?;
        if self.offering.allowlist_required {
            let allowed = self.allow_entry.as_ref().is_some_and(|entry| {
                entry.allowed
                    && entry.network == self.asset.network
                    && entry.investor == self.buyer.key()
            });
            require!(allowed, FractionalError::NotAllowlisted);
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<Buy>, shares: u64) -> Result<()> {
    let accounts = ctx.accounts;
    let offering_key = accounts.offering.key();
    let offering = &mut accounts.offering;
    offering.open_purchase(
        &mut accounts.purchase,
        offering_key,
        accounts.buyer.key(),
        ctx.bumps.purchase,
    )?;
    // What the offering's shares earned so far is split before the new
    // shares join, so they earn only from now on.
    let claimable = accounts
        .revenue_pool
        .claimable(&accounts.offering_holding)?;
    offering.sync_revenue(claimable)?;
    offering.settle_purchase(&mut accounts.purchase)?;
    let cost = offering.sell(&mut accounts.purchase, shares)?;
    accounts.asset.issue(shares)?;

    depin_token_cpi::transfer(
        &accounts.payment_source,
        &accounts.escrow,
        &accounts.buyer,
        &accounts.token_program,
        cost,
    )?;

    let issue = IssueAccounts {
        asset: &accounts.asset,
        share_mint: accounts.share_mint.to_account_info(),
        share_vault: accounts.share_vault.to_account_info(),
        revenue_pool: accounts.revenue_pool.to_account_info(),
        holding: accounts.offering_holding.to_account_info(),
        payer: accounts.buyer.to_account_info(),
        revenue_program: accounts.revenue_program.key(),
        token_program: accounts.token_program.key(),
        system_program: accounts.system_program.to_account_info(),
    };
    mint_and_credit(issue, offering_key, shares)?;
    emit!(SharesBought {
        offering: offering_key,
        buyer: accounts.buyer.key(),
        shares,
        cost,
        sold: accounts.offering.sold,
    });
    Ok(())
}
