//! Property tests of the pool's rules over random sequences of stakes with
//! lockups, lock extensions, bonds, fundings, time, claims, unstakes,
//! withdrawals and slashes, with no upkeep call at all: the pool only
//! does anything when a holder acts, and is checked after every step
//! against an exact model in which a lock's boost stops counting at the
//! lock's (rounded-up) midnight and rewards only stream while something is
//! staked.

use anchor_lang::prelude::Pubkey;
use depin_accrual::{ExpiryBucket, Stream, SCALE};
use proptest::prelude::*;

use super::*;

/// Holders 0..3 stake (one position each); holder 3 is an operator bond.
const HOLDERS: usize = 4;
const BOND: usize = 3;

#[derive(Debug, Clone)]
enum Step {
    Stake {
        holder: usize,
        amount: u32,
        lockup_hours: u16,
    },
    Extend {
        holder: usize,
        lockup_hours: u16,
    },
    Bond {
        amount: u32,
    },
    Fund {
        amount: u32,
        days: u8,
    },
    Wait {
        hours: u16,
    },
    Claim {
        holder: usize,
    },
    Unstake {
        holder: usize,
    },
    Withdraw {
        holder: usize,
    },
    Slash {
        amount: u32,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let lockup_hours = prop_oneof![Just(0u16), 1u16..=720];
    prop_oneof![
        2 => (0..BOND, 1u32..1_000_000, lockup_hours.clone()).prop_map(|(holder, amount, lockup_hours)| {
            Step::Stake { holder, amount, lockup_hours }
        }),
        1 => (0..BOND, lockup_hours).prop_map(|(holder, lockup_hours)| Step::Extend { holder, lockup_hours }),
        1 => (1u32..1_000_000).prop_map(|amount| Step::Bond { amount }),
        2 => (1u32..10_000_000, 1u8..30).prop_map(|(amount, days)| Step::Fund { amount, days }),
        3 => (1u16..1_000).prop_map(|hours| Step::Wait { hours }),
        2 => (0..HOLDERS).prop_map(|holder| Step::Claim { holder }),
        1 => (0..HOLDERS).prop_map(|holder| Step::Unstake { holder }),
        1 => (0..HOLDERS).prop_map(|holder| Step::Withdraw { holder }),
        1 => (0u32..2_000_000).prop_map(|amount| Step::Slash { amount }),
    ]
}

fn params() -> PoolParams {
    PoolParams {
        max_lockup_secs: 30 * DAY,
        max_multiplier_bps: 3 * BPS,
        cooldown_secs: 2 * DAY,
    }
}

/// The weight rule, written out here: 1x plus up to 2x more, linear in the
/// lockup up to 30 days, in whole basis points.
fn model_weight(amount: u64, lockup_secs: i64) -> u128 {
    let bps = 10_000 + 20_000 * lockup_secs as u128 / (30 * DAY) as u128;
    u128::from(amount) * bps / 10_000
}

/// The lock end rule: the next UTC midnight at or after `now + lockup`.
fn model_lock_end(now: i64, lockup_secs: i64) -> i64 {
    if lockup_secs == 0 {
        now
    } else {
        (now + lockup_secs + DAY - 1) / DAY * DAY
    }
}

#[derive(Default)]
struct Model {
    /// Earning principal and the boost it carries until `boost_end`.
    base: u128,
    boost: u128,
    boost_end: i64,
    /// Σ floor(released × SCALE × w / W) per stretch of constant weights.
    share: u128,
    settlements: u128,
    paid: u128,
}

impl Model {
    fn weight(&self, at: i64) -> u128 {
        self.base + if at < self.boost_end { self.boost } else { 0 }
    }
}

struct World {
    now: i64,
    pool: StakePool,
    /// Every lock-end bucket ever created, all passed to every step (as a
    /// client passes the due ones and a position's own).
    buckets: Vec<(i64, ExpiryBucket)>,
    positions: Vec<Option<Position>>,
    models: Vec<Model>,
    stream: Stream,
    model_time: i64,
    funded: u64,
    staked_in: u64,
    withdrawn: u64,
    slashed: u64,
    /// Whether the pool was last brought to `now` (not after a wait).
    pool_at_now: bool,
}

impl World {
    fn new(now: i64) -> World {
        let pool = StakePool::new(
            Pubkey::default(),
            Pubkey::default(),
            Pubkey::default(),
            Pubkey::default(),
            Pubkey::default(),
            [0; 3],
            &params(),
            now,
        );
        World {
            now,
            stream: pool.streamed().stream,
            pool,
            buckets: Vec::new(),
            positions: (0..HOLDERS).map(|_| None).collect(),
            models: (0..HOLDERS).map(|_| Model::default()).collect(),
            model_time: now,
            funded: 0,
            staked_in: 0,
            withdrawn: 0,
            slashed: 0,
            pool_at_now: true,
        }
    }

