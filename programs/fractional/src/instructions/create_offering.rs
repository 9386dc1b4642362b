use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::errors::FractionalError;
use crate::events::OfferingCreated;
use crate::pda::{ESCROW_SEED, MARKET_SEED, OFFERING_SEED};
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

/// The asset's authority offers shares for sale; payments wait in escrow.
#[derive(Accounts)]
pub struct CreateOffering<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(mut, has_one = authority @ FractionalError::NotAssetAuthority)]
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
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl CreateOffering<'_> {
    pub fn validate(&self, terms: &OfferingTerms) -> Result<()> {
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
    let fee_bps = MarketConfig::fee_at(&accounts.market)?;
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
        state: OfferingState::Open,
        raised: 0,
        refunded: 0,
        bump: ctx.bumps.offering,
        escrow_bump: ctx.bumps.escrow,
    });
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
