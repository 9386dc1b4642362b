//! One event per state change; indexers and the crank follow these.

use anchor_lang::prelude::*;

use crate::state::{AttestationKind, DeviceKind};

#[event]
#[derive(Debug, Clone)]
pub struct PlatformInitialized {
    pub platform: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct NetworkCreated {
    pub network: Pubkey,
    pub network_id: u32,
    pub creator: Pubkey,
    pub reward_mint: Pubkey,
    pub epoch_length_secs: u32,
    pub min_operator_bond: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct NetworkUpdated {
    pub network: Pubkey,
    pub epoch_length_secs: u32,
    pub min_operator_bond: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct NetworkPauseSet {
    pub network: Pubkey,
    pub paused: bool,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct OnboardingFeeSet {
    pub network: Pubkey,
    pub fee_mint: Pubkey,
    pub fee_treasury: Pubkey,
    pub amount: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct RoleGranted {
    pub network: Pubkey,
    pub member: Pubkey,
    pub granted: u16,
    pub permissions: u16,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct RoleRevoked {
    pub network: Pubkey,
    pub member: Pubkey,
    pub revoked: u16,
    pub permissions: u16,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct MakerApproved {
    pub network: Pubkey,
    pub maker: Pubkey,
    pub maker_id: u32,
    pub authority: Pubkey,
    pub quota: u32,
}

#[event]
#[derive(Debug, Clone)]
pub struct MakerQuotaSet {
    pub maker: Pubkey,
    pub quota: u32,
}

#[event]
#[derive(Debug, Clone)]
pub struct MakerRevoked {
    pub maker: Pubkey,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct DeviceRegistered {
    pub network: Pubkey,
    pub device: Pubkey,
    pub device_key: Pubkey,
    pub owner: Pubkey,
    pub maker_id: u32,
    pub kind: DeviceKind,
    pub location: u64,
    pub capacity: u32,
    pub fee_paid: u64,
}

#[event]
#[derive(Debug, Clone)]
pub struct DeviceUpdated {
    pub device: Pubkey,
    pub location: u64,
    pub capacity: u32,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct DeviceTransferred {
    pub device: Pubkey,
    pub from: Pubkey,
    pub to: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct DeviceOperatorSet {
    pub device: Pubkey,
    pub operator: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct DeviceSuspended {
    pub device: Pubkey,
    pub reason: u16,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct DeviceResumed {
    pub device: Pubkey,
    pub by: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct DeviceRetired {
    pub device: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct DeviceClosed {
    pub device: Pubkey,
    pub rent_to: Pubkey,
}

#[event]
#[derive(Debug, Clone)]
pub struct DeviceAttested {
    pub device: Pubkey,
    pub nonce: u32,
    pub kind: AttestationKind,
    pub payload: [u8; 32],
}