    fn model_to_now(&mut self) {
        let mut ends: Vec<i64> = self
            .models
            .iter()
            .filter(|m| m.boost > 0 && m.boost_end > self.model_time && m.boost_end <= self.now)
            .map(|m| m.boost_end)
            .collect();
        ends.sort();
        ends.dedup();
        ends.push(self.now);
        for until in ends {
            let at = self.model_time;
            let total: u128 = self.models.iter().map(|m| m.weight(at)).sum();
            if total == 0 {
                self.stream.idle(until);
            } else {
                let released = u128::from(self.stream.release(until).unwrap());
                for m in &mut self.models {
                    m.share += (released * SCALE * m.weight(at))
                        .checked_div(total)
                        .unwrap();
                }
            }
            self.model_time = until;
        }
    }

    /// A lock-end bucket for the day of `lock_end` exists (the program
    /// creates it on first use).
    fn open_bucket(&mut self, lock_end: i64) {
        let day = depin_accrual::day_of(lock_end);
        if !self.buckets.iter().any(|(d, _)| *d == day) {
            self.buckets.push((day, ExpiryBucket::default()));
        }
    }

    /// What every instruction does first: the pool to now, then (for a
    /// position) its settlement.
    fn touch(&mut self, holder: Option<usize>) {
        self.model_to_now();
        self.pool
            .accrue(self.now, self.buckets.as_mut_slice())
            .unwrap();
        self.pool_at_now = true;
        if let Some(i) = holder {
            if let Some(p) = self.positions[i].as_mut() {
                self.pool.settle(p, self.buckets.as_mut_slice()).unwrap();
                self.models[i].settlements += 1;
            }
        }
    }

