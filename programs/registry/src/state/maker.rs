use anchor_lang::prelude::*;

use crate::errors::RegistryError;

/// An approved device manufacturer. Its authority co-signs every onboarding.
#[account]
#[derive(InitSpace)]
pub struct Maker {
    pub network: Pubkey,
    pub authority: Pubkey,
    pub maker_id: u32,
    /// Lifetime cap on devices this maker may onboard.
    pub quota: u32,
    pub devices_onboarded: u32,
    pub active: bool,
    pub bump: u8,
    pub name: [u8; 32],
}

impl Maker {
    pub fn require_in(&self, network: &Pubkey) -> Result<()> {
        require_keys_eq!(self.network, *network, RegistryError::MakerNetworkMismatch);
        Ok(())
    }

    pub fn record_onboarding(&mut self) -> Result<()> {
        require!(self.active, RegistryError::MakerRevoked);
        require!(
            self.devices_onboarded < self.quota,
            RegistryError::MakerQuotaExceeded
        );
        self.devices_onboarded += 1;
        Ok(())
    }

    pub fn set_quota(&mut self, quota: u32) -> Result<()> {
        require!(
            quota >= self.devices_onboarded,
            RegistryError::QuotaBelowOnboarded
        );
        self.quota = quota;
        Ok(())
    }

    pub fn revoke(&mut self) -> Result<()> {
        require!(self.active, RegistryError::MakerRevoked);
        self.active = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maker(quota: u32) -> Maker {
        Maker {
            network: Pubkey::default(),
            authority: Pubkey::default(),
            maker_id: 0,
            quota,
            devices_onboarded: 0,
            active: true,
            bump: 255,
            name: [0; 32],
        }
    }

    #[test]
    fn quota_caps_onboarding_even_at_u32_max() {
        let mut m = maker(u32::MAX);
        m.devices_onboarded = u32::MAX - 1;
        m.record_onboarding().unwrap();
        assert_eq!(
            m.record_onboarding().unwrap_err(),
            RegistryError::MakerQuotaExceeded.into()
        );
        assert_eq!(
            m.set_quota(u32::MAX - 1).unwrap_err(),
            RegistryError::QuotaBelowOnboarded.into()
        );
    }

    #[test]
    fn a_revoked_maker_onboards_nothing() {
        let mut m = maker(10);
        m.revoke().unwrap();
        assert_eq!(m.revoke().unwrap_err(), RegistryError::MakerRevoked.into());
        assert_eq!(
            m.record_onboarding().unwrap_err(),
            RegistryError::MakerRevoked.into()
        );
        assert_eq!(m.devices_onboarded, 0);
    }
}
