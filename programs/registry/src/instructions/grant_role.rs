use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::RoleGranted;
use crate::pda::MEMBER_SEED;
use crate::state::{permission, Member, Network};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct GrantRoleArgs {
    /// The key receiving the permissions (a wallet, a multisig vault, the crank).
    pub member: Pubkey,
    pub permissions: u16,
}

/// Adds permission bits to a member, creating its record on first grant.
#[derive(Accounts)]
#[instruction(args: GrantRoleArgs)]
pub struct GrantRole<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub admin: Account<'info, Member>,
    #[account(mut)]
    pub network: Account<'info, Network>,
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Member::INIT_SPACE,
        seeds = [MEMBER_SEED, network.key().as_ref(), args.member.as_ref()],
        bump
    )]
    pub member: Account<'info, Member>,
    pub system_program: Program<'info, System>,
}

impl GrantRole<'_> {
    pub fn validate(&self, args: &GrantRoleArgs) -> Result<()> {
        self.admin.require(&self.network.key(), permission::ADMIN)?;
        Member::validate_bits(args.permissions)
    }
}

pub fn handler(ctx: Context<GrantRole>, args: GrantRoleArgs) -> Result<()> {
    let network_key = ctx.accounts.network.key();
    let member = &mut ctx.accounts.member;
    // A fresh record has a zero network; the seeds already bind it to this one.
    if member.network == Pubkey::default() {
        member.network = network_key;
        member.authority = args.member;
        member.bump = ctx.bumps.member;
    }
    let newly_admin = !member.is_admin() && args.permissions & permission::ADMIN != 0;
    member.permissions |= args.permissions;
    if newly_admin {
        ctx.accounts.network.add_admin()?;
    }
    emit!(RoleGranted {
        network: network_key,
        member: args.member,
        granted: args.permissions,
        permissions: ctx.accounts.member.permissions,
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
