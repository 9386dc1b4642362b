//! Property tests: random sequences of stakes, unstakes, lump-sum deposits,
//! stream fundings, time steps, settlements and claims for up to six holders,
//! checked against an independent exact model after every step.

use depin_accrual::{AccrualError, Pool, Position, RewardIndex, Stream, SCALE};
use proptest::prelude::*;

const HOLDERS: usize = 6;

#[derive(Debug, Clone)]
enum Op {
    Add { holder: usize, weight: u128 },
    Remove { holder: usize, part: u128 },
    Deposit { amount: u64 },
    Fund { amount: u64, duration: i64 },
    Advance { dt: i64 },
    Settle { holder: usize },
    Claim { holder: usize },
}

fn op(weight_changes: bool) -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..HOLDERS, 1u128..=1000).prop_map(|(holder, weight)| Op::Add { holder, weight }),
        3 => (0..HOLDERS, any::<u128>()).prop_map(|(holder, part)| Op::Remove { holder, part }),
        3 => prop_oneof![0u64..=10, 0u64..=1_000_000_000].prop_map(|amount| Op::Deposit { amount }),
        1 => (0u64..=1_000_000_000, 1i64..=1000).prop_map(|(amount, duration)| Op::Fund { amount, duration }),
        3 => (0i64..=300).prop_map(|dt| Op::Advance { dt }),
        1 => (0..HOLDERS).prop_map(|holder| Op::Settle { holder }),
        2 => (0..HOLDERS).prop_map(|holder| Op::Claim { holder }),
    ]
    .prop_map(move |op| match op {
        // Without weight changes, those become plain settlements.
        Op::Add { holder, .. } | Op::Remove { holder, .. } if !weight_changes => Op::Settle { holder },
        op => op,
    })
}

/// Weight unit: small weights (dust < 1 token) up to weights far above
/// SCALE (dust worth many tokens, increments of 0).
fn weight_factor() -> impl Strategy<Value = u128> {
    prop_oneof![
        Just(1u128),
        Just(1_000),
        Just(1_000_000_000),
        Just(10_000_000_000_000)
    ]
}

#[derive(Debug, Default)]
struct Holder {
    position: Position,
    // Model, all exact:
    weight: u128,
    snapshot: u128,
    claimed: u128,
    /// Σ_k weight × increment_k, in tokens × SCALE: what the index owes.
    credit: u128,
    /// Σ_k floor(weight × value_k / W_k): the holder's exact share of what
    /// was distributed, rounded down per distribution (so ≤ the rational share).
    share: u128,
    /// Σ (weight × Δindex mod SCALE) over settlements: floored away.
    residues: u128,
    /// Settlements that found the index moved (only those can floor away).
    lossy: u128,
}

#[derive(Debug, Default)]
struct World {
    pool: Pool,
    stream: Stream,
    now: i64,
    holders: [Holder; HOLDERS],
    factor: u128,
    // Model of the pool.
    reward_per_weight: u128,
    dust: u128,
    total_weight: u128,
    undistributed: u128,
    deposited: u128,
    distributions: u128,
    // Model of the stream.
    funded: u128,
    released: u128,
    /// (start, end, total) of the current period, released since its start.
    period: Option<(i64, i64, u128)>,
    period_released: u128,
}

impl World {
    fn new(factor: u128) -> Self {
        Self {
            factor,
            now: 1_700_000_000,
            ..Self::default()
        }
    }

    fn deposit(&mut self, amount: u64) {
        let previous = self.pool.index.reward_per_weight;
        self.pool.deposit(amount).unwrap();
        assert!(
            self.pool.index.reward_per_weight >= previous,
            "index decreased"
        );
        self.deposited += u128::from(amount);
        self.undistributed += u128::from(amount);
        if self.total_weight == 0 {
            return;
        }
        let value = self.undistributed * SCALE + self.dust;
        let (increment, rest) = (value / self.total_weight, value % self.total_weight);
        for h in &mut self.holders {
            h.credit += h.weight * increment;
            h.share += h.weight * increment + h.weight * rest / self.total_weight;
        }
        self.reward_per_weight += increment;
        self.dust = rest;
        self.undistributed = 0;
        self.distributions += 1;
    }

