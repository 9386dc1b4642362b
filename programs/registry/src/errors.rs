use anchor_lang::prelude::*;

#[error_code]
pub enum RegistryError {
    #[msg("The signer lacks the permission this instruction needs in this network")]
    MissingPermission,
    #[msg("Permission bits include unknown roles")]
    UnknownPermission,
    #[msg("No permission bits given")]
    EmptyPermissions,
    #[msg("The network must keep at least one admin")]
    LastAdmin,
    #[msg("The member account does not belong to this network")]
    MemberNetworkMismatch,
    #[msg("The network is paused")]
    NetworkPaused,
    #[msg("The network is already in the requested pause state")]
    PauseStateUnchanged,
    #[msg("Network name must be 1 to 32 bytes of UTF-8")]
    InvalidName,
    #[msg("Epoch length must be between 60 seconds and 366 days")]
    InvalidEpochLength,
    #[msg("Nothing to update")]
    NothingToUpdate,
    #[msg("An onboarding fee needs a fee mint and a treasury token account of that mint")]
    FeeAccountsMissing,
    #[msg("Fee accounts do not match the network's fee configuration")]
    FeeAccountMismatch,
    #[msg("The network has no more room for makers or devices")]
    CounterOverflow,
    #[msg("The maker account does not belong to this network")]
    MakerNetworkMismatch,
    #[msg("The maker has been revoked")]
    MakerRevoked,
    #[msg("The maker's onboarding quota is used up")]
    MakerQuotaExceeded,
    #[msg("A quota cannot be set below the devices already onboarded")]
    QuotaBelowOnboarded,
    #[msg("The device account does not belong to this network")]
    DeviceNetworkMismatch,
    #[msg("Only the device owner may do this")]
    NotDeviceOwner,
    #[msg("Only the device owner or its operator may do this")]
    NotDeviceOwnerOrOperator,
    #[msg("The device is not active")]
    DeviceNotActive,
    #[msg("The device is not suspended")]
    DeviceNotSuspended,
    #[msg("The device is retired")]
    DeviceRetired,
    #[msg("Only a retired device can be closed")]
    DeviceNotRetired,
    #[msg("The new owner is the current owner or the default key")]
    InvalidNewOwner,
    #[msg("The operator is already set to that key")]
    OperatorUnchanged,
    #[msg("Location must be 0 (unknown) or a valid H3 cell index")]
    InvalidLocation,
    #[msg("The previous instruction must be one Ed25519 signature check of the attestation")]
    MissingEd25519Instruction,
    #[msg("The Ed25519 instruction is malformed or points outside itself")]
    MalformedEd25519Instruction,
    #[msg("The attestation was signed by a key other than the device key")]
    AttestationSignerMismatch,
    #[msg("The signed message is not this attestation")]
    AttestationMessageMismatch,
    #[msg("Attestation nonce must be greater than the last one accepted (replay)")]
    AttestationReplayed,
    #[msg("Attestation payload is invalid for its kind")]
    InvalidAttestationPayload,
    #[msg("A maker authority cannot be the default key")]
    InvalidMakerAuthority,
}
