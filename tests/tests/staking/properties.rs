//! Property test on a real bank: random sequences of stakes with lockups,
//! lock extensions, bonds, fundings, time, claims, unstakes, withdrawals and
//! slashes by four holders, with **no upkeep call at all** (nobody ever
//! applies a lock end on its own: only the holders' own instructions run,
//! with the buckets the client adds). Every outcome is predicted from the
//! accounts before the step; after every step the books balance and every
//! position's payouts match an exact model in which a lock's boost stops
//! counting at the lock's midnight and rewards only stream while something
//! is staked.

use std::collections::HashMap;

use depin_client::{ClientError, Keypair, Pubkey, Sent, Signer};
use depin_staking::depin_accrual::{ExpiryBucket, Stream, SCALE};
use depin_staking::errors::StakingError;
use depin_staking::state::Position;
use depin_tests::run_bank_property;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::fixture::{boost, lock_end, Staking};

const HOLDERS: usize = 4;
const HOLDER_TOKENS: u64 = 100_000_000;
const DAY: i64 = 86_400;

#[derive(Debug, Clone)]
enum Step {
    Stake {
        holder: usize,
        amount: u64,
        lockup_hours: u16,
    },
    /// Re-locks a position for `lockup_hours` from now (mostly one where
    /// that ends no earlier than its lock, see [`choose`]).
    Extend {
        pick: usize,
        lockup_hours: u16,
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
    let lockup_hours = prop_oneof![Just(0u16), 1u16..=24 * 40];
    prop_oneof![
        3 => (holder.clone(), 1u64..1_000_000, lockup_hours.clone()).prop_map(|(holder, amount, lockup_hours)| {
            Step::Stake { holder, amount, lockup_hours }
        }),
        1 => (0usize..1_000, lockup_hours).prop_map(|(pick, lockup_hours)| Step::Extend { pick, lockup_hours }),
        2 => (holder.clone(), 1u64..1_000_000).prop_map(|(holder, amount)| Step::Bond { holder, amount }),
        3 => (1u64..10_000_000, 1u8..30).prop_map(|(amount, days)| Step::Fund { amount, days }),
        3 => (1u16..1_000).prop_map(|hours| Step::Wait { hours }),
        3 => (0usize..1_000).prop_map(|pick| Step::Claim { pick }),
        2 => (0usize..1_000).prop_map(|pick| Step::Unstake { pick }),
        2 => (0usize..1_000).prop_map(|pick| Step::Withdraw { pick }),
        1 => (holder, 0u64..1_100).prop_map(|(holder, per_mille)| Step::Slash { holder, per_mille }),
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

/// A position as the exact model sees it.
#[derive(Default)]
struct Modeled {
    /// Earning principal, and the boost it carries until `boost_end`.
    base: u128,
    boost: u128,
    boost_end: i64,
    /// Σ floor(released × SCALE × w / W) per stretch of constant weights.
    share: u128,
    /// Paid out so far (claims and a withdrawal's rewards).
    paid: u128,
    /// Successful instructions on it (each may floor less than a token away).
    settlements: u128,
}

impl Modeled {
    fn weight(&self, at: i64) -> u128 {
        self.base + if at < self.boost_end { self.boost } else { 0 }
    }
}

/// The model: positions (closed ones too) and a stream run by its weights.
struct Model {
    positions: HashMap<Pubkey, Modeled>,
    stream: Stream,
    time: i64,
}

impl Model {
    /// To `now`: split at every boost end in between; each stretch released
    /// at the weights of that stretch, or idle if there are none.
    fn to(&mut self, now: i64) {
        let mut ends: Vec<i64> = self
            .positions
            .values()
            .filter(|m| m.boost > 0 && m.boost_end > self.time && m.boost_end <= now)
            .map(|m| m.boost_end)
            .collect();
        ends.sort();
        ends.dedup();
        ends.push(now);
        for until in ends {
            let at = self.time;
            let total: u128 = self.positions.values().map(|m| m.weight(at)).sum();
            if total == 0 {
                self.stream.idle(until);
            } else {
                let released = u128::from(self.stream.release(until).unwrap());
                for m in self.positions.values_mut() {
                    m.share += (released * SCALE * m.weight(at))
                        .checked_div(total)
                        .unwrap();
                }
            }
            self.time = until;
        }
    }

    fn touched(&mut self, position: &Pubkey) -> &mut Modeled {
        let m = self.positions.entry(*position).or_default();
        m.settlements += 1;
        m
    }
}

#[derive(Default)]
struct Books {
    funded: u64,
    paid: u64,
    staked_in: u64,
    withdrawn: u64,
    slashed: u64,
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
    let pool = s.state().await;
    let mut model = Model {
        positions: HashMap::new(),
        stream: pool.streamed().stream,
        time: s.now().await,
    };

    for step in steps {
        // Every instruction accrues the pool to now; the model follows.
        let now = s.now().await;
        model.to(now);
        match step {
            Step::Stake {
                holder,
                amount,
                lockup_hours,
            } => {
                let h = &mut holders[holder];
                let lockup = i64::from(lockup_hours) * 3_600;
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
                prop_assert_eq!(p.lockup_end, lock_end(now, lockup));
                let m = model.touched(&address);
                (m.base, m.boost, m.boost_end) =
                    (amount.into(), boost(amount, lockup), p.lockup_end);
                books.staked_in += amount;
            }
            Step::Extend { pick, lockup_hours } => {
                let lockup = i64::from(lockup_hours) * 3_600;
                let end = lock_end(now, lockup);
                let Some((holder, index)) = choose(&s, &holders, pick, |p, _| {
                    p.amount > 0 && p.unbonding == 0 && end >= p.lockup_end
                })
                .await
                else {
                    continue;
                };
                let h = &holders[holder];
                let position = h.positions[index];
                let p = s.position(&position).await;
                let pending = s.pending(&position).await;
                let result = outcome(s.try_extend(&h.wallet, &position, lockup).await)?;
                if p.kind == depin_staking::state::PositionKind::OperatorBond {
                    prop_assert_eq!(result, code(StakingError::BondHasNoLockup));
                } else if p.amount == 0 {
                    prop_assert_eq!(result, code(StakingError::NothingStaked));
                } else if end < p.lockup_end {
                    prop_assert_eq!(result, code(StakingError::LockupNotExtended));
                } else {
                    prop_assert_eq!(result, None);
                    let after = s.position(&position).await;
                    prop_assert_eq!(after.lockup_end, end);
                    prop_assert_eq!(after.weight, crate::fixture::weight(p.amount, lockup));
                    prop_assert_eq!(after.pending, pending);
                    let m = model.touched(&position);
                    (m.boost, m.boost_end) = (boost(p.amount, lockup), end);
                }
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
                        }
                        model.touched(&address).base = (held + amount).into();
                        books.staked_in += amount;
                    }
                }
            }
            Step::Fund { amount, days } => {
                s.fund(amount, i64::from(days) * DAY).await;
                model
                    .stream
                    .fund(amount, i64::from(days) * DAY, now)
                    .unwrap();
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
                    model.touched(&position).paid += u128::from(pending);
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
                    prop_assert_eq!((after.weight, after.boost), (0, 0));
                    prop_assert_eq!(after.pending, pending);
                    prop_assert_eq!(after.unbonding_ends_at, now + 7 * DAY);
                    let m = model.touched(&position);
                    (m.base, m.boost) = (0, 0);
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
                    model.touched(&position).paid += u128::from(pending);
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
                    model.touched(&bond).base = after.amount.into();
                }
            }
        }
        check(&s, &holders, &books, &mut model).await?;
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

/// The books after a step, and every payout against the model.
async fn check(
    s: &Staking,
    holders: &[Holder],
    books: &Books,
    model: &mut Model,
) -> Result<(), TestCaseError> {
    let pool = s.state().await;
    let now = s.now().await;
    model.to(now);
    let [stake_vault, reward_vault, treasury] = s.vaults().await;

    // Rewards: the vault holds what was funded and not yet paid.
    prop_assert_eq!(pool.total_rewards_funded, books.funded);
    prop_assert_eq!(pool.total_rewards_paid, books.paid);
    prop_assert_eq!(reward_vault, books.funded - books.paid);

    // Principal: vault == total_staked == Σ (amount + unbonding); staked
    // in = withdrawn + slashed + still held.
    let mut held = 0u64;
    let mut pending = 0u64;
    let mut net_out = 0i128;
    for h in holders {
        for position in &h.positions {
            let p = s.position(position).await;
            held += p.amount + p.unbonding;
            pending += s.pending(position).await;
        }
        net_out += i128::from(HOLDER_TOKENS) - i128::from(s.balance(&h.tokens).await);
    }
    prop_assert_eq!(stake_vault, pool.total_staked);
    prop_assert_eq!(pool.total_staked, held);
    prop_assert_eq!(books.staked_in - books.withdrawn - books.slashed, held);
    prop_assert_eq!(treasury, books.slashed);
    prop_assert_eq!(pool.total_slashed, books.slashed);
    prop_assert_eq!(
        net_out,
        i128::from(books.staked_in - books.withdrawn) - i128::from(books.paid)
    );
    prop_assert!(pending + books.paid <= books.funded);

    // The pool brought to now (on a copy, with the due buckets as stored):
    // its stream ran exactly while the model had weight, its weights are
    // the model's (boosts gone at their midnights, nobody having called
    // anything), and it knows of exactly the boosts still running.
    let mut now_pool = pool.clone();
    let mut due: Vec<(i64, ExpiryBucket)> = Vec::new();
    for day in pool.boost_end_days_due(now) {
        let bucket = s
            .boost_end(day)
            .await
            .expect("a pending day has its bucket");
        prop_assert!(!bucket.applied);
        due.push((day, bucket.bucket()));
    }
    now_pool
        .accrue(now, due.as_mut_slice())
        .map_err(|e| TestCaseError::fail(format!("accrue: {e}")))?;
    prop_assert_eq!(now_pool.streamed().stream, model.stream);
    let model_weight: u128 = model.positions.values().map(|m| m.weight(now)).sum();
    prop_assert_eq!(now_pool.total_weight, model_weight);
    let running: u128 = model
        .positions
        .values()
        .filter(|m| now < m.boost_end)
        .map(|m| m.boost)
        .sum();
    prop_assert_eq!(now_pool.boost_weight, running);
    for h in holders {
        for position in &h.positions {
            let m = &model.positions[position];
            prop_assert_eq!(s.effective_weight(position).await, m.weight(now));
        }
    }

    // Per position: what it was paid and can claim now is its exact share,
    // at most one token more (dust carried from others) and at most one
    // token less per settlement (plus the view's floor and one).
    for h in holders {
        for position in &h.positions {
            let m = &model.positions[position];
            let paid = m.paid + u128::from(s.pending(position).await);
            prop_assert!(
                paid * SCALE <= m.share + SCALE,
                "paid {} > exact {}",
                paid,
                m.share / SCALE
            );
            prop_assert!(
                m.share <= (paid + m.settlements + 2) * SCALE,
                "paid {} < exact {} ({} settlements)",
                paid,
                m.share / SCALE,
                m.settlements
            );
        }
    }
    for m in model.positions.values() {
        prop_assert!(m.paid * SCALE <= m.share + SCALE);
    }
    Ok(())
}

#[test]
fn random_staking_without_upkeep_pays_exactly_the_model() {
    run_bank_property(8, &prop::collection::vec(step(), 10..40), run);
}
