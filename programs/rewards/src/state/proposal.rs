use anchor_lang::prelude::*;

use crate::errors::RewardsError;
use crate::state::{Guards, MAX_APPROVERS};

/// What a root says: oracles approve exactly this, field for field.
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct RootContent {
    pub epoch: u64,
    pub root: [u8; 32],
    /// Sum of every leaf's cumulative amount.
    pub cumulative_total: u64,
    pub recipient_count: u32,
}

#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub enum ProposalStatus {
    /// No root was ever proposed.
    #[default]
    Empty,
    /// Collecting approvals; another root may replace it.
    Pending,
    /// Approved by enough oracles; activates after the challenge period
    /// unless an admin vetoes it. Nothing can replace it meanwhile.
    Approved,
    /// Became the distributor's root.
    Activated,
    /// Stopped by an admin.
    Vetoed,
}

/// The one root proposal of a distributor (PDA `["root_proposal",
/// distributor]`), kept apart from the distributor so claims never load it.
/// It holds the approval rules and the root currently being approved.
#[account]
#[derive(InitSpace, Debug)]
pub struct RootProposal {
    pub distributor: Pubkey,
    pub bump: u8,
    /// Rules for proposals opened from now on (see `Guards`).
    pub required_approvals: u8,
    pub challenge_period_secs: u32,
    /// Number of the current proposal; every new proposal takes the next
    /// (0: none yet).
    pub sequence: u64,
    pub status: ProposalStatus,
    pub content: RootContent,
    /// The rules the current proposal was opened under: changing the rules
    /// later does not change what an open proposal needs (an admin who
    /// wants that vetoes it).
    pub approvals_needed: u8,
    pub challenge_period: u32,
    /// Authorities of the oracle members that approved, in order; the first
    /// proposed it.
    pub approvers: [Pubkey; MAX_APPROVERS],
    pub approval_count: u8,
    pub proposed_at: i64,
    /// When the last needed approval came in (0 until then).
    pub approved_at: i64,
}

/// What one approval did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approval {
    /// The approval opened a new proposal.
    pub opened: bool,
    /// The pending proposal it replaced (a different root), if any.
    pub superseded: Option<u64>,
    /// It was the last approval needed.
    pub fully_approved: bool,
}

impl RootProposal {
    /// A distributor's proposal account before any root was proposed.
    pub fn new(distributor: Pubkey, bump: u8, guards: &Guards) -> Self {
        RootProposal {
            distributor,
            bump,
            required_approvals: guards.required_approvals,
            challenge_period_secs: guards.challenge_period_secs,
            sequence: 0,
            status: ProposalStatus::Empty,
            content: RootContent::default(),
            approvals_needed: 0,
            challenge_period: 0,
            approvers: [Pubkey::default(); MAX_APPROVERS],
            approval_count: 0,
            proposed_at: 0,
            approved_at: 0,
        }
    }

    /// The approval rules for proposals opened from now on.
    pub fn set_rules(&mut self, guards: &Guards) {
        self.required_approvals = guards.required_approvals;
        self.challenge_period_secs = guards.challenge_period_secs;
    }

    pub fn approvers(&self) -> &[Pubkey] {
        &self.approvers[..usize::from(self.approval_count).min(MAX_APPROVERS)]
    }

    pub fn has_approved(&self, authority: &Pubkey) -> bool {
        self.approvers().contains(authority)
    }

    /// When an approved proposal may be activated.
    pub fn claimable_at(&self) -> i64 {
        self.approved_at
            .saturating_add(i64::from(self.challenge_period))
    }

    /// `approver` (an oracle member's authority) approves `content`: the
    /// same content as the pending proposal adds an approver; a different
    /// one replaces a pending proposal (and opens one where none is open);
    /// nothing replaces an approved proposal until it is activated or vetoed.
    pub fn approve(
        &mut self,
        content: &RootContent,
        approver: &Pubkey,
        now: i64,
    ) -> Result<Approval> {
        let same = self.content == *content;
        let mut approval = Approval {
            opened: false,
            superseded: None,
            fully_approved: false,
        };
        match self.status {
            ProposalStatus::Pending if same => {
                require!(
                    !self.has_approved(approver),
                    RewardsError::DuplicateApproval
                );
                // Pending means fewer than `approvals_needed` (at most
                // MAX_APPROVERS) approvals, so there is room.
                self.approvers[usize::from(self.approval_count)] = *approver;
                self.approval_count += 1;
            }
            ProposalStatus::Approved if same => {
                require!(
                    !self.has_approved(approver),
                    RewardsError::DuplicateApproval
                );
                return err!(RewardsError::AlreadyFullyApproved);
            }
            ProposalStatus::Approved => return err!(RewardsError::RootAwaitingActivation),
            ProposalStatus::Pending
            | ProposalStatus::Empty
            | ProposalStatus::Activated
            | ProposalStatus::Vetoed => {
                if self.status == ProposalStatus::Pending {
                    approval.superseded = Some(self.sequence);
                }
                self.open(content, approver, now)?;
                approval.opened = true;
            }
        }
        if self.approval_count >= self.approvals_needed {
            self.status = ProposalStatus::Approved;
            self.approved_at = now;
            approval.fully_approved = true;
        }
        Ok(approval)
    }

    fn open(&mut self, content: &RootContent, proposer: &Pubkey, now: i64) -> Result<()> {
        self.sequence = self.sequence.checked_add(1).ok_or(RewardsError::Overflow)?;
        self.status = ProposalStatus::Pending;
        self.content = *content;
        self.approvals_needed = self.required_approvals;
        self.challenge_period = self.challenge_period_secs;
        self.approvers = [Pubkey::default(); MAX_APPROVERS];
        self.approvers[0] = *proposer;
        self.approval_count = 1;
        self.proposed_at = now;
        self.approved_at = 0;
        Ok(())
    }

    /// Only an approved proposal whose challenge period is over activates.
    pub fn require_activatable(&self, now: i64) -> Result<()> {
        self.require_status(ProposalStatus::Approved)?;
        require!(
            now >= self.claimable_at(),
            RewardsError::ChallengePeriodActive
        );
        Ok(())
    }

    pub fn mark_activated(&mut self) {
        self.status = ProposalStatus::Activated;
    }

    /// An admin stops a pending or approved proposal.
    pub fn veto(&mut self) -> Result<()> {
        if self.status != ProposalStatus::Pending {
            self.require_status(ProposalStatus::Approved)?;
        }
        self.status = ProposalStatus::Vetoed;
        Ok(())
    }

    /// The specific error for each status other than `wanted`.
    fn require_status(&self, wanted: ProposalStatus) -> Result<()> {
        if self.status == wanted {
            return Ok(());
        }
        Err(match self.status {
            ProposalStatus::Empty => RewardsError::NoProposal,
            ProposalStatus::Pending => RewardsError::NotFullyApproved,
            ProposalStatus::Approved => RewardsError::RootAwaitingActivation,
            ProposalStatus::Activated => RewardsError::AlreadyActivated,
            ProposalStatus::Vetoed => RewardsError::RootVetoed,
        }
        .into())
    }
}