    fn apply(&mut self, step: &Step) {
        let now = self.now;
        match *step {
            Step::Stake {
                holder,
                amount,
                lockup_hours,
            } => {
                if self.positions[holder].is_some() {
                    return;
                }
                let (amount, lockup) = (u64::from(amount), i64::from(lockup_hours) * 3_600);
                self.touch(None);
                let end = params().lock_end(now, lockup).unwrap();
                assert_eq!(end, model_lock_end(now, lockup));
                self.open_bucket(end);
                let mut p = Position::open(
                    Pubkey::default(),
                    Pubkey::default(),
                    PositionKind::Stake,
                    0,
                    0,
                    lockup,
                    end,
                    now,
                );
                self.pool
                    .add_stake(&mut p, amount, now, self.buckets.as_mut_slice())
                    .unwrap();
                let model = &mut self.models[holder];
                model.base = u128::from(amount);
                model.boost = model_weight(amount, lockup) - u128::from(amount);
                model.boost_end = end;
                model.settlements += 1;
                self.positions[holder] = Some(p);
                self.staked_in += amount;
            }
            Step::Extend {
                holder,
                lockup_hours,
            } => {
                let lockup = i64::from(lockup_hours) * 3_600;
                let end = model_lock_end(now, lockup);
                let Some(p) = &self.positions[holder] else {
                    return;
                };
                if p.amount == 0 || end < p.lockup_end {
                    return;
                }
                self.touch(Some(holder));
                self.open_bucket(end);
                let p = self.positions[holder].as_mut().unwrap();
                self.pool
                    .relock(p, lockup, now, self.buckets.as_mut_slice())
                    .unwrap();
                assert_eq!(p.lockup_end, end);
                let model = &mut self.models[holder];
                model.boost = model_weight(p.amount, lockup) - u128::from(p.amount);
                model.boost_end = end;
            }
            Step::Bond { amount } => {
                if self.positions[BOND]
                    .as_ref()
                    .is_some_and(|b| b.unbonding > 0)
                {
                    return;
                }
                self.touch(Some(BOND));
                let amount = u64::from(amount);
                let bond = self.positions[BOND].get_or_insert_with(|| {
                    Position::open(
                        Pubkey::default(),
                        Pubkey::default(),
                        PositionKind::OperatorBond,
                        0,
                        0,
                        0,
                        now,
                        now,
                    )
                });
                self.pool
                    .add_stake(bond, amount, now, self.buckets.as_mut_slice())
                    .unwrap();
                self.models[BOND].base += u128::from(amount);
                self.staked_in += amount;
            }
            Step::Fund { amount, days } => {
                self.touch(None);
                let (amount, duration) = (u64::from(amount), i64::from(days) * DAY);
                self.pool.fund(amount, duration, now).unwrap();
                self.stream.fund(amount, duration, now).unwrap();
                self.funded += amount;
            }
            Step::Wait { hours } => {
                // Nobody calls anything; only the model follows the clock.
                self.now += i64::from(hours) * 3_600;
                self.model_to_now();
                self.pool_at_now = false;
            }
            Step::Claim { holder } => {
                if self.positions[holder].is_none() {
                    return;
                }
                self.touch(Some(holder));
                let p = self.positions[holder].as_mut().unwrap();
                let paid = self.pool.take_rewards(p).unwrap();
                assert_eq!(self.pool.take_rewards(p).unwrap(), 0, "paid twice");
                self.models[holder].paid += u128::from(paid);
            }
            Step::Unstake { holder } => {
                let Some(p) = &self.positions[holder] else {
                    return;
                };
                if p.amount == 0 || p.unbonding > 0 || p.is_locked(now) {
                    return;
                }
                self.touch(Some(holder));
                let p = self.positions[holder].as_mut().unwrap();
                // Unlocked: the boost has ended by itself before this.
                assert_eq!(p.boost, 0);
                self.pool
                    .start_unstake(p, now, self.buckets.as_mut_slice())
                    .unwrap();
                assert_eq!(p.weight, 0);
                self.models[holder].base = 0;
                self.models[holder].boost = 0;
            }
            Step::Withdraw { holder } => {
                let Some(p) = &self.positions[holder] else {
                    return;
                };
                if p.unbonding == 0 || now < p.unbonding_ends_at {
                    return;
                }
                self.touch(Some(holder));
                let mut p = self.positions[holder].take().unwrap();
                self.models[holder].paid += u128::from(self.pool.take_rewards(&mut p).unwrap());
                self.withdrawn += self.pool.finish_withdraw(&mut p).unwrap();
            }
            Step::Slash { amount } => {
                if self.positions[BOND].is_none() {
                    return;
                }
                self.touch(Some(BOND));
                let amount = u64::from(amount);
                let bond = self.positions[BOND].as_mut().unwrap();
                match self
                    .pool
                    .slash(bond, amount, now, self.buckets.as_mut_slice())
                {
                    Ok(()) => {
                        self.slashed += amount;
                        self.models[BOND].base = u128::from(bond.amount);
                    }
                    Err(e) => {
                        assert_eq!(e, crate::errors::StakingError::SlashTooLarge.into());
                        assert!(amount > bond.amount + bond.unbonding);
                    }
                }
            }
        }
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let pool = &self.pool;
        // Views work on copies, the buckets as they are stored.
        let mut view_pool = pool.clone();
        view_pool
            .accrue(self.now, self.buckets.clone().as_mut_slice())
            .unwrap();
        if self.pool_at_now {
            prop_assert_eq!(pool.streamed().stream, self.stream);
        }
        // Weights: the total is the models' weights now; the boosts still
        // running are exactly the scheduled ones.
        let total: u128 = self.models.iter().map(|m| m.weight(self.now)).sum();
        prop_assert_eq!(view_pool.total_weight, total);
        let running: u128 = self
            .models
            .iter()
            .filter(|m| self.now < m.boost_end)
            .map(|m| m.boost)
            .sum();
        prop_assert_eq!(view_pool.boost_weight, running);
        for (p, m) in self.positions.iter().zip(&self.models) {
            if let Some(p) = p {
                prop_assert_eq!(view_pool.effective_weight(p, self.now), m.weight(self.now));
            }
        }

        // Payouts against the exact model, per holder; never more paid and
        // owed than funded.
        let mut owed_total = 0u128;
        let mut paid_total = 0u128;
        for (p, m) in self.positions.iter().zip(&self.models) {
            let owed = match p {
                Some(p) => u128::from(
                    pool.pending_rewards(p, self.now, self.buckets.clone().as_mut_slice())
                        .unwrap(),
                ),
                None => 0,
            };
            let paid = m.paid + owed;
            prop_assert!(
                paid * SCALE <= m.share + SCALE,
                "paid {} exact {}",
                paid,
                m.share / SCALE
            );
            prop_assert!(
                m.share <= (paid + m.settlements + 2) * SCALE,
                "paid {} exact {} settlements {}",
                paid,
                m.share / SCALE,
                m.settlements
            );
            owed_total += owed;
            paid_total += m.paid;
        }
        prop_assert!(paid_total + owed_total <= u128::from(self.funded));
        prop_assert_eq!(paid_total, u128::from(pool.total_rewards_paid));

        // Principal: staked in = withdrawn + slashed + still held.
        let held: u64 = self
            .positions
            .iter()
            .flatten()
            .map(|p| p.amount + p.unbonding)
            .sum();
        prop_assert_eq!(self.staked_in, self.withdrawn + self.slashed + held);
        prop_assert_eq!(pool.total_staked, held);
        Ok(())
    }
}

proptest! {
    /// With nobody calling anything between the holders' own steps: every
    /// payout matches the exact model, nothing is paid twice, the books
    /// balance, locked stake never leaves early.
    #[test]
    fn boosts_end_on_time_and_books_balance(
        offset in 0i64..DAY,
        steps in prop::collection::vec(step(), 1..80),
    ) {
        let mut world = World::new(1_700_000_000 + offset);
        for step in steps {
            world.apply(&step);
            world.check()?;
        }
    }
}

#[test]
fn multiplier_is_linear_and_capped() {
    let p = params();
    assert_eq!(p.multiplier_bps(0).unwrap(), BPS);
    assert_eq!(p.multiplier_bps(15 * DAY).unwrap(), 2 * BPS);
    assert_eq!(p.multiplier_bps(30 * DAY).unwrap(), 3 * BPS);
    assert!(p.multiplier_bps(30 * DAY + 1).is_err());
    assert!(p.multiplier_bps(-1).is_err());
    assert_eq!(p.weight(1_000, 30 * DAY).unwrap(), 3_000);
    assert_eq!(p.boost(1_000, 30 * DAY).unwrap(), 2_000);
    assert_eq!(p.boost(1_000, 0).unwrap(), 0);
    assert_eq!(
        p.weight(u64::MAX, 30 * DAY).unwrap(),
        u128::from(u64::MAX) * 3
    );
}

#[test]
fn locks_end_at_the_next_midnight() {
    let p = params();
    let midnight = 19_000 * DAY;
    assert_eq!(p.lock_end(midnight + 5, 0).unwrap(), midnight + 5);
    assert_eq!(p.lock_end(midnight, DAY).unwrap(), midnight + DAY);
    assert_eq!(p.lock_end(midnight + 1, DAY).unwrap(), midnight + 2 * DAY);
    assert_eq!(p.lock_end(midnight + 1, 1).unwrap(), midnight + DAY);
    assert_eq!(p.lock_end(midnight - 1, 1).unwrap(), midnight);
    assert!(p.lock_end(i64::MAX - 5, 30 * DAY).is_err());
}

#[test]
fn params_are_bounded() {
    assert!(params().validate().is_ok());
    let bad = [
        PoolParams {
            max_lockup_secs: DAY - 1,
            ..params()
        },
        PoolParams {
            max_lockup_secs: 4 * 365 * DAY + 1,
            ..params()
        },
        PoolParams {
            max_multiplier_bps: BPS - 1,
            ..params()
        },
        PoolParams {
            max_multiplier_bps: 10 * BPS + 1,
            ..params()
        },
        PoolParams {
            cooldown_secs: -1,
            ..params()
        },
    ];
    for p in bad {
        assert!(p.validate().is_err(), "{p:?}");
    }
}

#[test]
fn a_lone_staker_earns_the_whole_stream() {
    let now = 1_000;
    let none: &mut [(i64, ExpiryBucket)] = &mut [];
    let mut pool = StakePool::new(
        Pubkey::default(),
        Pubkey::default(),
        Pubkey::default(),
        Pubkey::default(),
        Pubkey::default(),
        [0; 3],
        &params(),
        now,
    );
    let mut p = Position::open(
        Pubkey::default(),
        Pubkey::default(),
        PositionKind::Stake,
        0,
        0,
        0,
        now,
        now,
    );
    pool.add_stake(&mut p, 500, now, none).unwrap();
    pool.fund(1_000, 100, now).unwrap();
    assert_eq!(pool.pending_rewards(&p, now + 50, none).unwrap(), 500);
    assert_eq!(pool.pending_rewards(&p, now + 1_000, none).unwrap(), 1_000);
    pool.accrue(now + 1_000, none).unwrap();
    assert_eq!(pool.take_rewards(&mut p).unwrap(), 1_000);
}

#[test]
fn operations_on_an_unsettled_ended_boost_are_refused() {
    let now = 19_000 * DAY;
    let mut buckets = vec![(19_001, ExpiryBucket::default())];
    let mut pool = StakePool::new(
        Pubkey::default(),
        Pubkey::default(),
        Pubkey::default(),
        Pubkey::default(),
        Pubkey::default(),
        [0; 3],
        &params(),
        now,
    );
    let mut p = Position::open(
        Pubkey::default(),
        Pubkey::default(),
        PositionKind::Stake,
        0,
        0,
        DAY,
        now + DAY,
        now,
    );
    pool.add_stake(&mut p, 500, now, buckets.as_mut_slice())
        .unwrap();
    assert_eq!((p.weight, p.boost), (500 + 33, 33));
    pool.accrue(now + 2 * DAY, buckets.as_mut_slice()).unwrap();
    // Skipping the settlement would credit the boost past its end.
    let before = p.clone();
    assert!(pool.take_rewards(&mut p).is_err());
    assert!(pool
        .start_unstake(&mut p, now + 2 * DAY, buckets.as_mut_slice())
        .is_err());
    assert_eq!(
        (p.weight, p.boost, p.pending),
        (before.weight, before.boost, before.pending)
    );
    assert!(pool.settle(&mut p, buckets.as_mut_slice()).unwrap());
    assert_eq!((p.weight, p.boost), (500, 0));
    pool.start_unstake(&mut p, now + 2 * DAY, buckets.as_mut_slice())
        .unwrap();
    assert_eq!((pool.total_weight, pool.boost_weight), (0, 0));
}
