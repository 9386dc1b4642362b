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

#[cfg(test)]
mod tests {
    use super::*;

    fn network() -> Network {
        Network {
            network_id: 0,
            name: [0; NETWORK_NAME_LEN],
            creator: Pubkey::default(),
            reward_mint: Pubkey::default(),
            fee_mint: Pubkey::default(),
            fee_treasury: Pubkey::default(),
            onboarding_fee: 0,
            epoch_length_secs: MIN_EPOCH_SECS,
            min_operator_bond: 0,
            maker_count: 0,
            device_count: 0,
            registrations: 0,
            admin_count: 1,
            paused: false,
            bump: 255,
            created_at: 0,
        }
    }

    #[test]
    fn registrations_never_repeat_and_overflow_is_an_error() {
        let mut n = network();
        assert_eq!(n.add_device().unwrap(), 1);
        n.remove_device().unwrap();
        // A closed device frees its count, never its registration number.
        assert_eq!(n.add_device().unwrap(), 2);
        assert_eq!((n.device_count, n.registrations), (1, 2));

        n.registrations = u32::MAX;
        assert_eq!(
            n.add_device().unwrap_err(),
            RegistryError::CounterOverflow.into()
        );
        n.device_count = u32::MAX;
        n.registrations = 0;
        assert_eq!(
            n.add_device().unwrap_err(),
            RegistryError::CounterOverflow.into()
        );
        n.device_count = 0;
        assert_eq!(
            n.remove_device().unwrap_err(),
            RegistryError::CounterOverflow.into()
        );
    }

    #[test]
    fn maker_ids_and_admins_are_checked() {
        let mut n = network();
        n.maker_count = u32::MAX;
        assert_eq!(
            n.take_maker_id().unwrap_err(),
            RegistryError::CounterOverflow.into()
        );
        assert_eq!(
            n.remove_admin().unwrap_err(),
            RegistryError::LastAdmin.into()
        );
        n.add_admin().unwrap();
        n.remove_admin().unwrap();
        assert_eq!(n.admin_count, 1);
        n.admin_count = u16::MAX;
        assert_eq!(
            n.add_admin().unwrap_err(),
            RegistryError::CounterOverflow.into()
        );
    }

    #[test]
    fn names_and_epochs_are_validated() {
        assert!(Network::encode_name("").is_err());
        assert!(Network::encode_name("a\0b").is_err());
        assert!(Network::encode_name(&"x".repeat(33)).is_err());
        let mut n = network();
        n.name = Network::encode_name("solar-berlin").unwrap();
        assert_eq!(n.name(), "solar-berlin");
        assert!(Network::check_epoch_length(MIN_EPOCH_SECS - 1).is_err());
        assert!(Network::check_epoch_length(MAX_EPOCH_SECS + 1).is_err());
        assert!(Network::check_epoch_length(MAX_EPOCH_SECS).is_ok());
    }
}