    fn settle_model(&mut self, i: usize) {
        let h = &mut self.holders[i];
        let delta = self.reward_per_weight - h.snapshot;
        if h.weight > 0 && delta > 0 {
            h.residues += h.weight * delta % SCALE;
            h.lossy += 1;
        }
        h.snapshot = self.reward_per_weight;
    }

    /// Releases the stream up to `now` and deposits it, like the staking program.
    fn advance(&mut self, dt: i64) {
        self.now += dt;
        let expected = self.stream.releasable_at(self.now).unwrap();
        let released = self.stream.release(self.now).unwrap();
        assert_eq!(released, expected);
        self.released += u128::from(released);
        self.period_released += u128::from(released);
        if let Some((start, end, total)) = self.period {
            // Never ahead of the linear schedule; exactly everything at the end.
            let elapsed = u128::try_from(self.now.min(end) - start).unwrap();
            let duration = u128::try_from(end - start).unwrap();
            assert!(self.period_released * duration <= total * elapsed);
            if self.now >= end {
                assert_eq!(self.period_released, total);
            }
        }
        self.deposit(released);
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Add { holder, weight } => {
                let delta = weight * self.factor;
                let h = &mut self.holders[holder];
                self.pool.add_weight(&mut h.position, delta).unwrap();
                self.settle_model(holder);
                self.holders[holder].weight += delta;
                self.total_weight += delta;
            }
            Op::Remove { holder, part } => {
                let h = &mut self.holders[holder];
                let delta = part % (h.weight + 1);
                self.pool.remove_weight(&mut h.position, delta).unwrap();
                self.settle_model(holder);
                self.holders[holder].weight -= delta;
                self.total_weight -= delta;
            }
            Op::Deposit { amount } => self.deposit(amount),
            Op::Fund { amount, duration } => {
                self.advance(0);
                let leftover = self.stream.remaining;
                self.stream.fund(amount, duration, self.now).unwrap();
                assert_eq!(
                    self.stream.remaining,
                    leftover + amount,
                    "leftover not carried"
                );
                self.funded += u128::from(amount);
                self.period = Some((self.now, self.now + duration, u128::from(leftover + amount)));
                self.period_released = 0;
            }
            Op::Advance { dt } => self.advance(dt),
            Op::Settle { holder } => {
                let index = self.pool.index;
                self.holders[holder].position.settle(&index).unwrap();
                self.settle_model(holder);
            }
            Op::Claim { holder } => {
                let h = &mut self.holders[holder];
                let paid = self.pool.claim(&mut h.position).unwrap();
                assert_eq!(self.pool.claim(&mut h.position).unwrap(), 0, "paid twice");
                assert_eq!(h.position.take_pending(), 0, "paid twice");
                h.claimed += u128::from(paid);
                self.settle_model(holder);
            }
        }
    }

    fn check(&self) {
        let pool = &self.pool;
        assert_eq!(pool.index.reward_per_weight, self.reward_per_weight);
        assert_eq!(pool.index.dust, self.dust);
        assert_eq!(pool.total_weight, self.total_weight);
        assert_eq!(u128::from(pool.undistributed), self.undistributed);

        let (mut paid_total, mut credit_total, mut floored, mut lossy) =
            (0u128, 0u128, 0u128, 0u128);
        for h in &self.holders {
            assert_eq!(h.position.weight, h.weight);
            assert_eq!(h.position.index_snapshot, h.snapshot);
            // Claimed + claimable now (the client's view, which floors once more).
            let view = h.position.pending_at(&pool.index).unwrap();
            let view_residue = h.weight * (self.reward_per_weight - h.snapshot) % SCALE;
            let paid = h.claimed + u128::from(view);
            // Exact per-holder accounting: credited = paid + what flooring kept back.
            assert_eq!(paid * SCALE + h.residues + view_residue, h.credit);
            // Rounding never favours the holder: paid ≤ credit ≤ exact share.
            assert!(h.credit <= h.share);
            assert!(paid * SCALE <= h.share);
            // Each lossy settlement keeps back less than one token, and there
            // is at most one per distribution.
            assert!(h.residues <= h.lossy * (SCALE - 1));
            assert!(h.lossy <= self.distributions);
            paid_total += paid;
            credit_total += h.credit;
            floored += h.residues + view_residue;
            lossy += h.lossy + u128::from(view_residue > 0);
        }
        // The index conserves value exactly.
        assert_eq!(
            self.deposited * SCALE,
            self.undistributed * SCALE + self.dust + credit_total
        );
        // Nothing created; the shortfall is exactly dust + floored residues ...
        let shortfall = self.deposited - self.undistributed - paid_total;
        assert_eq!(shortfall * SCALE, self.dust + floored);
        // ... and bounded: < dust/SCALE + one token per lossy settlement or view.
        assert!(shortfall * SCALE <= self.dust + lossy * (SCALE - 1));
        assert!(lossy <= HOLDERS as u128 * (self.distributions + 1));
        // Stream: released + remaining == funded.
        assert_eq!(
            self.released + u128::from(self.stream.remaining),
            self.funded
        );
    }

    /// Runs past the end of every period, then everyone claims.
    fn finish(&mut self) {
        if let Some((_, end, _)) = self.period {
            let dt = (end - self.now).max(0) + 1;
            self.advance(dt);
        }
        assert_eq!(
            self.released, self.funded,
            "stream did not release everything"
        );
        assert_eq!(self.stream.remaining, 0);
        for i in 0..HOLDERS {
            self.apply(&Op::Claim { holder: i });
        }
        self.check();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Conservation, no double pay, rounding against the holder, monotone
    /// index, streams that release exactly what was funded, with stakes and
    /// unstakes in between.
    #[test]
    fn pool_with_stream_matches_exact_model(
        factor in weight_factor(),
        ops in proptest::collection::vec(op(true), 1..80),
    ) {
        let mut world = World::new(factor);
        world.check();
        for op in &ops {
            let before = world.pool.index.reward_per_weight;
            world.apply(op);
            prop_assert!(world.pool.index.reward_per_weight >= before);
            world.check();
        }
        world.finish();
    }

    /// With constant weights the exact rational share is simply
    /// `w_i × deposited / W`: nobody is ever paid more than that.
    #[test]
    fn constant_weights_never_pay_more_than_the_rational_share(
        factor in weight_factor(),
        weights in proptest::array::uniform6(1u128..=1000),
        ops in proptest::collection::vec(op(false), 1..60),
    ) {
        let mut world = World::new(factor);
        for (holder, &weight) in weights.iter().enumerate() {
            world.apply(&Op::Add { holder, weight });
        }
        let total = world.total_weight;
        for op in &ops {
            world.apply(op);
            world.check();
            for h in &world.holders {
                let paid = h.claimed + u128::from(h.position.pending_at(&world.pool.index).unwrap());
                prop_assert!(paid * total <= h.weight * world.deposited);
            }
        }
        world.finish();
        let paid: u128 = world.holders.iter().map(|h| h.claimed).sum();
        prop_assert!(paid <= world.deposited);
    }

    /// One distribution: `W × increment + dust_after == amount × SCALE + dust_before`,
    /// `dust_after < W`, and the holders' floored credits never exceed the
    /// amount plus the whole tokens of carried dust (the amount itself when
    /// the carried dust is below one token).
    #[test]
    fn distribution_invariant(
        weights in proptest::collection::vec(0u128..=1_000_000_000_000_000_000, 1..=HOLDERS),
        amount in any::<u64>(),
        start in 0u128..=1_000_000_000_000_000,
        previous_total in 1u128..=6_000_000_000_000_000_000,
        dust_seed in any::<u128>(),
    ) {
        let total: u128 = weights.iter().sum();
        prop_assume!(total > 0);
        let dust_before = dust_seed % previous_total;
        let mut index = RewardIndex { reward_per_weight: start, dust: dust_before };
        index.distribute(amount, total).unwrap();
        let increment = index.reward_per_weight - start;
        prop_assert_eq!(total * increment + index.dust, u128::from(amount) * SCALE + dust_before);
        prop_assert!(index.dust < total);
        let credited: u128 = weights.iter().map(|w| w * increment / SCALE).sum();
        prop_assert!(credited <= u128::from(amount) + dust_before / SCALE);
        if dust_before < SCALE {
            prop_assert!(credited <= u128::from(amount));
        }
    }

    /// A full period releases exactly the funded amount, never ahead of the
    /// linear schedule, and the cumulative release is exactly
    /// `floor(rate × elapsed / SCALE)` however often `release` is called.
    /// Time may go backwards (counts as no time).
    #[test]
    fn stream_releases_exactly_the_funded_amount(
        amount in prop_oneof![0u64..=1000, any::<u64>()],
        duration in prop_oneof![1i64..=100, 1i64..=10_000_000],
        start in -1_000_000_000_000i64..=1_000_000_000_000,
        steps in proptest::collection::vec(-100i64..=10_000_000, 0..40),
    ) {
        let mut stream = Stream { last_update: start - 5, ..Stream::default() };
        stream.fund(amount, duration, start).unwrap();
        prop_assert_eq!(stream.rate_per_second, u128::from(amount) * SCALE / u128::try_from(duration).unwrap());
        let end = start + duration;
        let (mut released, mut latest) = (0u128, start);
        for step in steps {
            let now = start + step;
            let expected = stream.releasable_at(now).unwrap();
            let got = stream.release(now).unwrap();
            prop_assert_eq!(got, expected);
            if now < latest {
                prop_assert_eq!(got, 0);
            }
            latest = latest.max(now);
            prop_assert_eq!(stream.last_update, latest);
            released += u128::from(got);
            let elapsed = u128::try_from(latest.min(end) - start).unwrap();
            prop_assert!(released * u128::try_from(duration).unwrap() <= u128::from(amount) * elapsed);
            if latest < end {
                prop_assert_eq!(released, stream.rate_per_second * elapsed / SCALE);
            } else {
                prop_assert_eq!(released, u128::from(amount));
            }
            prop_assert_eq!(released + u128::from(stream.remaining), u128::from(amount));
        }
        released += u128::from(stream.release(end).unwrap());
        prop_assert_eq!(released, u128::from(amount));
        prop_assert_eq!(stream.release(end + 1_000).unwrap(), 0);
    }

    /// Funding again mid-period carries the leftover into the new period;
    /// over everything, released == funded, and a top-up that would exceed
    /// u64 is refused without changing the stream.
    #[test]
    fn stream_refunding_carries_leftovers(
        fundings in proptest::collection::vec(
            (prop_oneof![0u64..=1_000_000, any::<u64>()], 1i64..=1000, 0i64..=1500, any::<bool>()),
            1..12,
        ),
    ) {
        let mut stream = Stream::default();
        let (mut now, mut funded, mut released, mut end) = (0i64, 0u128, 0u128, 0i64);
        for (amount, duration, gap, release_first) in fundings {
            if release_first {
                released += u128::from(stream.release(now).unwrap());
            }
            let leftover = stream.remaining;
            let before = stream;
            match stream.fund(amount, duration, now) {
                Ok(()) => {
                    prop_assert_eq!(stream.remaining, leftover + amount);
                    prop_assert_eq!(stream.period_end, now + duration);
                    funded += u128::from(amount);
                    end = now + duration;
                }
                Err(e) => {
                    prop_assert_eq!(e, AccrualError::Overflow);
                    prop_assert!(u128::from(leftover) + u128::from(amount) > u128::from(u64::MAX));
                    prop_assert_eq!(stream, before);
                }
            }
            now += gap;
            released += u128::from(stream.release(now).unwrap());
            prop_assert!(released <= funded);
            prop_assert_eq!(released + u128::from(stream.remaining), funded);
        }
        released += u128::from(stream.release(end.max(now)).unwrap());
        prop_assert_eq!(released, funded);
    }
}

