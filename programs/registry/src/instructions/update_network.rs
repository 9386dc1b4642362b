use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::NetworkUpdated;
use crate::state::{permission, Member, Network};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct UpdateNetworkArgs {
    pub epoch_length_secs: Option<u32>,
    pub min_operator_bond: Option<u64>,
}

#[derive(Accounts)]
pub struct UpdateNetwork<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut)]
    pub network: Account<'info, Network>,
}

impl UpdateNetwork<'_> {
    pub fn validate(&self, args: &UpdateNetworkArgs) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::ADMIN)?;
        require!(
            args.epoch_length_secs.is_some() || args.min_operator_bond.is_some(),
            RegistryError::NothingToUpdate
        );
        if let Some(secs) = args.epoch_length_secs {
            Network::check_epoch_length(secs)?;
        }
        Ok(())
    }
}

pub fn handler(ctx: Context<UpdateNetwork>, args: UpdateNetworkArgs) -> Result<()> {
    let network = &mut ctx.accounts.network;
    if let Some(secs) = args.epoch_length_secs {
        network.epoch_length_secs = secs;
    }
    if let Some(bond) = args.min_operator_bond {
        network.min_operator_bond = bond;
    }
    emit!(NetworkUpdated {
        network: network.key(),
        epoch_length_secs: network.epoch_length_secs,
        min_operator_bond: network.min_operator_bond,
    });
    Ok(())
}
