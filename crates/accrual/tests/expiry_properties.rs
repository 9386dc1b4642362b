//! Property tests of [`StreamedPool`]: random joins with expiring weight
//! (lock boosts), lock changes, leaves, fundings, time and claims by five
//! holders, with **no upkeep call ever**: the pool only does anything when a
//! holder acts. After every step it is checked against an independent exact
//! model in which each holder's boost simply stops counting at the midnight
//! after its lock end and the stream only runs while some weight exists.

use std::collections::BTreeMap;

use depin_accrual::{day_start, end_day, ExpiryBucket, Position, Stream, StreamedPool, DAY, SCALE};
use proptest::prelude::*;

const HOLDERS: usize = 5;

#[derive(Debug, Clone)]
enum Op {
    /// A holder without weight joins with `base` weight plus `boost` that
    /// ends with a lock of `lock` seconds (rounded up to midnight).
    Join {
        holder: usize,
        base: u128,
        boost: u128,
        lock: i64,
    },
    /// Re-locks: the boost becomes `boost`, ending `lock` seconds from now
    /// (rounded up); an old boost still running is taken back first.
    Relock {
        holder: usize,
        boost: u128,
        lock: i64,
    },
    Leave {
        holder: usize,
    },
    Fund {
        amount: u64,
        duration: i64,
    },
    Wait {
        dt: i64,
    },
    Claim {
        holder: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let holder = 0..HOLDERS;
    let lock = prop_oneof![1i64..=DAY, 1i64..=20 * DAY];
    prop_oneof![
        3 => (holder.clone(), 1u128..=1000, prop_oneof![Just(0u128), 1u128..=2000], lock.clone())
            .prop_map(|(holder, base, boost, lock)| Op::Join { holder, base, boost, lock }),
        1 => (holder.clone(), 0u128..=2000, lock)
            .prop_map(|(holder, boost, lock)| Op::Relock { holder, boost, lock }),
        1 => holder.clone().prop_map(|holder| Op::Leave { holder }),
        2 => (0u64..=100_000_000, prop_oneof![1i64..=1000, 1i64..=30 * DAY])
            .prop_map(|(amount, duration)| Op::Fund { amount, duration }),
        4 => prop_oneof![0i64..=3_600, 0i64..=4 * DAY].prop_map(|dt| Op::Wait { dt }),
        3 => holder.prop_map(|holder| Op::Claim { holder }),
    ]
}

#[derive(Debug, Default, Clone)]
struct Holder {
    // Implementation side.
    position: Position,
    /// The position's expiring weight and its day, as a program keeps them.
    boost: u128,
    day: i64,
    claimed: u128,
    // Model side, exact.
    base: u128,
    model_boost: u128,
    /// When the model's boost stops counting (a midnight).
    boost_end: i64,
    /// Σ floor(released_k × SCALE × w_k / W_k): the holder's exact share.
    share: u128,
    /// Settlements (each may floor away less than one token).
    settlements: u128,
}

impl Holder {
    fn model_weight(&self, at: i64) -> u128 {
        self.base
            + if at < self.boost_end {
                self.model_boost
            } else {
                0
            }
    }
}

struct World {
    pool: StreamedPool,
    /// Every bucket ever created (all are "passed" to every operation).
    buckets: Vec<(i64, ExpiryBucket)>,
    holders: [Holder; HOLDERS],
    now: i64,
    factor: u128,
    // Model.
    stream: Stream,
    model_time: i64,
    funded: u128,
    /// Whether the pool was last brought to `now` (not after a wait).
    pool_at_now: bool,
}

impl World {
    fn new(start: i64, factor: u128) -> Self {
        World {
            pool: StreamedPool::new(start),
            buckets: Vec::new(),
            holders: Default::default(),
            now: start,
            factor,
            stream: StreamedPool::new(start).stream,
            model_time: start,
            funded: 0,
            pool_at_now: true,
        }
    }

    fn model_total(&self, at: i64) -> u128 {
        self.holders.iter().map(|h| h.model_weight(at)).sum()
    }

    /// The model to `now`: split at every boost end in between; each piece
    /// released at the weights of that piece, or idle if there are none.
    fn model_to_now(&mut self) {
        let mut ends: Vec<i64> = self
            .holders
            .iter()
            .filter(|h| {
                h.model_boost > 0 && h.boost_end > self.model_time && h.boost_end <= self.now
            })
            .map(|h| h.boost_end)
            .collect();
        ends.sort();
        ends.dedup();
        ends.push(self.now);
        for until in ends {
            let at = self.model_time;
            let total = self.model_total(at);
            if total == 0 {
                self.stream.idle(until);
            } else {
                let released = u128::from(self.stream.release(until).unwrap());
                for h in &mut self.holders {
                    let exact = (released * SCALE * h.model_weight(at)).checked_div(total);
                    h.share += exact.unwrap();
                }
            }
            self.model_time = until;
        }
    }

