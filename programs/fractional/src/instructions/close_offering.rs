use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, TokenAccount};
use depin_registry::state::{Device, Network};

use crate::errors::FractionalError;
use crate::events::{OfferingClosed, OfferingUnwound};
use crate::issue::{mint_and_credit, IssueAccounts};
use crate::signer::{as_slices, offering_seeds};
use crate::state::{Asset, Offering, OfferingState};

/// Anyone (normally the crank) closes an offering past its deadline, as soon
/// as it sold out, or at once when its asset was retired. It succeeds at or
/// above the soft cap with the machine in service: the escrow pays the
/// network fee (to the recipient fixed when the offering opened) and the
/// rest to the asset's authority and closes, and the unsold shares are
/// minted into the authority's holding; purchases are then delivered one by
/// one (`deliver_purchase`). Otherwise it fails: the sold shares are burned,
/// the revenue they earned goes back to the pool's other holders, and every
/// buyer can be refunded in full.
#[derive(Accounts)]
pub struct CloseOffering<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
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
    #[account(
        mut,
        has_one = asset @ FractionalError::WrongAccount,
        has_one = escrow @ FractionalError::WrongAccount
    )]
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
    /// The fee recipient's account (payment mint), when there is a fee.
    #[account(mut)]
    pub fee_account: Option<Box<Account<'info, TokenAccount>>>,
    #[account(mut)]
    pub share_mint: Box<Account<'info, Mint>>,
    /// CHECK: address-checked against the asset.
    #[account(mut)]
    pub revenue_pool: UncheckedAccount<'info>,
    pub closer: crate::lifecycle::OfferingCloser<'info>,
}

impl<'info> CloseOffering<'info> {
    pub fn validate(&self) -> Result<()> {
        self.closer.check(&self.asset, &self.offering)
    }

    /// A success with a fee must pay it to the recipient the offering
    /// recorded, in the payment mint (a failure pays no fee).
    fn check_fee_account(&self) -> Result<()> {
        if self.offering.fee_bps == 0 {
            return Ok(());
        }
        let ok = self.fee_account.as_ref().is_some_and(|fee| {
            fee.owner == self.offering.fee_recipient && fee.mint == self.offering.payment_mint
        });
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
            &self.closer.token_program,
            amount,
            &signer,
        )
    }

    fn retain_unsold(&self, unsold: u64) -> Result<()> {
        let issue = IssueAccounts {
            asset: &self.asset,
            share_mint: self.share_mint.to_account_info(),
            share_vault: self.closer.share_vault.to_account_info(),
            revenue_pool: self.revenue_pool.to_account_info(),
            holding: self.closer.authority_holding.to_account_info(),
            payer: self.payer.to_account_info(),
            revenue_program: self.closer.revenue_program.key(),
            token_program: self.closer.token_program.key(),
            system_program: self.closer.system_program.to_account_info(),
        };
        mint_and_credit(issue, self.asset.authority, unsold)
    }

    fn dissolve_holding(&self) -> Result<u64> {
        self.closer.dissolve(
            &self.asset,
            &self.offering,
            &self.payer,
            &self.share_mint.to_account_info(),
            &self.revenue_pool,
        )
    }

    /// Success: fee and proceeds out of the escrow, unsold shares to the
    /// authority. Returns (fee, proceeds, retained).
    fn pay_out(&mut self) -> Result<(u64, u64, u64)> {
        self.check_fee_account()?;
        let (fee, proceeds) = self.offering.split_proceeds(self.escrow.amount)?;
        if let Some(fee_account) = &self.fee_account {
            self.pay_from_escrow(&fee_account.to_account_info(), fee)?;
        }
        self.pay_from_escrow(&self.proceeds.to_account_info(), proceeds)?;
        let retained = self.offering.shares_for_sale - self.offering.sold;
        if retained > 0 {
            self.asset.issue(retained)?;
            self.retain_unsold(retained)?;
        }
        Ok((fee, proceeds, retained))
    }

    fn close_escrow(&mut self) -> Result<bool> {
        self.escrow.reload()?;
        self.closer.close_escrow(&self.offering, &self.escrow)
    }
}

pub fn handler<'info>(ctx: Context<'info, CloseOffering<'info>>) -> Result<()> {
    let accounts = ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    let in_service = accounts
        .asset
        .in_service(&accounts.device, &accounts.network);
    let outcome = accounts
        .offering
        .finish(now, in_service, accounts.asset.retired)?;
    let (mut fee, mut proceeds, mut retained) = (0, 0, 0);
    let succeeded = outcome == OfferingState::Succeeded;
    if succeeded {
        (fee, proceeds, retained) = accounts.pay_out()?;
    } else {
        let burned = accounts.dissolve_holding()?;
        accounts.asset.burn(burned)?;
        emit!(OfferingUnwound {
            offering: accounts.offering.key(),
            shares_burned: burned,
        });
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
    // After a success the escrow is empty; after a failure it keeps the
    // buyers' payments until their refunds.
    let escrow_closed = if succeeded || accounts.offering.is_settled() {
        accounts.close_escrow()?
    } else {
        false
    };
    if accounts.offering.is_settled() {
        if succeeded {
            accounts.dissolve_holding()?;
        }
        if escrow_closed {
            accounts.closer.close_record(&accounts.offering)?;
        }
    }
    Ok(())
}
