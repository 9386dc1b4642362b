//! Unit tests with hand-computed numbers. Property tests: `tests/properties.rs`.

mod expiry;

use super::*;

const E12: u128 = SCALE;

fn pool_with(weights: &[u128]) -> (Pool, [Position; 3]) {
    let mut pool = Pool::default();
    let mut positions = [Position::default(); 3];
    for (position, &weight) in positions.iter_mut().zip(weights) {
        pool.add_weight(position, weight).unwrap();
    }
    (pool, positions)
}

#[test]
fn three_equal_holders_deposit_10_then_2_settling_in_between() {
    let (mut pool, mut p) = pool_with(&[1, 1, 1]);
    pool.deposit(10).unwrap();
    // 10e12 = 3 * 3_333_333_333_333 + 1
    assert_eq!(pool.index.reward_per_weight, 3_333_333_333_333);
    assert_eq!(pool.index.dust, 1);
    for position in &mut p {
        assert_eq!(pool.claim(position).unwrap(), 3);
        assert_eq!(position.index_snapshot, 3_333_333_333_333);
    }
    // 9 paid; the missing token is dust (1) + 3 residues of 333_333_333_333.

    pool.deposit(2).unwrap();
    // 2e12 + 1 (dust) = 3 * 666_666_666_667 + 0
    assert_eq!(pool.index.reward_per_weight, 4 * E12);
    assert_eq!(pool.index.dust, 0);
    // Each holder is owed 0.666666666667 since its last settlement: floor 0.
    for position in &p {
        assert_eq!(position.pending_at(&pool.index).unwrap(), 0);
    }

    pool.deposit(1).unwrap();
    // 1e12 = 3 * 333_333_333_333 + 1
    assert_eq!(pool.index.reward_per_weight, 4_333_333_333_333);
    assert_eq!(pool.index.dust, 1);
    // Now exactly 1.0 per holder since the last settlement.
    for position in &mut p {
        assert_eq!(pool.claim(position).unwrap(), 1);
    }
    // Deposited 13, paid 12; 1e12 - 1 residues + 1 dust = one token unowned.
}

#[test]
fn three_equal_holders_deposit_10_then_2_without_settling() {
    let (mut pool, mut p) = pool_with(&[1, 1, 1]);
    pool.deposit(10).unwrap();
    pool.deposit(2).unwrap();
    // The dust of the first deposit is carried: nothing is lost.
    assert_eq!(pool.index.reward_per_weight, 4 * E12);
    assert_eq!(pool.index.dust, 0);
    for position in &mut p {
        assert_eq!(position.pending_at(&pool.index).unwrap(), 4);
        assert_eq!(pool.claim(position).unwrap(), 4);
    }
}

#[test]
fn weights_1_2_3_deposit_100() {
    let (mut pool, mut p) = pool_with(&[1, 2, 3]);
    pool.deposit(100).unwrap();
    // 100e12 = 6 * 16_666_666_666_666 + 4
    assert_eq!(pool.index.reward_per_weight, 16_666_666_666_666);
    assert_eq!(pool.index.dust, 4);
    let paid: [u64; 3] = core::array::from_fn(|i| pool.claim(&mut p[i]).unwrap());
    // 16.666666666666, 33.333333333332, 49.999999999998, floored.
    assert_eq!(paid, [16, 33, 49]);
    // 100 - 98 = 2 tokens = dust 4 + residues 666_666_666_666 + 333_333_333_332 + 999_999_999_998.
    assert_eq!(
        4 + 666_666_666_666 + 333_333_333_332 + 999_999_999_998,
        2 * E12
    );
}

#[test]
fn joining_later_does_not_earn_earlier_deposits() {
    let mut pool = Pool::default();
    let (mut a, mut b) = (Position::default(), Position::default());
    pool.add_weight(&mut a, 1).unwrap();
    pool.deposit(10).unwrap();
    pool.add_weight(&mut b, 1).unwrap();
    assert_eq!(b.index_snapshot, 10 * E12);
    assert_eq!(b.pending_at(&pool.index).unwrap(), 0);
    pool.deposit(10).unwrap();
    assert_eq!(pool.claim(&mut a).unwrap(), 15);
    assert_eq!(pool.claim(&mut b).unwrap(), 5);
}

