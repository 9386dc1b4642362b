use anchor_lang::prelude::*;
use anchor_spl::token::TokenAccount;
use depin_registry::state::{permission, Member};

use crate::errors::RewardsError;
use crate::events::{RootApproved, RootProposed};
use crate::roots;
use crate::state::{Distributor, RootContent, RootProposal};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct PostRootArgs {
    pub epoch: u64,
    pub root: [u8; 32],
    /// Sum of every leaf's cumulative amount.
    pub cumulative_total: u64,
    pub recipient_count: u32,
}

impl PostRootArgs {
    pub fn content(&self) -> RootContent {
        RootContent {
            epoch: self.epoch,
            root: self.root,
            cumulative_total: self.cumulative_total,
            recipient_count: self.recipient_count,
        }
    }
}

/// An oracle proposes the root of everyone's cumulative rewards for an
/// epoch, or approves the same root another oracle proposed (see
/// `RootProposal::approve`). The approval that completes the distributor's
/// required count starts the challenge period; with none, it activates the
/// root at once (see `Distributor::activate_root` for what a root needs).
#[derive(Accounts)]
pub struct PostRoot<'info> {
    pub authority: Signer<'info>,
    #[account(has_one = authority @ RewardsError::MissingPermission)]
    pub member: Account<'info, Member>,
    #[account(mut, has_one = vault @ RewardsError::WrongVault)]
    pub distributor: AccountLoader<'info, Distributor>,
    #[account(mut, has_one = distributor @ RewardsError::WrongProposal)]
    pub root_proposal: Box<Account<'info, RootProposal>>,
    pub vault: Account<'info, TokenAccount>,
}

impl PostRoot<'_> {
    pub fn validate(&self, args: &PostRootArgs) -> Result<()> {
        let distributor = self.distributor.load()?;
        self.member
            .require(&distributor.network, permission::ORACLE)?;
        require!(
            !distributor.is_clawed_back(),
            RewardsError::AlreadyClawedBack
        );
        let now = Clock::get()?.unix_timestamp;
        require!(!distributor.is_expired(now), RewardsError::Expired);
        // Refuses a replayed or older root before it collects approvals.
        distributor.require_successor(&args.content())
    }
}

pub fn handler(ctx: Context<PostRoot>, args: PostRootArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let content = args.content();
    let by = accounts.authority.key();
    let distributor = accounts.distributor.key();
    let proposal = &mut accounts.root_proposal;
    let approval = proposal.approve(&content, &by, now)?;
    if approval.opened {
        emit!(RootProposed {
            distributor,
            sequence: proposal.sequence,
            epoch: content.epoch,
            root: content.root,
            cumulative_total: content.cumulative_total,
            recipient_count: content.recipient_count,
            by,
            approvals_needed: proposal.approvals_needed,
            challenge_period_secs: proposal.challenge_period,
            superseded: approval.superseded.unwrap_or(0),
        });
    } else {
        emit!(RootApproved {
            distributor,
            sequence: proposal.sequence,
            epoch: content.epoch,
            root: content.root,
            by,
            approvals: proposal.approval_count,
            approvals_needed: proposal.approvals_needed,
        });
    }
    if approval.fully_approved {
        roots::fully_approved(&distributor, proposal);
        if proposal.challenge_period == 0 {
            roots::activate(&accounts.distributor, proposal, accounts.vault.amount)?;
        }
    }
    Ok(())
}
