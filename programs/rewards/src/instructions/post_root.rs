use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;
use depin_registry::state::{permission, Member};

use crate::errors::RewardsError;
use crate::events::RootPosted;
use crate::state::Distributor;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PostRootArgs {
    pub epoch: u64,
    pub root: [u8; 32],
    /// Sum of every leaf's cumulative amount.
    pub cumulative_total: u64,
    pub recipient_count: u32,
}

/// The oracle posts the root of everyone's cumulative rewards for an epoch.
/// See `Distributor::post_root` for what makes a root acceptable.
#[derive(Accounts)]
pub struct PostRoot<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RewardsError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut, has_one = vault @ RewardsError::WrongVault)]
    pub distributor: Account<'info, Distributor>,
    pub vault: Account<'info, TokenAccount>,
}

impl PostRoot<'_> {
    pub fn validate(&self, _args: &PostRootArgs) -> Result<()> {
        self.member
            .require(&self.distributor.network, permission::ORACLE)?;
        require!(
            !self.distributor.clawed_back,
            RewardsError::AlreadyClawedBack
        );
        let now = Clock::get()?.unix_timestamp;
        require!(!self.distributor.is_expired(now), RewardsError::Expired);
        Ok(())
    }
}

pub fn handler(ctx: Context<PostRoot>, args: PostRootArgs) -> Result<()> {
    let vault_balance = ctx.accounts.vault.amount;
    let distributor = &mut ctx.accounts.distributor;
    distributor.post_root(
        args.epoch,
        args.root,
        args.cumulative_total,
        args.recipient_count,
        vault_balance,
    )?;
    emit!(RootPosted {
        distributor: distributor.key(),
        epoch: args.epoch,
        root: args.root,
        cumulative_total: args.cumulative_total,
        recipient_count: args.recipient_count,
        by: ctx.accounts.authority.key(),
    });
    Ok(())
}