#[test]
fn weight_change_settles_at_the_old_weight() {
    let mut pool = Pool::default();
    let (mut a, mut b) = (Position::default(), Position::default());
    pool.add_weight(&mut a, 1).unwrap();
    pool.add_weight(&mut b, 1).unwrap();
    pool.deposit(10).unwrap(); // 5 each
    pool.add_weight(&mut a, 2).unwrap(); // a: 3, b: 1
    assert_eq!(a.pending, 5);
    assert_eq!(pool.total_weight, 4);
    pool.deposit(8).unwrap(); // a: 6, b: 2
    assert_eq!(pool.claim(&mut a).unwrap(), 11);
    assert_eq!(pool.claim(&mut b).unwrap(), 7);
    pool.remove_weight(&mut a, 3).unwrap();
    assert_eq!(pool.total_weight, 1);
    pool.deposit(4).unwrap();
    assert_eq!(pool.claim(&mut a).unwrap(), 0);
    assert_eq!(pool.claim(&mut b).unwrap(), 4);
    // Position::set_weight on its own settles too.
    let mut c = Position {
        weight: 2,
        ..Position::default()
    };
    let index = RewardIndex {
        reward_per_weight: 3 * E12 / 2,
        dust: 0,
    };
    c.set_weight(7, &index).unwrap();
    assert_eq!((c.weight, c.index_snapshot, c.pending), (7, 3 * E12 / 2, 3));
}

#[test]
fn claiming_twice_pays_once() {
    let (mut pool, mut p) = pool_with(&[5, 0, 0]);
    pool.deposit(123).unwrap();
    assert_eq!(pool.claim(&mut p[0]).unwrap(), 123);
    assert_eq!(pool.claim(&mut p[0]).unwrap(), 0);
    assert_eq!(p[0].take_pending(), 0);
}

#[test]
fn deposits_without_weight_wait_in_undistributed() {
    let mut pool = Pool::default();
    pool.deposit(7).unwrap();
    pool.deposit(0).unwrap();
    assert_eq!(pool.undistributed, 7);
    assert_eq!(pool.index, RewardIndex::default());
    let mut a = Position::default();
    pool.add_weight(&mut a, 3).unwrap();
    assert_eq!(pool.undistributed, 7); // flushed by the next deposit, not by joining
    pool.deposit(0).unwrap();
    assert_eq!(pool.undistributed, 0);
    // 7e12 = 3 * 2_333_333_333_333 + 1
    assert_eq!(pool.index.reward_per_weight, 2_333_333_333_333);
    assert_eq!(pool.index.dust, 1);
    assert_eq!(pool.claim(&mut a).unwrap(), 6);
    // Everyone leaves; the dust stays in the index for the next distribution.
    pool.remove_weight(&mut a, 3).unwrap();
    pool.deposit(1).unwrap();
    assert_eq!(pool.undistributed, 1);
    assert_eq!(pool.index.dust, 1);
}

#[test]
fn distribute_rejects_zero_weight() {
    let mut index = RewardIndex {
        reward_per_weight: 5,
        dust: 2,
    };
    assert_eq!(index.distribute(10, 0), Err(AccrualError::NoWeight));
    assert_eq!(index.distribute(0, 0), Err(AccrualError::NoWeight));
    assert_eq!(
        index,
        RewardIndex {
            reward_per_weight: 5,
            dust: 2
        }
    );
}

#[test]
fn dust_in_whole_tokens_when_weight_exceeds_scale() {
    // total weight 3e12 > SCALE: 2 tokens give 2e12 < 3e12, all dust.
    let mut index = RewardIndex::default();
    index.distribute(2, 3 * E12).unwrap();
    assert_eq!(
        (index.reward_per_weight, index.dust, index.dust_tokens()),
        (0, 2 * E12, 2)
    );
    index.distribute(2, 3 * E12).unwrap();
    // 4e12 = 3e12 * 1 + 1e12
    assert_eq!(
        (index.reward_per_weight, index.dust, index.dust_tokens()),
        (1, E12, 1)
    );
}

#[test]
fn stream_10_tokens_over_3_seconds() {
    let mut s = Stream::default();
    s.fund(10, 3, 100).unwrap();
    assert_eq!(s.rate_per_second, 3_333_333_333_333);
    assert_eq!((s.period_end, s.last_update, s.remaining), (103, 100, 10));
    assert_eq!(s.releasable_at(102).unwrap(), 6);
    assert_eq!(s.release(101).unwrap(), 3);
    assert_eq!(s.carry, 333_333_333_333);
    assert_eq!(s.release(102).unwrap(), 3); // 3.666666666666
    assert_eq!(s.carry, 666_666_666_666);
    assert_eq!(s.release(103).unwrap(), 4); // the rest at period end
    assert_eq!((s.remaining, s.carry), (0, 0));
    assert_eq!(s.release(200).unwrap(), 0);
    assert_eq!(s.last_update, 200);
}

