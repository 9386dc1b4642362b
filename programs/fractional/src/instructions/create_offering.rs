use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use depin_registry::state::{Device, Network};
use depin_revenue::program::DepinRevenue;

use crate::errors::FractionalError;
use crate::events::OfferingCreated;
use crate::pda::{ESCROW_SEED, MARKET_SEED, OFFERING_SEED};
use crate::signer::{as_slices, asset_seeds};
use crate::state::{Asset, MarketConfig, Offering, OfferingState};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct OfferingTerms {
    /// In the payment mint's base units.
    pub price_per_share: u64,
    pub shares_for_sale: u64,
    /// Shares that must sell by the deadline, else every buyer is refunded.
    pub soft_cap: u64,
    pub deadline: i64,
    /// 0 = no per-investor cap.
    pub per_investor_cap: u64,
    pub allowlist_required: bool,
}

/// The asset's authority offers shares for sale in the revenue pool's
/// payment mint while the machine is in service; payments wait in escrow and
/// sold shares in the offering's own holding (opened here) until the
/// outcome. The payer gets every rent back when the offering is settled.
#[derive(Accounts)]
pub struct CreateOffering<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    pub device: Box<Account<'info, Device>>,
    #[account(
        mut,
        has_one = authority @ FractionalError::NotAssetAuthority,
        has_one = network @ FractionalError::WrongAccount,
        has_one = device @ FractionalError::WrongAccount,
        has_one = payment_mint @ FractionalError::WrongPaymentMint,
        has_one = revenue_pool @ FractionalError::WrongAccount
    )]
    pub asset: Box<Account<'info, Asset>>,
    #[account(
        init,
        payer = payer,
        space = 8 + Offering::INIT_SPACE,
        seeds = [OFFERING_SEED, asset.key().as_ref(), &asset.offering_count.to_le_bytes()],
        bump
    )]
    pub offering: Box<Account<'info, Offering>>,
    #[account(
        init,
        payer = payer,
        seeds = [ESCROW_SEED, offering.key().as_ref()],
        bump,
        token::mint = payment_mint,
        token::authority = offering,
        token::token_program = token_program
    )]
    pub escrow: Box<Account<'info, TokenAccount>>,
    pub payment_mint: Box<Account<'info, Mint>>,
    /// CHECK: the network's market settings at their fixed address (seeds
    /// checked), read if they exist: the authority cannot leave them out to
    /// skip the network's fee.
    #[account(seeds = [MARKET_SEED, asset.network.as_ref()], bump)]
    pub market: UncheckedAccount<'info>,
    /// CHECK: address-checked against the asset.
    pub revenue_pool: UncheckedAccount<'info>,
    /// CHECK: the offering's holding, created by the revenue program (seeds
    /// checked there).
    #[account(mut)]
    pub offering_holding: UncheckedAccount<'info>,
    pub revenue_program: Program<'info, DepinRevenue>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreateOffering<'_> {
    pub fn validate(&self, terms: &OfferingTerms) -> Result<()> {
        self.asset.require_in_service(&self.device, &self.network)?;
        let now = Clock::get()?.unix_timestamp;
        require!(
            terms.price_per_share > 0
                && terms.shares_for_sale > 0
                && terms.soft_cap <= terms.shares_for_sale
                && terms.deadline > now,
            FractionalError::InvalidTerms
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<CreateOffering>, terms: OfferingTerms) -> Result<()> {
    let accounts = ctx.accounts;
    let id = accounts.asset.offering_count;
    accounts.asset.reserve(terms.shares_for_sale)?;
    let (fee_bps, fee_recipient) = MarketConfig::fee_at(&accounts.market)?;
    accounts.offering.set_inner(Offering {
        asset: accounts.asset.key(),
        id,
        payment_mint: accounts.payment_mint.key(),
        escrow: accounts.escrow.key(),
        price_per_share: terms.price_per_share,
        shares_for_sale: terms.shares_for_sale,
        sold: 0,
        soft_cap: terms.soft_cap,
        deadline: terms.deadline,
        per_investor_cap: terms.per_investor_cap,
        allowlist_required: terms.allowlist_required,
        fee_bps,
        fee_recipient,
        rent_payer: accounts.payer.key(),
        state: OfferingState::Open,
        raised: 0,
        refunded: 0,
        open_purchases: 0,
        delivered: 0,
        revenue_per_share: 0,
        revenue_dust: 0,
        revenue_seen: 0,
        bump: ctx.bumps.offering,
        escrow_bump: ctx.bumps.escrow,
    });
    let seeds = asset_seeds(&accounts.asset);
    let signer = as_slices(&seeds);
    let open = depin_revenue::cpi::accounts::OpenHolding {
        payer: accounts.payer.to_account_info(),
        issuer: accounts.asset.to_account_info(),
        pool: accounts.revenue_pool.to_account_info(),
        holding: accounts.offering_holding.to_account_info(),
        system_program: accounts.system_program.to_account_info(),
    };
    depin_revenue::cpi::open_holding(
        CpiContext::new_with_signer(accounts.revenue_program.key(), open, &[&signer[..]]),
        accounts.offering.key(),
    )?;
    emit!(OfferingCreated {
        asset: accounts.asset.key(),
        offering: accounts.offering.key(),
        id,
        price_per_share: terms.price_per_share,
        shares_for_sale: terms.shares_for_sale,
        soft_cap: terms.soft_cap,
        deadline: terms.deadline,
        fee_bps,
    });
    Ok(())
}