    /// What every operation does first: the pool to now (all buckets at
    /// hand), then the holder's settlement.
    fn touch(&mut self, holder: Option<usize>) {
        self.model_to_now();
        self.pool
            .advance(self.now, self.buckets.as_mut_slice())
            .unwrap();
        self.pool_at_now = true;
        if let Some(i) = holder {
            let h = &mut self.holders[i];
            let ended = self
                .pool
                .settle_expiring(&mut h.position, h.boost, h.day, self.buckets.as_mut_slice())
                .unwrap();
            if ended {
                h.boost = 0;
            }
            h.settlements += 1;
        }
    }

    fn bucket(&mut self, day: i64) -> usize {
        match self.buckets.iter().position(|(d, _)| *d == day) {
            Some(i) => i,
            None => {
                self.buckets.push((day, ExpiryBucket::default()));
                self.buckets.len() - 1
            }
        }
    }

    /// Takes back a boost that has not ended yet (a lock change or leave).
    fn cancel_boost(&mut self, i: usize) {
        let (boost, day) = (self.holders[i].boost, self.holders[i].day);
        if boost > 0 {
            let b = self.bucket(day);
            self.pool
                .cancel_expiry(day, &mut self.buckets[b].1, boost)
                .unwrap();
            self.holders[i].boost = 0;
        }
    }

    fn lock(&mut self, i: usize, boost: u128, lock: i64) {
        let day = end_day(self.now + lock);
        if boost > 0 {
            let b = self.bucket(day);
            self.pool
                .schedule_expiry(day, &mut self.buckets[b].1, boost)
                .unwrap();
        }
        let h = &mut self.holders[i];
        h.boost = boost;
        h.day = day;
        h.model_boost = boost;
        h.boost_end = day_start(day).unwrap();
        assert!(h.boost_end >= self.now + lock);
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Join {
                holder,
                base,
                boost,
                lock,
            } => {
                if self.holders[holder].position.weight > 0 {
                    return;
                }
                let (base, boost) = (base * self.factor, boost * self.factor);
                self.touch(Some(holder));
                self.lock(holder, boost, lock);
                self.holders[holder].base = base;
                let h = &mut self.holders[holder];
                self.pool
                    .pool
                    .add_weight(&mut h.position, base + boost)
                    .unwrap();
            }
            Op::Relock {
                holder,
                boost,
                lock,
            } => {
                if self.holders[holder].position.weight == 0 {
                    return;
                }
                let boost = boost * self.factor;
                self.touch(Some(holder));
                self.cancel_boost(holder);
                self.lock(holder, boost, lock);
                let h = &mut self.holders[holder];
                let weight = h.base + boost;
                self.pool.pool.set_weight(&mut h.position, weight).unwrap();
            }
            Op::Leave { holder } => {
                self.touch(Some(holder));
                self.cancel_boost(holder);
                let h = &mut self.holders[holder];
                self.pool.pool.set_weight(&mut h.position, 0).unwrap();
                h.base = 0;
                h.model_boost = 0;
            }
            Op::Fund { amount, duration } => {
                self.touch(None);
                self.pool.stream.fund(amount, duration, self.now).unwrap();
                self.stream.fund(amount, duration, self.now).unwrap();
                self.funded += u128::from(amount);
            }
            Op::Wait { dt } => {
                // Nobody calls anything: only the model follows the time
                // (splitting its releases more often changes nothing).
                self.now += dt;
                self.model_to_now();
                self.pool_at_now = false;
            }
            Op::Claim { holder } => {
                self.touch(Some(holder));
                let h = &mut self.holders[holder];
                h.claimed += u128::from(self.pool.pool.claim(&mut h.position).unwrap());
                assert_eq!(
                    self.pool.pool.claim(&mut h.position).unwrap(),
                    0,
                    "paid twice"
                );
            }
        }
    }

    /// What `holder` could claim now, computed on copies (a client's view).
    fn view(&self, i: usize) -> u128 {
        let (mut pool, mut buckets) = (self.pool, self.buckets.clone());
        pool.advance(self.now, buckets.as_mut_slice()).unwrap();
        let h = &self.holders[i];
        let mut position = h.position;
        pool.settle_expiring(&mut position, h.boost, h.day, buckets.as_mut_slice())
            .unwrap();
        u128::from(position.pending)
    }