#[test]
fn stream_funding_mid_period_carries_the_leftover() {
    let mut s = Stream::default();
    s.fund(10, 10, 0).unwrap();
    assert_eq!(s.rate_per_second, E12);
    assert_eq!(s.release(4).unwrap(), 4);
    s.fund(6, 4, 4).unwrap(); // 6 left + 6 new over 4 s
    assert_eq!(
        (s.remaining, s.rate_per_second, s.period_end),
        (12, 3 * E12, 8)
    );
    assert_eq!(s.release(6).unwrap(), 6);
    assert_eq!(s.release(100).unwrap(), 6);
    // Funding without releasing first: what was due is re-spread, not lost.
    s.fund(10, 10, 100).unwrap();
    s.fund(0, 10, 105).unwrap();
    assert_eq!(
        (s.remaining, s.rate_per_second, s.period_end),
        (10, E12, 115)
    );
    assert_eq!(s.release(115).unwrap(), 10);
}

#[test]
fn stream_time_never_goes_backwards() {
    let mut s = Stream::default();
    s.fund(100, 100, 0).unwrap();
    assert_eq!(s.release(50).unwrap(), 50);
    assert_eq!(s.release(10).unwrap(), 0);
    assert_eq!(s.last_update, 50);
    // Funding "in the past" starts the period at last_update.
    s.fund(0, 10, 20).unwrap();
    assert_eq!((s.last_update, s.period_end, s.remaining), (50, 60, 50));
    assert_eq!(s.release(60).unwrap(), 50);
}

#[test]
fn stream_with_zero_rate_releases_everything_at_the_end() {
    let mut s = Stream::default();
    s.fund(1, 2_000_000_000_000, 0).unwrap();
    assert_eq!(s.rate_per_second, 0);
    assert_eq!(s.release(1_999_999_999_999).unwrap(), 0);
    assert_eq!(s.release(2_000_000_000_000).unwrap(), 1);
}

#[test]
fn stream_rejects_empty_periods() {
    let mut s = Stream::default();
    s.fund(5, 10, 0).unwrap();
    let before = s;
    assert_eq!(s.fund(5, 0, 1), Err(AccrualError::InvalidPeriod));
    assert_eq!(s.fund(5, -3, 1), Err(AccrualError::InvalidPeriod));
    assert_eq!(s, before);
}

#[test]
fn max_amounts_fit() {
    let mut index = RewardIndex::default();
    index.distribute(u64::MAX, 1).unwrap();
    assert_eq!(index.reward_per_weight, u128::from(u64::MAX) * SCALE);
    let mut p = Position {
        weight: 1,
        ..Position::default()
    };
    p.settle(&index).unwrap();
    assert_eq!(p.take_pending(), u64::MAX);
    // A whole u64 undistributed plus a whole u64 deposit, to two holders.
    let mut pool = Pool::default();
    pool.deposit(u64::MAX).unwrap();
    let (mut a, mut b) = (Position::default(), Position::default());
    pool.add_weight(&mut a, 1).unwrap();
    pool.add_weight(&mut b, 1).unwrap();
    pool.deposit(u64::MAX).unwrap();
    assert_eq!(pool.claim(&mut a).unwrap(), u64::MAX);
    assert_eq!(pool.claim(&mut b).unwrap(), u64::MAX);
    // Dust of a u64::MAX distribution to u128::MAX weight.
    let mut index = RewardIndex::default();
    index.distribute(u64::MAX, u128::MAX).unwrap();
    assert_eq!(
        (index.reward_per_weight, index.dust),
        (0, u128::from(u64::MAX) * SCALE)
    );
    let mut s = Stream::default();
    s.fund(u64::MAX, 1, 0).unwrap();
    assert_eq!(s.release(1).unwrap(), u64::MAX);
    // rate = floor((2^64 - 1) * 1e12 / (2^63 - 1)) = 2e12
    let mut s = Stream::default();
    s.fund(u64::MAX, i64::MAX, 0).unwrap();
    assert_eq!(s.rate_per_second, 2 * E12);
    assert_eq!(s.release(i64::MAX - 1).unwrap(), u64::MAX - 3);
    assert_eq!(s.release(i64::MAX).unwrap(), 3);
}

