use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount};

use crate::errors::RegistryError;
use crate::events::OnboardingFeeSet;
use crate::state::{permission, Member, Network};

/// Sets the fee charged per device onboarding; `amount = 0` turns it off
/// (then the fee accounts may be omitted).
#[derive(Accounts)]
pub struct SetOnboardingFee<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut)]
    pub network: Account<'info, Network>,
    pub fee_mint: Option<InterfaceAccount<'info, Mint>>,
    pub fee_treasury: Option<InterfaceAccount<'info, TokenAccount>>,
}

impl SetOnboardingFee<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::TREASURY)?;
        if amount == 0 {
            return Ok(());
        }
        let (Some(mint), Some(treasury)) = (&self.fee_mint, &self.fee_treasury) else {
            return err!(RegistryError::FeeAccountsMissing);
        };
        require_keys_eq!(treasury.mint, mint.key(), RegistryError::FeeAccountMismatch);
        Ok(())
    }
}

pub fn handler(ctx: Context<SetOnboardingFee>, amount: u64) -> Result<()> {
    let accounts = ctx.accounts;
    let (fee_mint, fee_treasury) = match (amount, &accounts.fee_mint, &accounts.fee_treasury) {
        (0, _, _) => (Pubkey::default(), Pubkey::default()),
        (_, Some(mint), Some(treasury)) => (mint.key(), treasury.key()),
        _ => return err!(RegistryError::FeeAccountsMissing),
    };
    let network = &mut accounts.network;
    network.fee_mint = fee_mint;
    network.fee_treasury = fee_treasury;
    network.onboarding_fee = amount;
    emit!(OnboardingFeeSet {
        network: network.key(),
        fee_mint,
        fee_treasury,
        amount
    });
    Ok(())
}
