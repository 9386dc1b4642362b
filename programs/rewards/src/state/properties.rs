//! Property tests of the state rules: random sequences of funded roots,
//! claims and waits against the payout rules and the circuit breaker; and
//! random approvals, vetoes, activations and rule changes by several
//! oracles against the approval rules.

use anchor_lang::prelude::Pubkey;
use proptest::prelude::*;

use super::*;
use crate::errors::RewardsError;

const RECIPIENTS: usize = 8;
const START: i64 = 1_700_000_000;
const PERIOD: u32 = 1_000;

#[derive(Debug, Clone)]
enum Step {
    /// Every recipient earns `rewards[i]` more; the vault is topped up by
    /// what is needed, less `shortfall`.
    PostRoot {
        rewards: Vec<u32>,
        shortfall: u32,
    },
    Claim {
        recipient: usize,
    },
    /// The clock moves on.
    Wait {
        secs: u32,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (prop::collection::vec(0u32..1_000_000, RECIPIENTS), 0u32..3)
            .prop_map(|(rewards, shortfall)| { Step::PostRoot { rewards, shortfall } }),
        (0..RECIPIENTS).prop_map(|recipient| Step::Claim { recipient }),
        (0..RECIPIENTS).prop_map(|recipient| Step::Claim { recipient }),
        (0..2 * PERIOD).prop_map(|secs| Step::Wait { secs }),
    ]
}

fn distributor() -> Distributor {
    let mut d: Distributor = bytemuck::Zeroable::zeroed();
    d.bump = 255;
    d.vault_bump = 255;
    d.ledger_pages = 1;
    d.breaker = OutflowBreaker::new(&Guards::SINGLE_ORACLE);
    d
}

fn content(epoch: u64, root: u8, cumulative_total: u64, recipient_count: u32) -> RootContent {
    RootContent {
        epoch,
        root: [root; 32],
        cumulative_total,
        recipient_count,
    }
}

fn guards(required_approvals: u8, challenge_period_secs: u32) -> Guards {
    Guards {
        required_approvals,
        challenge_period_secs,
        ..Guards::SINGLE_ORACLE
    }
}

