//! The activation path shared by `post_root` (the last approval, when the
//! distributor has no challenge period) and `activate_root` (anyone, after
//! the challenge period).

use anchor_lang::prelude::*;

use crate::events::{RootActivated, RootFullyApproved};
use crate::state::{Distributor, RootProposal};

pub fn fully_approved(distributor: &Pubkey, proposal: &RootProposal) {
    emit!(RootFullyApproved {
        distributor: *distributor,
        sequence: proposal.sequence,
        epoch: proposal.content.epoch,
        root: proposal.content.root,
        approved_at: proposal.approved_at,
        activates_at: proposal.claimable_at(),
    });
}

/// Makes the approved root the distributor's root, checking everything a
/// root needs at this moment (funding and ledger pages may have changed
/// since it was proposed).
pub fn activate(
    distributor: &AccountLoader<Distributor>,
    proposal: &mut RootProposal,
    vault_balance: u64,
) -> Result<()> {
    distributor
        .load_mut()?
        .activate_root(&proposal.content, vault_balance)?;
    proposal.mark_activated();
    emit!(RootActivated {
        distributor: distributor.key(),
        sequence: proposal.sequence,
        epoch: proposal.content.epoch,
        root: proposal.content.root,
        cumulative_total: proposal.content.cumulative_total,
        recipient_count: proposal.content.recipient_count,
    });
    Ok(())
}
