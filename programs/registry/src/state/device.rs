use anchor_lang::prelude::*;

use crate::errors::RegistryError;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum DeviceKind {
    Battery,
    SolarInverter,
    Hotspot,
    Sensor,
    EvCharger,
    Other,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum DeviceStatus {
    Active,
    Suspended,
    Retired,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum AttestationKind {
    /// Payload: H3 cell (u64 little endian) in bytes 0..8, the rest zero.
    Location,
    /// Payload: a 32-byte hash of an off-chain work report.
    WorkReport,
}

/// One physical machine. Kept small (131 bytes of fields) because networks
/// hold millions: network and maker are stored as 4-byte ids, timestamps as u32.
#[account]
#[derive(InitSpace)]
pub struct Device {
    /// The machine's own ed25519 key (secure element).
    pub device_key: Pubkey,
    pub owner: Pubkey,
    /// May update location and run the device; `Pubkey::default()` when unset.
    pub operator: Pubkey,
    pub network_id: u32,
    pub maker_id: u32,
    /// H3 cell index, 0 when unknown.
    pub location: u64,
    /// Kind-specific capacity (Wh for batteries, W for inverters, ...).
    pub capacity: u32,
    /// Unix seconds (u32 lasts until 2106).
    pub registered_at: u32,
    /// The network-wide sequence number of this registration. Attestations
    /// sign it, so none signed before a close verifies after re-registration.
    pub registration: u32,
    /// Highest attestation nonce accepted; the next must be greater.
    pub attestation_nonce: u32,
    pub kind: DeviceKind,
    pub status: DeviceStatus,
    pub bump: u8,
}

impl Device {
    pub const SIZE: usize = 8 + Device::INIT_SPACE;

    pub fn require_in(&self, network_id: u32) -> Result<()> {
        require_eq!(
            self.network_id,
            network_id,
            RegistryError::DeviceNetworkMismatch
        );
        Ok(())
    }

    pub fn require_owner(&self, signer: &Pubkey) -> Result<()> {
        require_keys_eq!(self.owner, *signer, RegistryError::NotDeviceOwner);
        Ok(())
    }

    pub fn require_owner_or_operator(&self, signer: &Pubkey) -> Result<()> {
        let operator_set = self.operator != Pubkey::default();
        require!(
            self.owner == *signer || (operator_set && self.operator == *signer),
            RegistryError::NotDeviceOwnerOrOperator
        );
        Ok(())
    }

    pub fn require_not_retired(&self) -> Result<()> {
        require!(
            self.status != DeviceStatus::Retired,
            RegistryError::DeviceRetired
        );
        Ok(())
    }

    pub fn require_active(&self) -> Result<()> {
        require!(
            self.status == DeviceStatus::Active,
            RegistryError::DeviceNotActive
        );
        Ok(())
    }

    pub fn check_location(location: u64) -> Result<()> {
        require!(
            depin_h3::is_valid_cell(location),
            RegistryError::InvalidLocation
        );
        Ok(())
    }

    pub fn transfer_to(&mut self, new_owner: Pubkey) -> Result<()> {
        require!(
            new_owner != self.owner && new_owner != Pubkey::default(),
            RegistryError::InvalidNewOwner
        );
        self.owner = new_owner;
        // A delegate chosen by the old owner must not keep control.
        self.operator = Pubkey::default();
        Ok(())
    }

    pub fn suspend(&mut self) -> Result<()> {
        self.require_active()?;
        self.status = DeviceStatus::Suspended;
        Ok(())
    }

    pub fn resume(&mut self) -> Result<()> {
        require!(
            self.status == DeviceStatus::Suspended,
            RegistryError::DeviceNotSuspended
        );
        self.status = DeviceStatus::Active;
        Ok(())
    }

    pub fn retire(&mut self) -> Result<()> {
        self.require_not_retired()?;
        self.status = DeviceStatus::Retired;
        Ok(())
    }

    /// Accepts a verified attestation: nonces only move forward (replay guard).
    pub fn accept_attestation(
        &mut self,
        nonce: u32,
        kind: AttestationKind,
        payload: &[u8; 32],
    ) -> Result<()> {
        self.require_active()?;
        require!(
            nonce > self.attestation_nonce,
            RegistryError::AttestationReplayed
        );
        if kind == AttestationKind::Location {
            let location = location_from_payload(payload)?;
            self.location = location;
        }
        self.attestation_nonce = nonce;
        Ok(())
    }
}

pub fn location_from_payload(payload: &[u8; 32]) -> Result<u64> {
    require!(
        payload[8..].iter().all(|b| *b == 0),
        RegistryError::InvalidAttestationPayload
    );
    let location = u64::from_le_bytes(payload[..8].try_into().unwrap());
    require!(location != 0, RegistryError::InvalidAttestationPayload);
    Device::check_location(location)?;
    Ok(location)
}

pub fn location_payload(location: u64) -> [u8; 32] {
    let mut payload = [0u8; 32];
    payload[..8].copy_from_slice(&location.to_le_bytes());
    payload
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_fields_are_128_bytes() {
        assert_eq!(Device::INIT_SPACE, 131);
        assert_eq!(Device::SIZE, 139);
    }
}