proptest! {
    /// Whatever the order of roots, claims and waits: each recipient is
    /// paid exactly the latest cumulative amount it claimed, never more than
    /// its leaf; a repeated claim pays nothing; the vault never goes
    /// negative; an unfunded root is refused without changing anything; and
    /// no breaker window pays out more than the limit (so no span of one
    /// window's length more than twice the limit). A claim the breaker
    /// refuses changes nothing and goes through in a later window.
    #[test]
    fn payouts_match_cumulative_leaves_within_the_outflow_limit(
        steps in prop::collection::vec(step(), 1..80),
        limit in 1u64..4_000_000,
    ) {
        let mut d = distributor();
        d.breaker = OutflowBreaker::new(&Guards {
            outflow_limit: limit,
            outflow_period_secs: PERIOD,
            ..Guards::SINGLE_ORACLE
        });
        let mut ledger: ClaimLedger = bytemuck::Zeroable::zeroed();
        let mut now = START;
        let mut vault: u64 = 0;
        let mut funded: u64 = 0;
        let mut earned = [0u64; RECIPIENTS];
        let mut paid = [0u64; RECIPIENTS];
        // What each recipient's leaf says under the current root.
        let mut leaves = [0u64; RECIPIENTS];
        // The model's breaker window, and every payout as (time, amount).
        let (mut window_start, mut window_outflow) = (0i64, 0u64);
        let mut payouts: Vec<(i64, u64)> = vec![];

        for (i, step) in steps.into_iter().enumerate() {
            match step {
                Step::PostRoot { rewards, shortfall } => {
                    let mut next = earned;
                    for (e, r) in next.iter_mut().zip(&rewards) {
                        *e += u64::from(*r);
                    }
                    let total: u64 = next.iter().sum();
                    // Fund exactly what is missing, minus the shortfall.
                    let needed = total - d.total_claimed - vault;
                    let topped = needed.saturating_sub(u64::from(shortfall));
                    let before = (d.epoch, d.cumulative_total, d.root);
                    let root = content(i as u64 + 1, i as u8, total, RECIPIENTS as u32);
                    let result = d.activate_root(&root, vault + topped);
                    if topped < needed {
                        prop_assert_eq!(result.unwrap_err(), RewardsError::RootUnfunded.into());
                        prop_assert_eq!((d.epoch, d.cumulative_total, d.root), before);
                    } else {
                        result.unwrap();
                        vault += topped;
                        funded += topped;
                        earned = next;
                        leaves = next;
                    }
                }
                Step::Claim { recipient } => {
                    let leaf = leaves[recipient];
                    let slot_before = ledger.claimed[recipient];
                    let breaker_before = d.breaker;
                    match ledger.settle(recipient, leaf) {
                        Ok(owed) => {
                            let (start, so_far) = if now >= window_start + i64::from(PERIOD) {
                                (now, 0)
                            } else {
                                (window_start, window_outflow)
                            };
                            let result = d.record_claim(owed, now);
                            if so_far + owed > limit {
                                prop_assert_eq!(
                                    result.unwrap_err(),
                                    RewardsError::OutflowLimitExceeded.into()
                                );
                                prop_assert_eq!(d.breaker, breaker_before);
                                // The transaction fails: the ledger write goes too.
                                ledger.claimed[recipient] = slot_before;
                            } else {
                                result.unwrap();
                                (window_start, window_outflow) = (start, so_far + owed);
                                prop_assert!(owed <= vault, "vault would go negative");
                                vault -= owed;
                                paid[recipient] += owed;
                                prop_assert_eq!(paid[recipient], leaf);
                                payouts.push((now, owed));
                            }
                        }
                        Err(e) => {
                            prop_assert_eq!(e, RewardsError::NothingToClaim.into());
                            prop_assert_eq!(paid[recipient], leaf);
                        }
                    }
                }
                Step::Wait { secs } => now += i64::from(secs),
            }
            let total_paid: u64 = paid.iter().sum();
            prop_assert_eq!(total_paid, d.total_claimed);
            prop_assert!(d.total_claimed <= d.cumulative_total);
            prop_assert_eq!(vault + total_paid, funded);
            prop_assert_eq!(
                (d.breaker.window_start, d.breaker.window_outflow),
                (window_start, window_outflow)
            );
            prop_assert!(window_outflow <= limit);
            let recent: u64 = payouts
                .iter()
                .filter(|(t, _)| *t > now - i64::from(PERIOD))
                .map(|(_, a)| a)
                .sum();
            prop_assert!(recent <= 2 * limit, "{} paid within one window length", recent);
            for r in 0..RECIPIENTS {
                prop_assert_eq!(ledger.claimed[r], paid[r]);
                prop_assert!(paid[r] <= earned[r]);
            }
        }
    }
}

