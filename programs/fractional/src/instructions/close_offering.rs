use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use depin_revenue::program::DepinRevenue;

use crate::errors::FractionalError;
use crate::events::OfferingClosed;
use crate::issue::{mint_and_credit, IssueAccounts};
use crate::signer::{as_slices, offering_seeds};
use crate::state::{Asset, MarketConfig, Offering, OfferingState};

/// Anyone (normally the crank) closes an offering past its deadline, or as
/// soon as it sold out. At or above the soft cap it succeeds: the escrow pays
/// the network fee and the rest to the asset's authority, and the unsold
/// shares are minted into the authority's holding (it keeps that fraction of
/// the machine and its revenue). Under the soft cap it fails and every buyer
/// can refund in full.
#[derive(Accounts)]
pub struct CloseOffering<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut, has_one = share_mint @ FractionalError::WrongAccount, has_one = revenue_pool @ FractionalError::WrongAccount)]
    pub asset: Box<Account<'info, Asset>>,
    #[account(mut, has_one = asset @ FractionalError::WrongAccount, has_one = escrow @ FractionalError::WrongAccount)]
    pub offering: Box<Account<'info, Offering>>,
    #[account(mut)]
    pub escrow: Box<Account<'info, TokenAccount>>,
    /// The authority's account for the proceeds (payment mint).
    #[account(
        mut,
        constraint = proceeds.owner == asset.authority && proceeds.mint == offering.payment_mint
            @ FractionalError::WrongProceedsAccount
    )]
    pub proceeds: Box<Account<'info, TokenAccount>>,
    #[account(constraint = market.network == asset.network @ FractionalError::WrongAccount)]
    pub market: Option<Box<Account<'info, MarketConfig>>>,
    /// The fee recipient's account (payment mint), when there is a fee.
    #[account(mut)]
    pub fee_account: Option<Box<Account<'info, TokenAccount>>>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// CHECK: address-checked against the asset.
    #[account(mut)]
    pub revenue_pool: UncheckedAccount<'info>,
    /// CHECK: the authority's holding (seeds checked by the revenue program).
    #[account(mut)]
    pub holding: UncheckedAccount<'info>,
    /// CHECK: the pool's share vault (checked by the revenue program).
    #[account(mut)]
    pub share_vault: UncheckedAccount<'info>,
    pub revenue_program: Program<'info, DepinRevenue>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl<'info> CloseOffering<'info> {
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }

    /// A success with a fee must pay it to the market's fee recipient, in the
    /// payment mint (a failure pays no fee and needs no fee accounts).
    fn check_fee_accounts(&self) -> Result<()> {
        if self.offering.fee_bps == 0 {
            return Ok(());
        }
        let ok = match (&self.market, &self.fee_account) {
            (Some(market), Some(fee)) => {
                fee.owner == market.fee_recipient && fee.mint == self.offering.payment_mint
            }
            _ => false,
        };
        require!(ok, FractionalError::WrongFeeAccount);
        Ok(())
    }

    fn pay_from_escrow(&self, to: &AccountInfo<'info>, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        let seeds = offering_seeds(&self.offering);
        let signer = as_slices(&seeds);
        depin_token_cpi::transfer_signed(
            &self.escrow.to_account_info(),
            to,
            &self.offering.to_account_info(),
            &self.token_program,
            amount,
            &signer,
        )
    }

    fn retain_unsold(&self, unsold: u64) -> Result<()> {
        let issue = IssueAccounts {
            asset: &self.asset,
            share_mint: self.share_mint.to_account_info(),
            share_vault: self.share_vault.to_account_info(),
            revenue_pool: self.revenue_pool.to_account_info(),
            holding: self.holding.to_account_info(),
            payer: self.payer.to_account_info(),
            revenue_program: self.revenue_program.key(),
            token_program: self.token_program.key(),
            system_program: self.system_program.to_account_info(),
        };
        mint_and_credit(issue, self.asset.authority, unsold)
    }
}

pub fn handler<'info>(ctx: Context<'info, CloseOffering<'info>>) -> Result<()> {
    let accounts = ctx.accounts;
    let outcome = accounts.offering.finish(Clock::get()?.unix_timestamp)?;
    let (mut fee, mut proceeds, mut retained) = (0, 0, 0);
    if outcome == OfferingState::Succeeded {
        accounts.check_fee_accounts()?;
        (fee, proceeds) = accounts.offering.split_proceeds()?;
        if let Some(fee_account) = &accounts.fee_account {
            accounts.pay_from_escrow(&fee_account.to_account_info(), fee)?;
        }
        accounts.pay_from_escrow(&accounts.proceeds.to_account_info(), proceeds)?;
        retained = accounts.offering.shares_for_sale - accounts.offering.sold;
        if retained > 0 {
            accounts.asset.issue(retained)?;
            accounts.retain_unsold(retained)?;
        }
    }
    accounts.asset.end_offering();
    emit!(OfferingClosed {
        offering: accounts.offering.key(),
        state: outcome,
        sold: accounts.offering.sold,
        raised: accounts.offering.raised,
        fee,
        proceeds,
        retained_by_authority: retained,
    });
    Ok(())
}
