use anchor_lang::prelude::*;

use crate::errors::FractionalError;

/// A registered device turned into `total_shares` share tokens. Shares are
/// minted only when sold (or retained by the authority when an offering
/// closes with unsold shares), so the circulating supply never exceeds
/// `total_shares`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Asset {
    pub network: Pubkey,
    pub device: Pubkey,
    /// The device owner or operator who tokenized it; receives proceeds.
    pub authority: Pubkey,
    pub share_mint: Pubkey,
    pub revenue_pool: Pubkey,
    pub total_shares: u64,
    /// Shares minted (sold or retained) and not burned.
    pub issued: u64,
    /// Shares set aside by the open offering.
    pub reserved: u64,
    pub offering_count: u16,
    pub open_offering: bool,
    pub bump: u8,
    pub share_mint_bump: u8,
}

impl Asset {
    /// Sets aside shares for a new offering.
    pub fn reserve(&mut self, shares: u64) -> Result<()> {
        require!(!self.open_offering, FractionalError::OfferingAlreadyOpen);
        let committed = self
            .issued
            .checked_add(shares)
            .ok_or(FractionalError::Overflow)?;
        require!(
            committed <= self.total_shares,
            FractionalError::NotEnoughShares
        );
        self.reserved = shares;
        self.open_offering = true;
        self.offering_count = self
            .offering_count
            .checked_add(1)
            .ok_or(FractionalError::Overflow)?;
        Ok(())
    }

    /// Shares of the open offering leave the reservation as they are minted.
    pub fn issue(&mut self, shares: u64) -> Result<()> {
        self.reserved = self
            .reserved
            .checked_sub(shares)
            .ok_or(FractionalError::Overflow)?;
        self.issued = self
            .issued
            .checked_add(shares)
            .ok_or(FractionalError::Overflow)?;
        Ok(())
    }

    /// The offering ended: whatever is still reserved goes back.
    pub fn end_offering(&mut self) {
        self.reserved = 0;
        self.open_offering = false;
    }

    /// Issues shares straight to the authority, outside any offering (the
    /// open offering's reservation stays untouched).
    pub fn retain(&mut self, shares: u64) -> Result<()> {
        let issued = self
            .issued
            .checked_add(shares)
            .ok_or(FractionalError::Overflow)?;
        let committed = issued
            .checked_add(self.reserved)
            .ok_or(FractionalError::Overflow)?;
        require!(
            committed <= self.total_shares,
            FractionalError::NotEnoughShares
        );
        self.issued = issued;
        Ok(())
    }

    pub fn burn(&mut self, shares: u64) -> Result<()> {
        self.issued = self
            .issued
            .checked_sub(shares)
            .ok_or(FractionalError::Overflow)?;
        Ok(())
    }
}