    /// Checked after every operation.
    fn check(&self) {
        let pool = &self.pool;
        if self.pool_at_now {
            // The stream ran exactly while the model had weight.
            assert_eq!(pool.stream, self.stream, "stream differs from the model");
            assert_eq!(pool.pool.total_weight, self.model_total(self.now));
        }
        assert_eq!(pool.pool.undistributed, 0);

        // The schedule: the pending days are exactly the running boosts'
        // days, each bucket holds exactly their sum, the total includes them.
        let mut running: BTreeMap<i64, u128> = BTreeMap::new();
        for h in &self.holders {
            if h.boost > 0 && h.day > pool.ring.last_applied_day {
                *running.entry(h.day).or_default() += h.boost;
            }
        }
        let pending: Vec<i64> = pool.ring.pending_days().collect();
        assert_eq!(pending, running.keys().copied().collect::<Vec<_>>());
        for (day, weight) in &running {
            let bucket = self.buckets.iter().find(|(d, _)| d == day).unwrap().1;
            assert!(!bucket.applied);
            assert_eq!(bucket.weight_decrease, *weight);
        }
        assert_eq!(pool.expiring_weight, running.values().sum::<u128>());
        // A position keeps an ended boost in its stored weight until it is
        // next settled; the pool's total already left it out.
        let effective: u128 = self
            .holders
            .iter()
            .map(|h| {
                let ended = h.boost > 0 && h.day <= pool.ring.last_applied_day;
                h.position.weight - if ended { h.boost } else { 0 }
            })
            .sum();
        assert_eq!(effective, pool.pool.total_weight);

        // Payouts against the exact model, per holder: never more than the
        // exact share plus one token (dust carried from others, below
        // W / SCALE per distribution), never less by more than one token per
        // settlement (and the view's floor) plus one.
        // (The model's stream is always at now; the pool's equals it when
        // brought there.)
        let released = self.funded - u128::from(self.stream.remaining);
        let mut paid_total = 0;
        for (i, h) in self.holders.iter().enumerate() {
            let paid = h.claimed + self.view(i);
            paid_total += paid;
            assert!(
                paid * SCALE <= h.share + SCALE,
                "holder {i} paid {paid}, exact {}",
                h.share / SCALE
            );
            assert!(
                h.share <= (paid + h.settlements + 2) * SCALE,
                "holder {i} paid {paid}, exact {}, {} settlements",
                h.share / SCALE,
                h.settlements
            );
        }
        assert!(
            paid_total <= released,
            "paid {paid_total} > released {released}"
        );
    }

