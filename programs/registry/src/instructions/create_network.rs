use anchor_lang::prelude::*;
use anchor_spl::token_interface::Mint;

use crate::events::{NetworkCreated, RoleGranted};
use crate::pda::{MEMBER_SEED, NETWORK_SEED, PLATFORM_SEED};
use crate::state::{permission, Member, Network, Platform};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct CreateNetworkArgs {
    pub name: String,
    pub epoch_length_secs: u32,
    pub min_operator_bond: u64,
}

/// Creates a network with the next platform id. The creator (which can be a
/// multisig vault) becomes its first member, holding every permission.
#[derive(Accounts)]
pub struct CreateNetwork<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub creator: Signer<'info>,
    #[account(mut, seeds = [PLATFORM_SEED], bump = platform.bump)]
    pub platform: Account<'info, Platform>,
    #[account(
        init,
        payer = payer,
        space = 8 + Network::INIT_SPACE,
        seeds = [NETWORK_SEED, &platform.network_count.to_le_bytes()],
        bump
    )]
    pub network: Account<'info, Network>,
    #[account(
        init,
        payer = payer,
        space = 8 + Member::INIT_SPACE,
        seeds = [MEMBER_SEED, network.key().as_ref(), creator.key().as_ref()],
        bump
    )]
    pub creator_member: Account<'info, Member>,
    pub reward_mint: InterfaceAccount<'info, Mint>,
    pub system_program: Program<'info, System>,
}

impl CreateNetwork<'_> {
    pub fn validate(&self, args: &CreateNetworkArgs) -> Result<()> {
        Network::encode_name(&args.name)?;
        Network::check_epoch_length(args.epoch_length_secs)
    }
}

pub fn handler(ctx: Context<CreateNetwork>, args: CreateNetworkArgs) -> Result<()> {
    let network_id = ctx.accounts.platform.take_network_id()?;
    let network_key = ctx.accounts.network.key();
    let creator = ctx.accounts.creator.key();

    let network = &mut ctx.accounts.network;
    network.set_inner(Network {
        network_id,
        name: Network::encode_name(&args.name)?,
        creator,
        reward_mint: ctx.accounts.reward_mint.key(),
        fee_mint: Pubkey::default(),
        fee_treasury: Pubkey::default(),
        onboarding_fee: 0,
        epoch_length_secs: args.epoch_length_secs,
        min_operator_bond: args.min_operator_bond,
        maker_count: 0,
        device_count: 0,
        registrations: 0,
        admin_count: 1,
        paused: false,
        bump: ctx.bumps.network,
        created_at: Clock::get()?.unix_timestamp,
    });
    ctx.accounts.creator_member.set_inner(Member {
        network: network_key,
        authority: creator,
        permissions: permission::ALL,
        bump: ctx.bumps.creator_member,
    });

    emit!(NetworkCreated {
        network: network_key,
        network_id,
        creator,
        reward_mint: network.reward_mint,
        epoch_length_secs: args.epoch_length_secs,
        min_operator_bond: args.min_operator_bond,
    });
    emit!(RoleGranted {
        network: network_key,
        member: creator,
        granted: permission::ALL,
        permissions: permission::ALL,
        by: creator,
    });
    Ok(())
}
