//! Property test on a real bank: random sequences of stakes, bonds,
//! fundings, time, claims, unstakes, withdrawals and slashes by four
//! holders. Every outcome is predicted from the accounts before the step,
//! and after every step the books balance.

use depin_client::{ClientError, Keypair, Pubkey, Sent, Signer};
use depin_staking::errors::StakingError;
use depin_staking::state::Position;
use depin_tests::run_bank_property;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::fixture::Staking;

const HOLDERS: usize = 4;
const HOLDER_TOKENS: u64 = 100_000_000;
const DAY: i64 = 86_400;

#[derive(Debug, Clone)]
enum Step {
    Stake {
        holder: usize,
        amount: u64,
        lockup_days: u8,
    },
    Bond {
        holder: usize,
        amount: u64,
    },
    Fund {
        amount: u64,
        days: u8,
    },
    Wait {
        hours: u16,
    },
    /// `pick` chooses among all open positions (stakes and bonds), mostly
    /// among those where the step can succeed (see [`choose`]).
    Claim {
        pick: usize,
    },
    Unstake {
        pick: usize,
    },
    Withdraw {
        pick: usize,
    },
    /// Slashes `per_mille` of the holder's bond (above 1,000: too much).
    Slash {
        holder: usize,
        per_mille: u64,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let holder = 0..HOLDERS;
    prop_oneof![
        2 => (holder.clone(), 1u64..1_000_000, 0u8..30).prop_map(|(holder, amount, lockup_days)| {
            Step::Stake { holder, amount, lockup_days }
        }),
        2 => (holder.clone(), 1u64..1_000_000).prop_map(|(holder, amount)| Step::Bond { holder, amount }),
        3 => (1u64..10_000_000, 1u8..30).prop_map(|(amount, days)| Step::Fund { amount, days }),
        3 => (1u16..1_000).prop_map(|hours| Step::Wait { hours }),
        3 => (0usize..1_000).prop_map(|pick| Step::Claim { pick }),
        3 => (0usize..1_000).prop_map(|pick| Step::Unstake { pick }),
        3 => (0usize..1_000).prop_map(|pick| Step::Withdraw { pick }),
        2 => (holder, 0u64..1_100).prop_map(|(holder, per_mille)| Step::Slash { holder, per_mille }),
    ]
}

/// The custom error of a failed transaction, `None` on success.
fn outcome(result: Result<Sent, ClientError>) -> Result<Option<u32>, TestCaseError> {
    match result {
        Ok(_) => Ok(None),
        Err(e) => e
            .custom_code()
            .map(Some)
            .ok_or_else(|| TestCaseError::fail(format!("no custom error: {e}"))),
    }
}

fn code(error: StakingError) -> Option<u32> {
    Some(error.into())
}

struct Holder {
    wallet: Keypair,
    tokens: Pubkey,
    next_id: u32,
    /// Open positions (stakes and the bond).
    positions: Vec<Pubkey>,
}

#[derive(Default)]
struct Books {
    funded: u64,
    paid: u64,
    staked_in: u64,
    withdrawn: u64,
    slashed: u64,
    /// Positions ever opened (each may lose a fraction per settlement).
    opened: u64,
    steps: u64,
}

async fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let s = Staking::new().await;
    let mut holders = Vec::new();
    for _ in 0..HOLDERS {
        let (wallet, tokens) = s.staker(HOLDER_TOKENS).await;
        holders.push(Holder {
            wallet,
            tokens,
            next_id: 0,
            positions: Vec::new(),
        });
    }
    let mut books = Books::default();