#[test]
fn roots_only_move_forward() {
    let mut d = distributor();
    d.activate_root(&content(5, 1, 100, 4), 100).unwrap();
    assert_eq!(
        d.activate_root(&content(5, 2, 100, 4), 100).unwrap_err(),
        RewardsError::EpochNotIncreasing.into()
    );
    assert_eq!(
        d.activate_root(&content(6, 2, 99, 4), 100).unwrap_err(),
        RewardsError::CumulativeTotalDecreased.into()
    );
    assert_eq!(
        d.activate_root(&content(6, 2, 100, LEDGER_PAGE_SIZE as u32 + 1), 100)
            .unwrap_err(),
        RewardsError::LedgerTooSmall.into()
    );
    assert_eq!(
        d.activate_root(&content(6, 2, u64::MAX, 4), u64::MAX - 1)
            .unwrap_err(),
        RewardsError::RootUnfunded.into()
    );
    // The cheap checks a proposal gets before it collects approvals.
    assert_eq!(
        d.require_successor(&content(5, 9, 100, 4)).unwrap_err(),
        RewardsError::EpochNotIncreasing.into()
    );
    assert_eq!(
        d.require_successor(&content(6, 9, 99, 4)).unwrap_err(),
        RewardsError::CumulativeTotalDecreased.into()
    );
    d.require_successor(&content(6, 9, 100, 1 << 20)).unwrap();
    // Vault plus claimed beyond u64::MAX still covers the largest total.
    d.total_claimed = 1;
    d.activate_root(&content(6, 2, u64::MAX, 4), u64::MAX)
        .unwrap();
    assert_eq!(
        d.record_claim(u64::MAX, START).unwrap_err(),
        RewardsError::Overflow.into()
    );
    d.cumulative_total = 100;
    assert_eq!(
        d.record_claim(100, START).unwrap_err(),
        RewardsError::ClaimExceedsTotal.into()
    );
}

#[test]
fn ledger_pages_are_added_in_order() {
    let mut d = distributor();
    assert_eq!(
        d.add_ledger_page(2).unwrap_err(),
        RewardsError::LedgerPageOutOfOrder.into()
    );
    d.add_ledger_page(1).unwrap();
    assert_eq!(d.ledger_capacity(), 2 * LEDGER_PAGE_SIZE as u64);
}

#[test]
fn the_breaker_counts_fixed_windows_that_open_with_the_first_outflow() {
    let mut b = OutflowBreaker::new(&Guards {
        outflow_limit: 100,
        outflow_period_secs: 60,
        ..Guards::SINGLE_ORACLE
    });
    assert_eq!(b.available(START), 100);
    b.record(70, START).unwrap();
    assert_eq!((b.window_start, b.window_outflow), (START, 70));
    assert_eq!(b.available(START + 59), 30);
    assert_eq!(
        b.record(31, START + 59).unwrap_err(),
        RewardsError::OutflowLimitExceeded.into()
    );
    assert_eq!((b.window_start, b.window_outflow), (START, 70));
    b.record(30, START + 59).unwrap();
    assert_eq!(b.available(START + 59), 0);
    // The window ends 60 seconds after it opened: the next outflow opens
    // a new one.
    assert_eq!(b.available(START + 60), 100);
    b.record(100, START + 75).unwrap();
    assert_eq!((b.window_start, b.window_outflow), (START + 75, 100));
    assert_eq!(
        b.record(u64::MAX, START + 500).unwrap_err(),
        RewardsError::OutflowLimitExceeded.into()
    );
    // A lower limit applies to what this window already paid.
    b.set_limits(&Guards {
        outflow_limit: 50,
        outflow_period_secs: 60,
        ..Guards::SINGLE_ORACLE
    });
    assert_eq!(b.available(START + 100), 0);
    // Without a limit, nothing is refused.
    let mut open = OutflowBreaker::new(&Guards::SINGLE_ORACLE);
    open.record(u64::MAX, START).unwrap();
    assert_eq!(
        open.record(1, START).unwrap_err(),
        RewardsError::Overflow.into()
    );
}

#[test]
fn guards_are_validated() {
    Guards::SINGLE_ORACLE.validate().unwrap();
    let valid = Guards {
        required_approvals: MAX_APPROVERS as u8,
        challenge_period_secs: MAX_CHALLENGE_PERIOD_SECS,
        outflow_limit: 1,
        outflow_period_secs: MAX_OUTFLOW_PERIOD_SECS,
    };
    valid.validate().unwrap();
    for invalid in [
        Guards {
            required_approvals: 0,
            ..valid
        },
        Guards {
            required_approvals: MAX_APPROVERS as u8 + 1,
            ..valid
        },
        Guards {
            challenge_period_secs: MAX_CHALLENGE_PERIOD_SECS + 1,
            ..valid
        },
        Guards {
            outflow_limit: 0,
            ..valid
        },
        Guards {
            outflow_period_secs: 0,
            ..valid
        },
        Guards {
            outflow_period_secs: MAX_OUTFLOW_PERIOD_SECS + 1,
            ..valid
        },
    ] {
        assert_eq!(
            invalid.validate().unwrap_err(),
            RewardsError::InvalidGuards.into(),
            "{invalid:?}"
        );
    }
}

