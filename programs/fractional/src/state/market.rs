use anchor_lang::prelude::*;

use crate::errors::FractionalError;

pub const MAX_FEE_BPS: u16 = 1_000;

/// A network's cut of successful offerings.
#[account]
#[derive(InitSpace, Debug)]
pub struct MarketConfig {
    pub network: Pubkey,
    pub fee_bps: u16,
    /// Owner of the token accounts that receive fees (in each payment mint).
    pub fee_recipient: Pubkey,
    pub bump: u8,
}

impl MarketConfig {
    /// The fee and its recipient of the market account at the network's
    /// market address: no fee if the network never configured one (the
    /// account does not exist).
    pub fn fee_at(market: &AccountInfo) -> Result<(u16, Pubkey)> {
        if market.owner != &crate::ID || market.data_is_empty() {
            return Ok((0, Pubkey::default()));
        }
        let data = market.try_borrow_data()?;
        let market = MarketConfig::try_deserialize(&mut &data[..])?;
        Ok((market.fee_bps, market.fee_recipient))
    }

    pub fn check_fee(fee_bps: u16) -> Result<()> {
        require!(fee_bps <= MAX_FEE_BPS, FractionalError::FeeTooHigh);
        Ok(())
    }
}

/// An investor cleared (or no longer cleared) by the network's compliance role.
#[account]
#[derive(InitSpace, Debug)]
pub struct AllowEntry {
    pub network: Pubkey,
    pub investor: Pubkey,
    pub allowed: bool,
    pub bump: u8,
}
