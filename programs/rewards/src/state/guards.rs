use anchor_lang::prelude::*;

use crate::errors::RewardsError;
use crate::state::{Distributor, RootProposal};

/// Most oracle approvals one root proposal records.
pub const MAX_APPROVERS: usize = 8;
/// Longest challenge period: 30 days.
pub const MAX_CHALLENGE_PERIOD_SECS: u32 = 30 * 86_400;
/// Longest outflow window: 366 days.
pub const MAX_OUTFLOW_PERIOD_SECS: u32 = 366 * 86_400;

/// What bounds a distributor's oracle keys, set at creation and changed by
/// the network's admin (`set_guards`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct Guards {
    /// Distinct oracle members that must approve the same root (1..=8).
    pub required_approvals: u8,
    /// Seconds between a root's full approval and its activation, during
    /// which an admin can veto it (0: activates on the last approval).
    pub challenge_period_secs: u32,
    /// Most tokens claims may take out of the vault per outflow window
    /// (u64::MAX: no limit).
    pub outflow_limit: u64,
    /// Length of an outflow window in seconds.
    pub outflow_period_secs: u32,
}

impl Guards {
    /// One oracle, no challenge period, no outflow limit: a root activates
    /// as soon as an oracle posts it (trusting that one key completely).
    pub const SINGLE_ORACLE: Guards = Guards {
        required_approvals: 1,
        challenge_period_secs: 0,
        outflow_limit: u64::MAX,
        outflow_period_secs: 86_400,
    };

    /// The guards in force: approval rules live in the root proposal
    /// account, the breaker in the distributor (claims load only that).
    pub fn of(distributor: &Distributor, proposal: &RootProposal) -> Guards {
        Guards {
            required_approvals: proposal.required_approvals,
            challenge_period_secs: proposal.challenge_period_secs,
            outflow_limit: distributor.breaker.limit,
            outflow_period_secs: distributor.breaker.period_secs,
        }
    }

    pub fn validate(&self) -> Result<()> {
        require!(
            (1..=MAX_APPROVERS as u8).contains(&self.required_approvals),
            RewardsError::InvalidGuards
        );
        require!(
            self.challenge_period_secs <= MAX_CHALLENGE_PERIOD_SECS,
            RewardsError::InvalidGuards
        );
        // A zero limit would stop every claim: pausing says that explicitly.
        require!(self.outflow_limit > 0, RewardsError::InvalidGuards);
        require!(
            (1..=MAX_OUTFLOW_PERIOD_SECS).contains(&self.outflow_period_secs),
            RewardsError::InvalidGuards
        );
        Ok(())
    }
}

/// The circuit breaker: counts what claims take out of the vault in fixed
/// windows. A window opens with the first outflow after the previous one
/// ended, so at most `limit` leaves per window, and at most twice that in
/// any span of one window's length (the end of one and the start of the
/// next).
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OutflowBreaker {
    pub limit: u64,
    /// Unix seconds the current window opened (0: none yet).
    pub window_start: i64,
    /// Paid out in the current window.
    pub window_outflow: u64,
    pub period_secs: u32,
    pub _padding: [u8; 4],
}

impl OutflowBreaker {
    pub fn new(guards: &Guards) -> Self {
        OutflowBreaker {
            limit: guards.outflow_limit,
            period_secs: guards.outflow_period_secs,
            window_start: 0,
            window_outflow: 0,
            _padding: [0; 4],
        }
    }

    /// New limits apply to the current window as counted so far.
    pub fn set_limits(&mut self, guards: &Guards) {
        self.limit = guards.outflow_limit;
        self.period_secs = guards.outflow_period_secs;
    }

    /// When the current window ends (and the next outflow opens a new one).
    pub fn window_end(&self) -> i64 {
        self.window_start
            .saturating_add(i64::from(self.period_secs))
    }

    /// What may still leave in the window that is current at `now`.
    pub fn available(&self, now: i64) -> u64 {
        if now >= self.window_end() {
            self.limit
        } else {
            self.limit.saturating_sub(self.window_outflow)
        }
    }

    /// Counts `amount` leaving at `now`, refusing it (and changing
    /// nothing) beyond the limit.
    pub fn record(&mut self, amount: u64, now: i64) -> Result<()> {
        let (window_start, so_far) = if now >= self.window_end() {
            (now, 0)
        } else {
            (self.window_start, self.window_outflow)
        };
        let outflow = so_far.checked_add(amount).ok_or(RewardsError::Overflow)?;
        require!(outflow <= self.limit, RewardsError::OutflowLimitExceeded);
        self.window_start = window_start;
        self.window_outflow = outflow;
        Ok(())
    }
}
