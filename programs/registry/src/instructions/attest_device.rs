use anchor_lang::prelude::*;
use solana_instructions_sysvar::get_instruction_relative;

use crate::attestation::{self, ED25519_PROGRAM_ID, INSTRUCTIONS_SYSVAR_ID};
use crate::errors::RegistryError;
use crate::events::DeviceAttested;
use crate::state::{AttestationKind, Device, Network};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AttestDeviceArgs {
    pub nonce: u32,
    pub kind: AttestationKind,
    pub payload: [u8; 32],
}

/// Records a device-signed attestation (location assertion or work report).
/// The instruction right before this one must be the Ed25519 precompile
/// checking the device key's signature over `attestation::message(..)`;
/// anyone (owner, crank) may submit it. Nonces only increase (no replay).
#[derive(Accounts)]
pub struct AttestDevice<'info> {
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub device: Account<'info, Device>,
    /// CHECK: address-checked: the instructions sysvar (not spoofable).
    #[account(address = INSTRUCTIONS_SYSVAR_ID)]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

impl AttestDevice<'_> {
    pub fn validate(&self, args: &AttestDeviceArgs) -> Result<()> {
        self.network.require_not_paused()?;
        self.device.require_in(self.network.network_id)?;
        self.device.require_active()?;
        self.verify_device_signature(args)
    }

    fn verify_device_signature(&self, args: &AttestDeviceArgs) -> Result<()> {
        let previous = get_instruction_relative(-1, &self.instructions_sysvar.to_account_info())
            .map_err(|_| error!(RegistryError::MissingEd25519Instruction))?;
        require_keys_eq!(
            previous.program_id,
            ED25519_PROGRAM_ID,
            RegistryError::MissingEd25519Instruction
        );
        let (signer, signed) = attestation::parse_ed25519_instruction(&previous.data)?;
        require_keys_eq!(
            signer,
            self.device.device_key,
            RegistryError::AttestationSignerMismatch
        );
        let expected = attestation::message(
            &self.device.key(),
            self.device.registration,
            args.nonce,
            args.kind,
            &args.payload,
        );
        require!(
            signed == expected.as_slice(),
            RegistryError::AttestationMessageMismatch
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<AttestDevice>, args: AttestDeviceArgs) -> Result<()> {
    let device = &mut ctx.accounts.device;
    device.accept_attestation(args.nonce, args.kind, &args.payload)?;
    emit!(DeviceAttested {
        device: device.key(),
        nonce: args.nonce,
        kind: args.kind,
        payload: args.payload,
    });
    Ok(())
}
