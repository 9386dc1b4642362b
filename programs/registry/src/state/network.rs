use anchor_lang::prelude::*;

use crate::errors::RegistryError;

pub const MIN_EPOCH_SECS: u32 = 60;
pub const MAX_EPOCH_SECS: u32 = 366 * 24 * 60 * 60;
pub const NETWORK_NAME_LEN: usize = 32;

#[account]
#[derive(InitSpace)]
pub struct Network {
    pub network_id: u32,
    /// UTF-8, zero padded.
    pub name: [u8; NETWORK_NAME_LEN],
    pub creator: Pubkey,
    pub reward_mint: Pubkey,
    /// `Pubkey::default()` when no onboarding fee is charged.
    pub fee_mint: Pubkey,
    /// Token account (of `fee_mint`) that receives onboarding fees.
    pub fee_treasury: Pubkey,
    pub onboarding_fee: u64,
    pub epoch_length_secs: u32,
    pub min_operator_bond: u64,
    pub maker_count: u32,
    /// Devices registered and not yet closed.
    pub device_count: u32,
    /// Registrations ever made (never decreases): each device gets the next.
    pub registrations: u32,
    /// Members holding the ADMIN permission; never allowed to reach zero.
    pub admin_count: u16,
    pub paused: bool,
    pub bump: u8,
    pub created_at: i64,
}

impl Network {
    pub fn encode_name(name: &str) -> Result<[u8; NETWORK_NAME_LEN]> {
        let bytes = name.as_bytes();
        require!(
            !bytes.is_empty() && bytes.len() <= NETWORK_NAME_LEN && !bytes.contains(&0),
            RegistryError::InvalidName
        );
        let mut out = [0u8; NETWORK_NAME_LEN];
        out[..bytes.len()].copy_from_slice(bytes);
        Ok(out)
    }

    pub fn name(&self) -> String {
        let end = self
            .name
            .iter()
            .position(|b| *b == 0)
            .unwrap_or(NETWORK_NAME_LEN);
        String::from_utf8_lossy(&self.name[..end]).into_owned()
    }

    pub fn check_epoch_length(secs: u32) -> Result<()> {
        require!(
            (MIN_EPOCH_SECS..=MAX_EPOCH_SECS).contains(&secs),
            RegistryError::InvalidEpochLength
        );
        Ok(())
    }

    pub fn require_not_paused(&self) -> Result<()> {
        require!(!self.paused, RegistryError::NetworkPaused);
        Ok(())
    }

    pub fn charges_fee(&self) -> bool {
        self.onboarding_fee > 0
    }

    pub fn take_maker_id(&mut self) -> Result<u32> {
        let id = self.maker_count;
        self.maker_count = id.checked_add(1).ok_or(RegistryError::CounterOverflow)?;
        Ok(id)
    }

    /// Counts a new device and returns its registration sequence number.
    pub fn add_device(&mut self) -> Result<u32> {
        let overflow = || error!(RegistryError::CounterOverflow);
        self.device_count = self.device_count.checked_add(1).ok_or_else(overflow)?;
        self.registrations = self.registrations.checked_add(1).ok_or_else(overflow)?;
        Ok(self.registrations)
    }

    pub fn remove_device(&mut self) -> Result<()> {
        self.device_count = self
            .device_count
            .checked_sub(1)
            .ok_or(RegistryError::CounterOverflow)?;
        Ok(())
    }

    pub fn add_admin(&mut self) -> Result<()> {
        self.admin_count = self
            .admin_count
            .checked_add(1)
            .ok_or(RegistryError::CounterOverflow)?;
        Ok(())
    }

    pub fn remove_admin(&mut self) -> Result<()> {
        require!(self.admin_count > 1, RegistryError::LastAdmin);
        self.admin_count -= 1;
        Ok(())
    }
}
