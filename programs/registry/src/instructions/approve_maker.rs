use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::MakerApproved;
use crate::pda::MAKER_SEED;
use crate::state::{permission, Maker, Member, Network};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ApproveMakerArgs {
    /// The key the maker signs onboardings with.
    pub maker_authority: Pubkey,
    pub name: String,
    pub quota: u32,
}

#[derive(Accounts)]
#[instruction(args: ApproveMakerArgs)]
pub struct ApproveMaker<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut)]
    pub network: Account<'info, Network>,
    #[account(
        init,
        payer = payer,
        space = 8 + Maker::INIT_SPACE,
        seeds = [MAKER_SEED, network.key().as_ref(), args.maker_authority.as_ref()],
        bump
    )]
    pub maker: Account<'info, Maker>,
    pub system_program: Program<'info, System>,
}

impl ApproveMaker<'_> {
    pub fn validate(&self, args: &ApproveMakerArgs) -> Result<()> {
        self.member
            .require(&self.network.key(), permission::MAKER_MANAGER)?;
        Network::encode_name(&args.name)?;
        require_keys_neq!(
            args.maker_authority,
            Pubkey::default(),
            RegistryError::InvalidMakerAuthority
        );
        Ok(())
    }
}

pub fn handler(ctx: Context<ApproveMaker>, args: ApproveMakerArgs) -> Result<()> {
    let maker_id = ctx.accounts.network.take_maker_id()?;
    let network = ctx.accounts.network.key();
    ctx.accounts.maker.set_inner(Maker {
        network,
        authority: args.maker_authority,
        maker_id,
        quota: args.quota,
        devices_onboarded: 0,
        active: true,
        bump: ctx.bumps.maker,
        name: Network::encode_name(&args.name)?,
    });
    emit!(MakerApproved {
        network,
        maker: ctx.accounts.maker.key(),
        maker_id,
        authority: args.maker_authority,
        quota: args.quota,
    });
    Ok(())
}
