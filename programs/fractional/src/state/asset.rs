use anchor_lang::prelude::*;
use depin_registry::state::{Device, DeviceStatus, Network};

use crate::errors::FractionalError;

/// A registered device turned into `total_shares` share tokens. Tokenizing
/// hands the device record to the asset (the registry's owner becomes this
/// PDA), so the record cannot be transferred, retired or closed outside the
/// asset's own rules; `authority` manages it. Shares are minted only when
/// sold (or retained by the authority), so the circulating supply never
/// exceeds `total_shares`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Asset {
    pub network: Pubkey,
    pub device: Pubkey,
    /// Manages the machine: opens offerings, receives proceeds, retires it.
    /// The device owner who tokenized it, or whoever it handed control to.
    pub authority: Pubkey,
    pub share_mint: Pubkey,
    pub revenue_pool: Pubkey,
    /// The revenue pool's payment mint: offerings sell in it.
    pub payment_mint: Pubkey,
    pub total_shares: u64,
    /// Shares minted (sold or retained) and not burned.
    pub issued: u64,
    /// Shares set aside by the open offering.
    pub reserved: u64,
    pub offering_count: u16,
    pub open_offering: bool,
    /// Retired through the asset: no more offerings or issuance; holders
    /// keep their shares and revenue.
    pub retired: bool,
    pub bump: u8,
    pub share_mint_bump: u8,
}

impl Asset {
    /// Whether new shares may be sold or issued for this machine now: the
    /// asset is not retired, its device is active and its network unpaused.
    pub fn require_in_service(&self, device: &Device, network: &Network) -> Result<()> {
        require!(!self.retired, FractionalError::AssetRetired);
        require!(!network.paused, FractionalError::NetworkPaused);
        require!(
            device.status == DeviceStatus::Active,
            FractionalError::DeviceNotActive
        );
        Ok(())
    }

    /// [`require_in_service`](Self::require_in_service) as a yes/no: an
    /// offering that ends while the machine is out of service fails.
    pub fn in_service(&self, device: &Device, network: &Network) -> bool {
        self.require_in_service(device, network).is_ok()
    }

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

    /// Retires the asset. An open offering stays open (and reserved) until
    /// someone closes it, which then fails it at once.
    pub fn retire(&mut self) -> Result<()> {
        require!(!self.retired, FractionalError::AssetRetired);
        self.retired = true;
        Ok(())
    }
}