/// Values biased to the edges, for the no-panic test.
fn edgy_u128() -> impl Strategy<Value = u128> {
    prop_oneof![
        Just(0u128),
        Just(u128::MAX),
        Just(u128::from(u64::MAX)),
        Just(SCALE),
        0u128..1000,
        any::<u128>()
    ]
}

fn edgy_u64() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), Just(u64::MAX), 0u64..1000, any::<u64>()]
}

fn edgy_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        Just(i64::MAX),
        Just(i64::MIN),
        -1000i64..1000,
        any::<i64>()
    ]
}

fn any_index() -> impl Strategy<Value = RewardIndex> {
    (edgy_u128(), edgy_u128()).prop_map(|(reward_per_weight, dust)| RewardIndex {
        reward_per_weight,
        dust,
    })
}

fn any_position() -> impl Strategy<Value = Position> {
    (edgy_u128(), edgy_u128(), edgy_u64()).prop_map(|(weight, index_snapshot, pending)| Position {
        weight,
        index_snapshot,
        pending,
    })
}

fn any_stream() -> impl Strategy<Value = Stream> {
    (edgy_u128(), edgy_i64(), edgy_i64(), edgy_u64(), edgy_u128()).prop_map(
        |(rate_per_second, period_end, last_update, remaining, carry)| Stream {
            rate_per_second,
            period_end,
            last_update,
            remaining,
            carry,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// Whatever the (possibly inconsistent) state and arguments, every
    /// operation returns instead of panicking, and an error leaves the state
    /// exactly as it was.
    #[test]
    fn never_panics_and_errors_change_nothing(
        index in any_index(),
        position in any_position(),
        stream in any_stream(),
        total_weight in edgy_u128(),
        undistributed in edgy_u64(),
        amount in edgy_u64(),
        weight in edgy_u128(),
        time in edgy_i64(),
        duration in edgy_i64(),
    ) {
        let mut i = index;
        if i.distribute(amount, total_weight).is_err() {
            prop_assert_eq!(i, index);
        } else {
            prop_assert!(i.reward_per_weight >= index.reward_per_weight);
        }

        let mut p = position;
        let view = p.pending_at(&index);
        match p.settle(&index) {
            Ok(()) => prop_assert_eq!(Ok(p.pending), view),
            Err(e) => {
                prop_assert_eq!(Err(e), view);
                prop_assert_eq!(p, position);
            }
        }
        let mut p = position;
        if p.set_weight(weight, &index).is_err() {
            prop_assert_eq!(p, position);
        }

        let mut s = stream;
        let view = s.releasable_at(time);
        match s.release(time) {
            Ok(released) => {
                prop_assert_eq!(Ok(released), view);
                prop_assert!(released <= stream.remaining);
                prop_assert_eq!(s.remaining, stream.remaining - released);
                prop_assert!(s.last_update >= stream.last_update);
            }
            Err(e) => {
                prop_assert_eq!(Err(e), view);
                prop_assert_eq!(s, stream);
            }
        }
        let mut s = stream;
        if s.fund(amount, duration, time).is_err() {
            prop_assert_eq!(s, stream);
        }

        let pool = Pool { index, total_weight, undistributed };
        let mut q = pool;
        if q.deposit(amount).is_err() {
            prop_assert_eq!(q, pool);
        }
        for which in 0..4 {
            let (mut q, mut p) = (pool, position);
            let result = match which {
                0 => q.add_weight(&mut p, weight),
                1 => q.remove_weight(&mut p, weight),
                2 => q.set_weight(&mut p, weight),
                _ => q.claim(&mut p).map(|_| ()),
            };
            if result.is_err() {
                prop_assert_eq!((q, p), (pool, position));
            }
        }
    }
}