    for step in steps {
        match step {
            Step::Stake {
                holder,
                amount,
                lockup_days,
            } => {
                let h = &mut holders[holder];
                let lockup = i64::from(lockup_days) * DAY;
                let before = s.balance(&h.tokens).await;
                let result = s
                    .try_stake(&h.wallet, &h.tokens, h.next_id, amount, lockup)
                    .await;
                prop_assert_eq!(outcome(result)?, None);
                let address = s.position_address(&h.wallet.pubkey(), h.next_id);
                h.next_id += 1;
                h.positions.push(address);
                prop_assert_eq!(before - s.balance(&h.tokens).await, amount);
                let p = s.position(&address).await;
                prop_assert_eq!(p.weight, crate::fixture::weight(amount, lockup));
                books.staked_in += amount;
                books.opened += 1;
            }
            Step::Bond { holder, amount } => {
                let h = &mut holders[holder];
                let address = s.bond_address(&h.wallet.pubkey());
                let existing = if h.positions.contains(&address) {
                    Some(s.position(&address).await)
                } else {
                    None
                };
                let result = outcome(s.try_bond(&h.wallet, &h.tokens, amount).await)?;
                match &existing {
                    Some(b) if b.unbonding > 0 => {
                        prop_assert_eq!(result, code(StakingError::AlreadyUnbonding));
                    }
                    _ => {
                        prop_assert_eq!(result, None);
                        let held = existing.as_ref().map_or(0, |b| b.amount);
                        prop_assert_eq!(s.position(&address).await.amount, held + amount);
                        if existing.is_none() {
                            h.positions.push(address);
                            books.opened += 1;
                        }
                        books.staked_in += amount;
                    }
                }
            }
            Step::Fund { amount, days } => {
                s.fund(amount, i64::from(days) * DAY).await;
                books.funded += amount;
            }
            Step::Wait { hours } => s.advance(i64::from(hours) * 3_600).await,
            Step::Claim { pick } => {
                let earning = |p: &Position, _| p.weight > 0 || p.pending > 0;
                let Some((holder, index)) = choose(&s, &holders, pick, earning).await else {
                    continue;
                };
                let h = &holders[holder];
                let position = h.positions[index];
                let pending = s.pending(&position).await;
                let before = s.balance(&h.tokens).await;
                let result = outcome(s.try_claim(&h.wallet, &position, &h.tokens).await)?;
                if pending == 0 {
                    prop_assert_eq!(result, code(StakingError::NothingToClaim));
                } else {
                    prop_assert_eq!(result, None);
                    prop_assert_eq!(s.balance(&h.tokens).await - before, pending);
                    books.paid += pending;
                    // No double claim: nothing more in the same second.
                    prop_assert_eq!(s.pending(&position).await, 0);
                    let again = outcome(s.try_claim(&h.wallet, &position, &h.tokens).await)?;
                    prop_assert_eq!(again, code(StakingError::NothingToClaim));
                }
            }
            Step::Unstake { pick } => {
                let Some((holder, index)) = choose(&s, &holders, pick, |p, now| {
                    p.unbonding == 0 && p.amount > 0 && now >= p.lockup_end
                })
                .await
                else {
                    continue;
                };
                let h = &holders[holder];
                let position = h.positions[index];
                let p = s.position(&position).await;
                let pending = s.pending(&position).await;
                let now = s.now().await;
                let result = outcome(s.try_request_unstake(&h.wallet, &position).await)?;
                if p.unbonding > 0 {
                    prop_assert_eq!(result, code(StakingError::AlreadyUnbonding));
                } else if p.amount == 0 {
                    prop_assert_eq!(result, code(StakingError::NothingStaked));
                } else if now < p.lockup_end {
                    prop_assert_eq!(result, code(StakingError::StillLocked));
                } else {
                    prop_assert_eq!(result, None);
                    let after = s.position(&position).await;
                    prop_assert_eq!((after.amount, after.unbonding), (0, p.amount));
                    prop_assert_eq!(after.weight, 0);
                    prop_assert_eq!(after.pending, pending);
                    prop_assert_eq!(after.unbonding_ends_at, now + 7 * DAY);
                }
            }
            Step::Withdraw { pick } => {
                let Some((holder, index)) = choose(&s, &holders, pick, |p, now| {
                    p.unbonding > 0 && now >= p.unbonding_ends_at
                })
                .await
                else {
                    continue;
                };
                let h = &mut holders[holder];
                let position = h.positions[index];
                let p = s.position(&position).await;
                let pending = s.pending(&position).await;
                let before = s.balance(&h.tokens).await;
                let now = s.now().await;
                let result = outcome(s.try_withdraw(&h.wallet, &position, &h.tokens).await)?;
                if p.unbonding == 0 {
                    prop_assert_eq!(result, code(StakingError::NotUnbonding));
                } else if now < p.unbonding_ends_at {
                    prop_assert_eq!(result, code(StakingError::CooldownActive));
                } else {
                    prop_assert_eq!(result, None);
                    prop_assert_eq!(s.balance(&h.tokens).await - before, p.unbonding + pending);
                    prop_assert!(!s.env.exists(&position).await);
                    h.positions.remove(index);
                    books.withdrawn += p.unbonding;
                    books.paid += pending;
                }
            }
            Step::Slash { holder, per_mille } => {
                let h = &holders[holder];
                let bond = s.bond_address(&h.wallet.pubkey());
                if !h.positions.contains(&bond) {
                    continue;
                }
                let b = s.position(&bond).await;
                let amount = (b.amount + b.unbonding) * per_mille / 1_000;
                let pending = s.pending(&bond).await;
                let result = outcome(s.try_slash(&h.wallet.pubkey(), amount).await)?;
                if amount == 0 {
                    prop_assert_eq!(result, code(StakingError::ZeroAmount));
                } else if amount > b.amount + b.unbonding {
                    prop_assert_eq!(result, code(StakingError::SlashTooLarge));
                } else {
                    prop_assert_eq!(result, None);
                    let after = s.position(&bond).await;
                    let from_active = amount.min(b.amount);
                    prop_assert_eq!(after.amount, b.amount - from_active);
                    prop_assert_eq!(after.unbonding, b.unbonding - (amount - from_active));
                    // A slash takes principal, never earned rewards.
                    prop_assert_eq!(after.pending, pending);
                    books.slashed += amount;
                }
            }
        }
        books.steps += 1;
        check(&s, &holders, &books).await?;
    }
    Ok(())
}