    /// Someone stays, time runs past every period and lock, everyone
    /// claims: everything funded was paid, up to a token per settlement.
    fn finish(&mut self) {
        if self.holders.iter().all(|h| h.position.weight == 0) {
            self.apply(&Op::Join {
                holder: 0,
                base: 1,
                boost: 0,
                lock: 1,
            });
        }
        let last_end = self.holders.iter().map(|h| h.boost_end).max().unwrap_or(0);
        self.now = self.now.max(self.stream.period_end).max(last_end) + 1;
        for holder in 0..HOLDERS {
            self.apply(&Op::Claim { holder });
        }
        self.check();
        assert_eq!(self.pool.stream.remaining, 0);
        let paid: u128 = self.holders.iter().map(|h| h.claimed).sum();
        let settlements: u128 = self.holders.iter().map(|h| h.settlements).sum();
        assert!(paid <= self.funded);
        assert!(
            self.funded - paid <= settlements + 1,
            "funded {} paid {paid}",
            self.funded
        );
        assert_eq!(self.pool.expiring_weight, 0);
        assert_eq!(self.pool.ring.pending_days().count(), 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No upkeep: every payout matches the exact model (boosts end at the
    /// midnight after the lock, the stream only runs while there is weight)
    /// within the rounding, nothing is paid twice, nothing beyond what was
    /// released, and in the end everything funded is paid.
    #[test]
    fn boosts_end_on_time_without_upkeep(
        offset in 0i64..DAY,
        factor in prop_oneof![Just(1u128), Just(1_000u128)],
        ops in proptest::collection::vec(op(), 1..60),
    ) {
        let mut world = World::new(1_700_000_000 + offset, factor);
        for op in &ops {
            world.apply(op);
            world.check();
        }
        world.finish();
    }

    /// Funding while nobody earns waits: whoever comes later earns only from
    /// its arrival, at the stream's rate, and the funded amount is paid in
    /// full over earning time.
    #[test]
    fn nothing_released_while_nobody_earns_goes_to_the_next_arrival(
        amount in 1u64..=1_000_000_000,
        duration in 1i64..=30 * DAY,
        idle in 0i64..=60 * DAY,
        stay in 1i64..=60 * DAY,
    ) {
        let start = 1_700_000_000;
        let mut pool = StreamedPool::new(start);
        let none: &mut [(i64, ExpiryBucket)] = &mut [];
        pool.stream.fund(amount, duration, start).unwrap();
        let rate = pool.stream.rate_per_second;
        pool.advance(start + idle, none).unwrap();
        prop_assert_eq!(pool.stream.remaining, amount);
        prop_assert_eq!(pool.stream.period_end, start + idle + duration);
        let mut p = Position::default();
        pool.pool.add_weight(&mut p, 1).unwrap();
        pool.advance(start + idle + stay, none).unwrap();
        let paid = u128::from(pool.pool.claim(&mut p).unwrap());
        if stay < duration {
            prop_assert_eq!(paid, rate * u128::try_from(stay).unwrap() / SCALE);
        } else {
            prop_assert_eq!(paid, u128::from(amount));
        }
    }
}

fn edgy_u128() -> impl Strategy<Value = u128> {
    prop_oneof![
        Just(0u128),
        Just(u128::MAX),
        Just(SCALE),
        0u128..1000,
        any::<u128>()
    ]
}

fn edgy_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        Just(i64::MAX),
        Just(i64::MIN),
        -3_000i64..3_000,
        any::<i64>()
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Whatever the (possibly inconsistent) state and arguments, the expiry
    /// operations return instead of panicking, and an error leaves
    /// everything exactly as it was.
    #[test]
    fn expiry_operations_never_panic_and_errors_change_nothing(
        total_weight in edgy_u128(),
        expiring_weight in edgy_u128(),
        reward_per_weight in edgy_u128(),
        last_applied_day in edgy_i64(),
        ring_bytes in proptest::collection::vec(any::<u8>(), 256),
        decrease in edgy_u128(),
        index_at_end in edgy_u128(),
        applied in any::<bool>(),
        position in (edgy_u128(), edgy_u128(), any::<u64>()),
        weight in edgy_u128(),
        day in edgy_i64(),
        now in edgy_i64(),
        stream in (edgy_u128(), edgy_i64(), edgy_i64(), any::<u64>()),
    ) {
        let mut pool = StreamedPool::default();
        pool.pool.total_weight = total_weight;
        pool.pool.index.reward_per_weight = reward_per_weight;
        pool.expiring_weight = expiring_weight;
        pool.ring.last_applied_day = last_applied_day;
        pool.ring.pending.copy_from_slice(&ring_bytes);
        pool.stream = Stream {
            rate_per_second: stream.0,
            period_end: stream.1,
            last_update: stream.2,
            remaining: stream.3,
            carry: 0,
        };
        let bucket = ExpiryBucket { weight_decrease: decrease, index_at_end, applied };
        let position = Position { weight: position.0, index_snapshot: position.1, pending: position.2 };

        for which in 0..3 {
            let (mut p, mut b) = (pool, bucket);
            let result = match which {
                0 => p.apply_expiry(day, &mut b),
                1 => p.schedule_expiry(day, &mut b, weight),
                _ => p.cancel_expiry(day, &mut b, weight),
            };
            if result.is_err() {
                prop_assert_eq!((p, b), (pool, bucket));
            }
        }
        let mut q = position;
        if q.settle_expired(weight, index_at_end, &pool.pool.index).is_err() {
            prop_assert_eq!(q, position);
        }
        let mut buckets = [(day, bucket)];
        let mut q = position;
        if pool.settle_expiring(&mut q, weight, day, &mut buckets).is_err() {
            prop_assert_eq!(q, position);
        }
        let mut p = pool;
        let _ = p.advance(now, &mut buckets);
        let mut p = pool;
        let _ = p.apply_due(now, &mut buckets);
        let _ = pool.ring.pending_days().take(3_000).count();
        let mut s = pool.stream;
        s.idle(now);
        prop_assert!(s.last_update >= pool.stream.last_update);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// `set_weight_once_settled` is `set_weight`, results and state, for any
    /// pool and position (settled or not, consistent or not).
    #[test]
    fn set_weight_once_settled_is_set_weight(
        reward_per_weight in edgy_u128(),
        total_weight in edgy_u128(),
        weight in edgy_u128(),
        snapshot_is_current in any::<bool>(),
        snapshot in edgy_u128(),
        pending in any::<u64>(),
        new_weight in edgy_u128(),
    ) {
        let pool = depin_accrual::Pool {
            index: depin_accrual::RewardIndex { reward_per_weight, dust: 0 },
            total_weight,
            undistributed: 0,
        };
        let index_snapshot = if snapshot_is_current { reward_per_weight } else { snapshot };
        let position = Position { weight, index_snapshot, pending };
        let (mut a, mut pa) = (pool, position);
        let (mut b, mut pb) = (pool, position);
        let ra = a.set_weight(&mut pa, new_weight);
        let rb = b.set_weight_once_settled(&mut pb, new_weight);
        prop_assert_eq!(ra, rb);
        prop_assert_eq!((a, pa), (b, pb));
    }
}
