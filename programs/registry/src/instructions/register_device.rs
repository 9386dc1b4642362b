use anchor_lang::prelude::*;
use anchor_spl::token_interface::{
    transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked,
};

use crate::errors::RegistryError;
use crate::events::DeviceRegistered;
use crate::pda::DEVICE_SEED;
use crate::state::{Device, DeviceKind, DeviceStatus, Maker, Network};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterDeviceArgs {
    pub owner: Pubkey,
    pub kind: DeviceKind,
    pub location: u64,
    pub capacity: u32,
}

/// Onboards a device. The device key signs (possession of the secure
/// element's key), the maker's authority co-signs (maker approval), and the
/// payer pays rent plus the network's onboarding fee, if any.
#[derive(Accounts)]
pub struct RegisterDevice<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub device_signer: Signer<'info>,
    pub maker_authority: Signer<'info>,
    #[account(mut)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, has_one = network @ RegistryError::MakerNetworkMismatch)]
    pub maker: Box<Account<'info, Maker>>,
    #[account(
        init,
        payer = payer,
        space = Device::SIZE,
        seeds = [DEVICE_SEED, network.key().as_ref(), device_signer.key().as_ref()],
        bump
    )]
    pub device: Box<Account<'info, Device>>,
    pub fee_mint: Option<Box<InterfaceAccount<'info, Mint>>>,
    /// The payer's token account the fee is taken from.
    #[account(mut)]
    pub fee_source: Option<Box<InterfaceAccount<'info, TokenAccount>>>,
    #[account(mut)]
    pub fee_treasury: Option<Box<InterfaceAccount<'info, TokenAccount>>>,
    pub token_program: Option<Interface<'info, TokenInterface>>,
    pub system_program: Program<'info, System>,
}

impl<'info> RegisterDevice<'info> {
    pub fn validate(&self, args: &RegisterDeviceArgs) -> Result<()> {
        self.network.require_not_paused()?;
        require_keys_eq!(
            self.maker.authority,
            self.maker_authority.key(),
            RegistryError::MissingPermission
        );
        require!(
            args.owner != Pubkey::default(),
            RegistryError::InvalidNewOwner
        );
        Device::check_location(args.location)?;
        if self.network.charges_fee() {
            let fee = self.fee_accounts()?;
            require_keys_eq!(
                fee.mint.key(),
                self.network.fee_mint,
                RegistryError::FeeAccountMismatch
            );
            require_keys_eq!(
                fee.treasury.key(),
                self.network.fee_treasury,
                RegistryError::FeeAccountMismatch
            );
        }
        Ok(())
    }

    /// The four optional fee accounts, all required once a fee is set.
    fn fee_accounts(&self) -> Result<FeeAccounts<'_, 'info>> {
        match (
            &self.fee_mint,
            &self.fee_source,
            &self.fee_treasury,
            &self.token_program,
        ) {
            (Some(mint), Some(source), Some(treasury), Some(token_program)) => Ok(FeeAccounts {
                mint,
                source,
                treasury,
                token_program,
            }),
            _ => err!(RegistryError::FeeAccountsMissing),
        }
    }

    fn collect_fee(&self, amount: u64) -> Result<()> {
        let FeeAccounts {
            mint,
            source,
            treasury,
            token_program,
        } = self.fee_accounts()?;
        let accounts = TransferChecked {
            from: source.to_account_info(),
            mint: mint.to_account_info(),
            to: treasury.to_account_info(),
            authority: self.payer.to_account_info(),
        };
        transfer_checked(
            CpiContext::new(token_program.key(), accounts),
            amount,
            mint.decimals,
        )
    }
}

struct FeeAccounts<'a, 'info> {
    mint: &'a InterfaceAccount<'info, Mint>,
    source: &'a InterfaceAccount<'info, TokenAccount>,
    treasury: &'a InterfaceAccount<'info, TokenAccount>,
    token_program: &'a Interface<'info, TokenInterface>,
}

pub fn handler(ctx: Context<RegisterDevice>, args: RegisterDeviceArgs) -> Result<()> {
    let fee = ctx.accounts.network.onboarding_fee;
    if fee > 0 {
        ctx.accounts.collect_fee(fee)?;
    }
    ctx.accounts.maker.record_onboarding()?;
    let registration = ctx.accounts.network.add_device()?;

    let device_key = ctx.accounts.device_signer.key();
    let maker_id = ctx.accounts.maker.maker_id;
    let network_id = ctx.accounts.network.network_id;
    let registered_at = u32::try_from(Clock::get()?.unix_timestamp).unwrap_or(u32::MAX);
    ctx.accounts.device.set_inner(Device {
        device_key,
        owner: args.owner,
        operator: Pubkey::default(),
        network_id,
        maker_id,
        location: args.location,
        capacity: args.capacity,
        registered_at,
        registration,
        attestation_nonce: 0,
        kind: args.kind,
        status: DeviceStatus::Active,
        bump: ctx.bumps.device,
    });
    emit!(DeviceRegistered {
        network: ctx.accounts.network.key(),
        device: ctx.accounts.device.key(),
        device_key,
        owner: args.owner,
        maker_id,
        kind: args.kind,
        location: args.location,
        capacity: args.capacity,
        fee_paid: fee,
    });
    Ok(())
}
