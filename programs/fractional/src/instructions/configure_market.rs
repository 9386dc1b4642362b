use anchor_lang::prelude::*;
use depin_registry::state::{permission, Member, Network};

use crate::errors::FractionalError;
use crate::events::MarketConfigured;
use crate::pda::MARKET_SEED;
use crate::state::MarketConfig;

/// A treasury member sets the network's cut of successful offerings and who
/// receives it. Offerings keep the fee they opened with.
#[derive(Accounts)]
pub struct ConfigureMarket<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(has_one = authority @ FractionalError::MissingPermission)]
    pub member: Account<'info, Member>,
    pub network: Account<'info, Network>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + MarketConfig::INIT_SPACE,
        seeds = [MARKET_SEED, network.key().as_ref()],
        bump
    )]
    pub market: Account<'info, MarketConfig>,
    pub system_program: Program<'info, System>,
}

impl ConfigureMarket<'_> {
    pub fn validate(&self, fee_bps: u16, _fee_recipient: &Pubkey) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::TREASURY)?;
        MarketConfig::check_fee(fee_bps)
    }
}

pub fn handler(ctx: Context<ConfigureMarket>, fee_bps: u16, fee_recipient: Pubkey) -> Result<()> {
    let market = &mut ctx.accounts.market;
    market.network = ctx.accounts.network.key();
    market.fee_bps = fee_bps;
    market.fee_recipient = fee_recipient;
    market.bump = ctx.bumps.market;
    emit!(MarketConfigured {
        network: market.network,
        fee_bps,
        fee_recipient
    });
    Ok(())
}