/// An open position `(holder, index)`: three times in four one where
/// `likely` holds (if any), else any (so failures are exercised too).
async fn choose(
    s: &Staking,
    holders: &[Holder],
    pick: usize,
    likely: impl Fn(&Position, i64) -> bool,
) -> Option<(usize, usize)> {
    let now = s.now().await;
    let mut all = Vec::new();
    let mut preferred = Vec::new();
    for (holder, h) in holders.iter().enumerate() {
        for (index, position) in h.positions.iter().enumerate() {
            all.push((holder, index));
            if likely(&s.position(position).await, now) {
                preferred.push((holder, index));
            }
        }
    }
    let from = if !pick.is_multiple_of(4) && !preferred.is_empty() {
        preferred
    } else {
        all
    };
    (!from.is_empty()).then(|| from[pick % from.len()])
}

/// The books after a step.
async fn check(s: &Staking, holders: &[Holder], books: &Books) -> Result<(), TestCaseError> {
    let pool = s.state().await;
    let [stake_vault, reward_vault, treasury] = s.vaults().await;

    // Rewards: the vault holds what was funded and not yet paid.
    prop_assert_eq!(pool.total_rewards_funded, books.funded);
    prop_assert_eq!(pool.total_rewards_paid, books.paid);
    prop_assert_eq!(reward_vault, books.funded - books.paid);

    // Principal: vault == total_staked == Σ (amount + unbonding); staked
    // in = withdrawn + slashed + still held.
    let mut held = 0u64;
    let mut weight = 0u128;
    let mut pending = 0u64;
    let mut net_out = 0i128;
    for h in holders {
        for position in &h.positions {
            let p = s.position(position).await;
            held += p.amount + p.unbonding;
            weight += p.weight;
            pending += s.pending(position).await;
        }
        net_out += i128::from(HOLDER_TOKENS) - i128::from(s.balance(&h.tokens).await);
    }
    prop_assert_eq!(stake_vault, pool.total_staked);
    prop_assert_eq!(pool.total_staked, held);
    prop_assert_eq!(pool.total_weight, weight);
    prop_assert_eq!(books.staked_in - books.withdrawn - books.slashed, held);
    prop_assert_eq!(treasury, books.slashed);
    prop_assert_eq!(pool.total_slashed, books.slashed);
    // Holders' tokens: what they put in minus what came back.
    prop_assert_eq!(
        net_out,
        i128::from(books.staked_in - books.withdrawn) - i128::from(books.paid)
    );

    // Never more owed or paid than funded; what is neither is still
    // streaming or undistributed (as of now: the program's accrual on a
    // copy, as the pending views use), or less than a token per position
    // and settlement.
    prop_assert!(pending + books.paid <= books.funded);
    let mut now_pool = pool.clone();
    now_pool
        .accrue(s.now().await)
        .map_err(|e| TestCaseError::fail(format!("accrue: {e}")))?;
    let accounted = pending + books.paid + now_pool.stream_remaining + now_pool.undistributed;
    prop_assert!(
        accounted <= books.funded,
        "{} > {}",
        accounted,
        books.funded
    );
    let residue = books.funded - accounted;
    prop_assert!(
        residue <= 1 + books.opened * (2 * books.steps + 1),
        "residue {} after {} steps",
        residue,
        books.steps
    );
    Ok(())
}

#[test]
fn random_staking_keeps_the_books_balanced() {
    run_bank_property(8, &prop::collection::vec(step(), 10..40), run);
}
