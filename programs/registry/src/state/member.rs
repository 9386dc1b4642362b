use anchor_lang::prelude::*;

use crate::errors::RegistryError;

/// Permission bits of a network member. Instructions check one bit each.
pub mod permission {
    /// Grant and revoke roles; update and pause the network.
    pub const ADMIN: u16 = 1 << 0;
    /// Approve, limit and revoke device makers.
    pub const MAKER_MANAGER: u16 = 1 << 1;
    /// Post reward roots and epoch data (rewards program).
    pub const ORACLE: u16 = 1 << 2;
    /// Keep offering allowlists (fractional program).
    pub const COMPLIANCE: u16 = 1 << 3;
    /// Configure fees and fund rewards.
    pub const TREASURY: u16 = 1 << 4;
    /// Suspend and resume devices.
    pub const DEVICE_MANAGER: u16 = 1 << 5;
    /// Slash operator bonds (staking program).
    pub const SLASHER: u16 = 1 << 6;
    pub const ALL: u16 =
        ADMIN | MAKER_MANAGER | ORACLE | COMPLIANCE | TREASURY | DEVICE_MANAGER | SLASHER;

    pub const NAMES: [(u16, &str); 7] = [
        (ADMIN, "admin"),
        (MAKER_MANAGER, "maker-manager"),
        (ORACLE, "oracle"),
        (COMPLIANCE, "compliance"),
        (TREASURY, "treasury"),
        (DEVICE_MANAGER, "device-manager"),
        (SLASHER, "slasher"),
    ];
}

/// The roles one key holds in one network.
#[account]
#[derive(InitSpace)]
pub struct Member {
    pub network: Pubkey,
    pub authority: Pubkey,
    pub permissions: u16,
    pub bump: u8,
}

impl Member {
    pub fn validate_bits(bits: u16) -> Result<()> {
        require!(bits != 0, RegistryError::EmptyPermissions);
        require!(
            bits & !permission::ALL == 0,
            RegistryError::UnknownPermission
        );
        Ok(())
    }

    pub fn has(&self, bit: u16) -> bool {
        self.permissions & bit == bit
    }

    pub fn is_admin(&self) -> bool {
        self.has(permission::ADMIN)
    }

    /// Checks that this member may act in `network` with `bit`.
    pub fn require(&self, network: &Pubkey, bit: u16) -> Result<()> {
        require_keys_eq!(self.network, *network, RegistryError::MemberNetworkMismatch);
        require!(self.has(bit), RegistryError::MissingPermission);
        Ok(())
    }
}