#[test]
fn overflow_is_an_error_and_changes_nothing() {
    // Index overflow.
    let mut index = RewardIndex {
        reward_per_weight: u128::MAX - 5,
        dust: 0,
    };
    assert_eq!(index.distribute(1, 1), Err(AccrualError::Overflow));
    assert_eq!(index.reward_per_weight, u128::MAX - 5);
    let mut index = RewardIndex {
        reward_per_weight: 0,
        dust: u128::MAX,
    };
    assert_eq!(index.distribute(1, 7), Err(AccrualError::Overflow));

    // Pending overflow.
    let index = RewardIndex {
        reward_per_weight: 2 * E12,
        dust: 0,
    };
    let mut p = Position {
        weight: 1,
        index_snapshot: E12,
        pending: u64::MAX,
    };
    assert_eq!(p.pending_at(&index), Err(AccrualError::Overflow));
    assert_eq!(p.settle(&index), Err(AccrualError::Overflow));
    assert_eq!(p.set_weight(0, &index), Err(AccrualError::Overflow));
    assert_eq!(
        p,
        Position {
            weight: 1,
            index_snapshot: E12,
            pending: u64::MAX
        }
    );
    // Earned does not fit a u64.
    let index = RewardIndex {
        reward_per_weight: (u128::from(u64::MAX) + 1) * SCALE,
        dust: 0,
    };
    let p = Position {
        weight: 1,
        ..Position::default()
    };
    assert_eq!(p.pending_at(&index), Err(AccrualError::Overflow));
    // weight * delta does not fit a u128.
    let index = RewardIndex {
        reward_per_weight: 2,
        dust: 0,
    };
    let p = Position {
        weight: u128::MAX,
        ..Position::default()
    };
    assert_eq!(p.pending_at(&index), Err(AccrualError::Overflow));

    // Pool: undistributed and weights.
    let mut pool = Pool::default();
    pool.deposit(u64::MAX).unwrap();
    assert_eq!(pool.deposit(1), Err(AccrualError::Overflow));
    assert_eq!(pool.undistributed, u64::MAX);
    let mut a = Position::default();
    pool.add_weight(&mut a, u128::MAX).unwrap();
    let before = (pool, a);
    assert_eq!(pool.add_weight(&mut a, 1), Err(AccrualError::Overflow));
    let mut b = Position::default();
    assert_eq!(pool.add_weight(&mut b, 1), Err(AccrualError::Overflow));
    assert_eq!((pool, a, b), (before.0, before.1, Position::default()));
    // A claim whose settlement overflows leaves the position as it was.
    let mut pool = Pool {
        index: RewardIndex {
            reward_per_weight: 2 * E12,
            dust: 0,
        },
        total_weight: 1,
        undistributed: 0,
    };
    let mut p = Position {
        weight: 1,
        index_snapshot: 0,
        pending: u64::MAX - 1,
    };
    assert_eq!(pool.claim(&mut p), Err(AccrualError::Overflow));
    assert_eq!(pool.remove_weight(&mut p, 1), Err(AccrualError::Overflow));
    assert_eq!(p.pending, u64::MAX - 1);
    assert_eq!(pool.total_weight, 1);
    // A near-max index cannot take another deposit.
    pool.index.reward_per_weight = u128::MAX;
    assert_eq!(pool.deposit(1), Err(AccrualError::Overflow));
    assert_eq!(pool.index.reward_per_weight, u128::MAX);

    // Stream.
    let mut s = Stream::default();
    s.fund(u64::MAX, 100, 0).unwrap();
    let before = s;
    assert_eq!(s.fund(1, 100, 0), Err(AccrualError::Overflow));
    assert_eq!(s.fund(0, i64::MAX, 1), Err(AccrualError::Overflow));
    assert_eq!(s, before);
    let mut s = Stream {
        rate_per_second: u128::MAX / 2,
        period_end: i64::MAX,
        last_update: i64::MIN,
        remaining: 1,
        carry: 0,
    };
    let before = s;
    assert_eq!(s.release(0), Err(AccrualError::Overflow));
    assert_eq!(s.releasable_at(0), Err(AccrualError::Overflow));
    assert_eq!(s, before);
}

#[test]
fn inconsistent_weights_and_snapshots_are_errors() {
    let mut pool = Pool::default();
    let mut a = Position::default();
    pool.add_weight(&mut a, 5).unwrap();
    assert_eq!(
        pool.remove_weight(&mut a, 6),
        Err(AccrualError::InsufficientWeight)
    );
    // A position that claims more weight than the pool total.
    let mut stranger = Position {
        weight: 9,
        ..Position::default()
    };
    assert_eq!(
        pool.set_weight(&mut stranger, 0),
        Err(AccrualError::InsufficientWeight)
    );
    assert_eq!((pool.total_weight, a.weight, stranger.weight), (5, 5, 9));
    // A snapshot from another, larger index.
    let mut ahead = Position {
        weight: 1,
        index_snapshot: 10,
        pending: 0,
    };
    assert_eq!(ahead.settle(&pool.index), Err(AccrualError::SnapshotAhead));
    assert_eq!(
        ahead.pending_at(&pool.index),
        Err(AccrualError::SnapshotAhead)
    );
}

#[test]
fn errors_display() {
    use std::string::ToString;
    assert_eq!(
        AccrualError::Overflow.to_string(),
        "arithmetic overflow in reward accrual"
    );
    assert_eq!(
        AccrualError::NoWeight.to_string(),
        "no weight to distribute rewards to"
    );
}