// ---- approvals ----

/// Oracle `i`'s authority.
fn oracle(i: usize) -> Pubkey {
    Pubkey::new_from_array([i as u8 + 1; 32])
}

#[test]
fn m_distinct_oracles_must_approve_the_same_root() {
    let mut p = RootProposal::new(Pubkey::default(), 255, &guards(2, 100));
    let good = content(1, 1, 100, 4);
    let bad = content(1, 2, 1_000_000, 1);

    let a = p.approve(&good, &oracle(0), START).unwrap();
    assert_eq!(
        a,
        Approval {
            opened: true,
            superseded: None,
            fully_approved: false
        }
    );
    assert_eq!(
        p.approve(&good, &oracle(0), START).unwrap_err(),
        RewardsError::DuplicateApproval.into()
    );
    // A different root replaces a pending one (the cost of a bad key is a
    // delay), with its own approvals from scratch.
    let a = p.approve(&bad, &oracle(1), START + 1).unwrap();
    assert_eq!((a.opened, a.superseded), (true, Some(1)));
    assert_eq!(
        (p.sequence, p.approvers(), p.status),
        (2, &[oracle(1)][..], ProposalStatus::Pending)
    );
    p.approve(&good, &oracle(0), START + 2).unwrap();
    let a = p.approve(&good, &oracle(2), START + 3).unwrap();
    assert_eq!(
        a,
        Approval {
            opened: false,
            superseded: None,
            fully_approved: true
        }
    );
    assert_eq!(
        (p.status, p.approved_at, p.claimable_at()),
        (ProposalStatus::Approved, START + 3, START + 103)
    );
    assert_eq!(p.approvers(), &[oracle(0), oracle(2)]);

    // Nothing replaces an approved root; nobody approves it twice.
    assert_eq!(
        p.approve(&bad, &oracle(1), START + 4).unwrap_err(),
        RewardsError::RootAwaitingActivation.into()
    );
    assert_eq!(
        p.approve(&good, &oracle(2), START + 4).unwrap_err(),
        RewardsError::DuplicateApproval.into()
    );
    assert_eq!(
        p.approve(&good, &oracle(3), START + 4).unwrap_err(),
        RewardsError::AlreadyFullyApproved.into()
    );
    assert_eq!(
        p.require_activatable(START + 102).unwrap_err(),
        RewardsError::ChallengePeriodActive.into()
    );
    p.require_activatable(START + 103).unwrap();
    p.mark_activated();
    assert_eq!(
        p.require_activatable(START + 200).unwrap_err(),
        RewardsError::AlreadyActivated.into()
    );
    assert_eq!(p.veto().unwrap_err(), RewardsError::AlreadyActivated.into());
}

#[test]
fn vetoes_and_rule_changes() {
    let mut p = RootProposal::new(Pubkey::default(), 255, &guards(1, 50));
    assert_eq!(
        p.require_activatable(START).unwrap_err(),
        RewardsError::NoProposal.into()
    );
    assert_eq!(p.veto().unwrap_err(), RewardsError::NoProposal.into());
    let bad = content(1, 2, 1_000_000, 1);
    assert!(p.approve(&bad, &oracle(0), START).unwrap().fully_approved);
    p.veto().unwrap();
    assert_eq!(
        p.require_activatable(START + 50).unwrap_err(),
        RewardsError::RootVetoed.into()
    );
    assert_eq!(p.veto().unwrap_err(), RewardsError::RootVetoed.into());

    // New rules apply to proposals opened after them, not to an open one.
    let good = content(1, 1, 100, 4);
    p.set_rules(&guards(3, 0));
    let a = p.approve(&good, &oracle(0), START + 1).unwrap();
    assert_eq!((a.opened, a.superseded, p.sequence), (true, None, 2));
    assert_eq!((p.approvals_needed, p.challenge_period), (3, 0));
    p.set_rules(&guards(1, 10));
    assert_eq!(
        p.require_activatable(START + 1).unwrap_err(),
        RewardsError::NotFullyApproved.into()
    );
    // An admin may stop a pending proposal too.
    p.veto().unwrap();
    assert_eq!(p.status, ProposalStatus::Vetoed);
}

