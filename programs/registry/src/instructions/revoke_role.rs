use anchor_lang::prelude::*;

use crate::errors::RegistryError;
use crate::events::RoleRevoked;
use crate::state::{permission, Member, Network};

/// Removes permission bits; a member left with none is closed and its rent
/// returned to `rent_receiver`. The last admin cannot lose ADMIN.
#[derive(Accounts)]
pub struct RevokeRole<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RegistryError::MissingPermission)]
    pub admin: Account<'info, Member>,
    #[account(mut)]
    pub network: Account<'info, Network>,
    #[account(mut)]
    pub member: Account<'info, Member>,
    /// CHECK: any account may receive the rent of a closed member record.
    #[account(mut)]
    pub rent_receiver: UncheckedAccount<'info>,
}

impl RevokeRole<'_> {
    pub fn validate(&self, permissions: u16) -> Result<()> {
        self.admin.require(&self.network.key(), permission::ADMIN)?;
        require_keys_eq!(
            self.member.network,
            self.network.key(),
            RegistryError::MemberNetworkMismatch
        );
        Member::validate_bits(permissions)
    }
}

pub fn handler(ctx: Context<RevokeRole>, permissions: u16) -> Result<()> {
    let accounts = ctx.accounts;
    let revoked = accounts.member.permissions & permissions;
    if revoked & permission::ADMIN != 0 {
        accounts.network.remove_admin()?;
    }
    accounts.member.permissions &= !permissions;
    emit!(RoleRevoked {
        network: accounts.network.key(),
        member: accounts.member.authority,
        revoked,
        permissions: accounts.member.permissions,
        by: accounts.authority.key(),
    });
    if accounts.member.permissions == 0 {
        accounts
            .member
            .close(accounts.rent_receiver.to_account_info())?;
    }
    Ok(())
}