#[derive(Debug, Clone)]
enum Act {
    /// Oracle `oracle` posts root variant `variant` of the next epoch
    /// (variant 3: the root activated last, replayed).
    Post {
        oracle: usize,
        variant: u8,
    },
    Activate,
    Veto,
    Wait {
        secs: u32,
    },
    SetRules {
        approvals: u8,
        period: u32,
    },
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        6 => (0..5usize, 0..4u8).prop_map(|(oracle, variant)| Act::Post { oracle, variant }),
        2 => Just(Act::Activate),
        1 => Just(Act::Veto),
        2 => (0..120u32).prop_map(|secs| Act::Wait { secs }),
        1 => (1..=4u8, 0..100u32).prop_map(|(approvals, period)| Act::SetRules { approvals, period }),
    ]
}

/// The model of the open proposal.
#[derive(Debug, Clone, PartialEq)]
struct Open {
    content: RootContent,
    approvers: Vec<Pubkey>,
    needed: u8,
    period: u32,
    approved_at: Option<i64>,
    status: ProposalStatus,
}

proptest! {
    /// Random posts by five oracles (three competing roots per epoch and
    /// replays of the last activated one), activations, vetoes, waits and
    /// rule changes, each step run as `post_root` / `activate_root` /
    /// `veto_root` / `set_guards` run it: the proposal matches a plain model,
    /// and every root that becomes the distributor's root was approved by at
    /// least the needed number of distinct oracles, waited out its whole
    /// challenge period, and was not vetoed.
    #[test]
    fn only_roots_approved_by_m_oracles_and_unvetoed_for_the_period_activate(
        acts in prop::collection::vec(act(), 1..60),
        approvals in 1..=4u8,
        period in 0..100u32,
    ) {
        let mut d = distributor();
        let mut p = RootProposal::new(Pubkey::default(), 255, &guards(approvals, period));
        let mut rules = (approvals, period);
        let mut now = START;
        let mut open: Option<Open> = None;
        let mut last_activated = RootContent::default();

        for act in acts {
            match act {
                Act::Post { oracle: o, variant } => {
                    let c = if variant == 3 {
                        last_activated
                    } else {
                        content(d.epoch + 1, variant, 100 * (d.epoch + 1), 4)
                    };
                    let by = oracle(o);
                    let result = d
                        .require_successor(&c)
                        .and_then(|_| p.approve(&c, &by, now));
                    // The model.
                    let expected: std::result::Result<bool, RewardsError> = if c.epoch <= d.epoch {
                        Err(RewardsError::EpochNotIncreasing)
                    } else {
                        match open.as_mut() {
                            Some(m) if m.status == ProposalStatus::Pending && m.content == c => {
                                if m.approvers.contains(&by) {
                                    Err(RewardsError::DuplicateApproval)
                                } else {
                                    m.approvers.push(by);
                                    Ok(m.approvers.len() >= usize::from(m.needed))
                                }
                            }
                            Some(m) if m.status == ProposalStatus::Approved => {
                                if m.content != c {
                                    Err(RewardsError::RootAwaitingActivation)
                                } else if m.approvers.contains(&by) {
                                    Err(RewardsError::DuplicateApproval)
                                } else {
                                    Err(RewardsError::AlreadyFullyApproved)
                                }
                            }
                            _ => {
                                open = Some(Open {
                                    content: c,
                                    approvers: vec![by],
                                    needed: rules.0,
                                    period: rules.1,
                                    approved_at: None,
                                    status: ProposalStatus::Pending,
                                });
                                Ok(rules.0 == 1)
                            }
                        }
                    };
                    match expected {
                        Err(e) => prop_assert_eq!(result.unwrap_err(), e.into()),
                        Ok(fully) => {
                            prop_assert_eq!(result.unwrap().fully_approved, fully);
                            let m = open.as_mut().unwrap();
                            if fully {
                                m.status = ProposalStatus::Approved;
                                m.approved_at = Some(now);
                                // As `post_root` does: no period, activate now.
                                if m.period == 0 {
                                    d.activate_root(&p.content, u64::MAX).unwrap();
                                    p.mark_activated();
                                    m.status = ProposalStatus::Activated;
                                    last_activated = c;
                                }
                            }
                        }
                    }
                }
                Act::Activate => {
                    let result = p
                        .require_activatable(now)
                        .and_then(|_| d.activate_root(&p.content, u64::MAX));
                    let expected = match open.as_ref() {
                        None => Err(RewardsError::NoProposal),
                        Some(m) => match m.status {
                            ProposalStatus::Approved => {
                                if now >= m.approved_at.unwrap() + i64::from(m.period) {
                                    Ok(())
                                } else {
                                    Err(RewardsError::ChallengePeriodActive)
                                }
                            }
                            ProposalStatus::Pending => Err(RewardsError::NotFullyApproved),
                            ProposalStatus::Activated => Err(RewardsError::AlreadyActivated),
                            ProposalStatus::Vetoed => Err(RewardsError::RootVetoed),
                            ProposalStatus::Empty => unreachable!(),
                        },
                    };
                    match expected {
                        Err(e) => prop_assert_eq!(result.unwrap_err(), e.into()),
                        Ok(()) => {
                            result.unwrap();
                            p.mark_activated();
                            let m = open.as_mut().unwrap();
                            m.status = ProposalStatus::Activated;
                            last_activated = m.content;
                        }
                    }
                }
                Act::Veto => {
                    let result = p.veto();
                    match open.as_mut() {
                        Some(m) if matches!(m.status, ProposalStatus::Pending | ProposalStatus::Approved) => {
                            result.unwrap();
                            m.status = ProposalStatus::Vetoed;
                        }
                        _ => prop_assert!(result.is_err()),
                    }
                }
                Act::Wait { secs } => now += i64::from(secs),
                Act::SetRules { approvals, period } => {
                    p.set_rules(&guards(approvals, period));
                    rules = (approvals, period);
                }
            }

            // The proposal is the model's.
            match open.as_ref() {
                None => prop_assert_eq!(p.status, ProposalStatus::Empty),
                Some(m) => {
                    prop_assert_eq!(p.status, m.status);
                    prop_assert_eq!(p.content, m.content);
                    prop_assert_eq!(p.approvers(), &m.approvers[..]);
                    prop_assert_eq!((p.approvals_needed, p.challenge_period), (m.needed, m.period));
                    prop_assert_eq!(p.approved_at, m.approved_at.unwrap_or(0));
                }
            }
            // The distributor's root is always one that m oracles approved
            // and nobody vetoed within its period.
            prop_assert_eq!(d.root, last_activated.root);
            prop_assert_eq!(d.epoch, last_activated.epoch);
            if d.epoch > 0 && p.content == last_activated {
                let m = open.as_ref().unwrap();
                prop_assert_eq!(m.status, ProposalStatus::Activated);
                let mut distinct = m.approvers.clone();
                distinct.sort();
                distinct.dedup();
                prop_assert!(distinct.len() >= usize::from(m.needed));
            }
        }
    }
}
