//! Idle streams and expiring weight, with hand-computed numbers.

use super::*;

const E12: u128 = SCALE;
/// A midnight (day 20,000 after the epoch: 2024-10-04).
const T0: i64 = 20_000 * DAY;
const YEAR: i64 = 365 * DAY;

#[test]
fn days_round_down_and_lock_ends_round_up() {
    assert_eq!(
        (day_of(0), day_of(DAY - 1), day_of(DAY), day_of(-1)),
        (0, 0, 1, -1)
    );
    assert_eq!(
        (end_day(0), end_day(1), end_day(DAY), end_day(DAY + 1)),
        (0, 1, 1, 2)
    );
    assert_eq!(end_day(T0 + YEAR), 20_365);
    assert_eq!(end_day(T0 + YEAR - 7), 20_365);
    assert_eq!(end_day(T0 + YEAR + 7), 20_366);
    assert_eq!(day_start(20_365), Ok(T0 + YEAR));
    assert_eq!(day_start(i64::MAX), Err(AccrualError::Overflow));
    assert_eq!(end_day(i64::MAX), i64::MAX / DAY + 1);
    assert_eq!(end_day(i64::MIN), i64::MIN / DAY);
}

#[test]
fn an_idle_stream_releases_nothing_and_its_period_moves_by_the_idle_time() {
    // 864,000 over 10 days: exactly one token a second.
    let mut s = Stream::default();
    s.fund(864_000, 10 * DAY, T0).unwrap();
    assert_eq!(s.rate_per_second, E12);
    // Five days with nobody to pay.
    s.idle(T0 + 5 * DAY);
    assert_eq!(
        (s.period_end, s.last_update, s.remaining, s.carry),
        (T0 + 15 * DAY, T0 + 5 * DAY, 864_000, 0)
    );
    // Earlier times change nothing.
    let before = s;
    s.idle(T0);
    s.idle(T0 + 5 * DAY);
    assert_eq!(s, before);
    // One earning second releases one token; the rest keeps streaming.
    assert_eq!(s.release(T0 + 5 * DAY + 1).unwrap(), 1);
    assert_eq!(s.remaining, 863_999);
    assert_eq!(s.release(T0 + 15 * DAY - 1).unwrap(), 863_998);
    assert_eq!(s.release(T0 + 15 * DAY).unwrap(), 1);
    // An exhausted stream only moves its clock.
    s.idle(T0 + 20 * DAY);
    assert_eq!(
        (s.period_end, s.last_update, s.remaining),
        (T0 + 15 * DAY, T0 + 20 * DAY, 0)
    );
}

#[test]
fn an_idle_stream_keeps_its_carry_and_saturates_far_out() {
    let mut s = Stream::default();
    s.fund(10, 3, 100).unwrap();
    assert_eq!(s.release(101).unwrap(), 3);
    assert_eq!(s.carry, 333_333_333_333);
    s.idle(1_101);
    assert_eq!(
        (s.period_end, s.carry, s.remaining),
        (1_103, 333_333_333_333, 7)
    );
    // One more earning second: 3.333333333333 + 0.333333333333 → 3...
    assert_eq!(s.release(1_103 - 1).unwrap(), 3);
    // ...and the end releases what is left: the idle time lost nothing.
    assert_eq!(s.release(1_103).unwrap(), 4);

    let mut far = Stream {
        rate_per_second: 1,
        period_end: i64::MAX - 5,
        last_update: 0,
        remaining: 1,
        carry: 0,
    };
    far.idle(100);
    assert_eq!((far.period_end, far.last_update), (i64::MAX, 100));
    let mut wide = Stream {
        rate_per_second: 1,
        period_end: 0,
        last_update: i64::MIN,
        remaining: 1,
        carry: 0,
    };
    wide.idle(i64::MAX);
    assert_eq!((wide.period_end, wide.last_update), (i64::MAX, i64::MAX));
}

#[test]
fn release_into_idles_without_weight_and_distributes_with_it() {
    let mut s = Stream::default();
    s.fund(1_000, 100, 0).unwrap();
    let mut index = RewardIndex::default();
    assert_eq!(s.release_into(&mut index, 0, 40).unwrap(), 0);
    assert_eq!((s.period_end, s.last_update, s.remaining), (140, 40, 1_000));
    assert_eq!(index, RewardIndex::default());
    assert_eq!(s.release_into(&mut index, 4, 50).unwrap(), 100);
    assert_eq!(index.reward_per_weight, 25 * E12);
    // A distribution that overflows leaves both the stream and the index.
    index.reward_per_weight = u128::MAX;
    let (before_stream, before_index) = (s, index);
    assert_eq!(
        s.release_into(&mut index, 4, 60),
        Err(AccrualError::Overflow)
    );
    assert_eq!((s, index), (before_stream, before_index));
}

#[test]
fn a_stream_pauses_while_everyone_is_gone_and_pays_the_next_earner_only_from_its_arrival() {
    let mut pool = StreamedPool::new(0);
    let mut a = Position::default();
    let none: &mut [(i64, ExpiryBucket)] = &mut [];
    pool.pool.add_weight(&mut a, 1).unwrap();
    pool.stream.fund(100, 100, 0).unwrap();
    pool.advance(50, none).unwrap();
    pool.pool.remove_weight(&mut a, 1).unwrap();
    assert_eq!(a.pending, 50);
    // 30 idle seconds: nothing released, the period now ends at 130.
    pool.advance(80, none).unwrap();
    assert_eq!((pool.stream.period_end, pool.stream.remaining), (130, 50));
    assert_eq!(pool.pool.undistributed, 0);
    // b arrives and is paid from its arrival only: one second, one token.
    let mut b = Position::default();
    pool.pool.add_weight(&mut b, 1).unwrap();
    pool.advance(81, none).unwrap();
    assert_eq!(pool.pool.claim(&mut b).unwrap(), 1);
    pool.advance(1_000, none).unwrap();
    assert_eq!(pool.pool.claim(&mut b).unwrap(), 49);
    assert_eq!(pool.stream.remaining, 0);
}

#[test]
fn the_ring_finds_days_in_order_across_its_wrap() {
    // Last applied day 2,040: its window is 2,041 ..= 4,087.
    let mut pool = StreamedPool::new(2_040 * DAY + 5);
    assert_eq!(pool.ring.last_applied_day, 2_040);
    let mut bucket = ExpiryBucket::default();
    for day in [2_050, 2_045, 4_087, 2_041] {
        pool.schedule_expiry(day, &mut bucket, 1).unwrap();
    }
    // 2,050 is bit 2 (after the wrap), 2,045 is bit 2,045.
    assert!(pool.ring.is_pending(2_050) && pool.ring.pending[0] == 0b100);
    // Day 2 has the same bit as 2,050 but is outside the window.
    assert!(!pool.ring.is_pending(2));
    assert_eq!(pool.ring.next_pending(2_040), None);
    assert_eq!(pool.ring.next_pending(2_041), Some(2_041));
    assert_eq!(pool.ring.next_pending(i64::MAX), Some(2_041));
    assert_eq!(
        pool.ring.pending_days().collect::<std::vec::Vec<_>>(),
        [2_041, 2_045, 2_050, 4_087]
    );
    // Outside the window: today, the past, 2,048 days ahead.
    let before = (pool, bucket);
    for day in [2_040, 7, 4_088, i64::MAX, i64::MIN] {
        assert_eq!(
            pool.schedule_expiry(day, &mut bucket, 1),
            Err(AccrualError::ExpiryOutOfRange)
        );
    }
    assert_eq!((pool, bucket), before);
    // Scheduling nothing is nothing, wherever.
    pool.schedule_expiry(7, &mut bucket, 0).unwrap();
    assert_eq!((pool, bucket), before);
    assert_eq!(pool.expiring_weight, 4);
}

#[test]
fn a_lock_boost_ends_at_its_day_with_nobody_calling_anything() {
    // a: 1,000 locked a year at 3x (2,000 of boost); b: 1,000 unlocked.
    // 63,072,000 over two years: one token a second.
    let mut pool = StreamedPool::new(T0);
    let (mut a, mut b) = (Position::default(), Position::default());
    let day = end_day(T0 + YEAR);
    let mut buckets = [(day, ExpiryBucket::default())];
    pool.pool.add_weight(&mut a, 3_000).unwrap();
    pool.schedule_expiry(day, &mut buckets[0].1, 2_000).unwrap();
    pool.pool.add_weight(&mut b, 1_000).unwrap();
    pool.stream.fund(63_072_000, 2 * YEAR, T0).unwrap();
    assert_eq!(pool.stream.rate_per_second, E12);
    assert_eq!(
        (pool.expiring_weight, pool.next_due(T0 + YEAR - 1)),
        (2_000, None)
    );

    // Two years later, nothing called in between.
    pool.advance(T0 + 2 * YEAR, &mut buckets).unwrap();
    let bucket = buckets[0].1;
    // Year one: 31,536,000 to a weight of 4,000.
    assert!(bucket.applied);
    assert_eq!(bucket.index_at_end, 7_884 * E12);
    assert_eq!((pool.pool.total_weight, pool.expiring_weight), (2_000, 0));
    assert_eq!(pool.ring.last_applied_day, day + 365);
    // Year two: 31,536,000 to a weight of 2,000.
    assert_eq!(pool.pool.index.reward_per_weight, (7_884 + 15_768) * E12);
    assert!(pool
        .settle_expiring(&mut a, 2_000, day, &mut buckets)
        .unwrap());
    assert!(!pool.settle_expiring(&mut b, 0, 0, &mut buckets).unwrap());
    assert_eq!((a.weight, b.weight), (1_000, 1_000));
    // 3,000 × 7,884 + 1,000 × 15,768 and 1,000 × (7,884 + 15,768).
    assert_eq!(
        (a.take_pending(), b.take_pending()),
        (39_420_000, 23_652_000)
    );
    // Settling again finds nothing more (the boost left the position).
    assert!(!pool.settle_expiring(&mut a, 0, day, &mut buckets).unwrap());
    assert_eq!(a.pending, 0);
}

#[test]
fn a_boost_ends_at_the_next_midnight_after_the_lock() {
    // Locked at 06:00 for a year: the lock, and the boost, end at the
    // following midnight, 18 hours after a plain year.
    let start = T0 + DAY / 4;
    let mut pool = StreamedPool::new(start);
    let (mut a, mut b) = (Position::default(), Position::default());
    let day = end_day(start + YEAR);
    assert_eq!(day_start(day).unwrap(), start + YEAR + 3 * DAY / 4);
    let mut buckets = [(day, ExpiryBucket::default())];
    pool.pool.add_weight(&mut a, 3_000).unwrap();
    pool.schedule_expiry(day, &mut buckets[0].1, 2_000).unwrap();
    pool.pool.add_weight(&mut b, 1_000).unwrap();
    pool.stream.fund(63_072_000, 2 * YEAR, start).unwrap();
    // Not yet due a second before that midnight.
    assert_eq!(pool.next_due(start + YEAR + 3 * DAY / 4 - 1), None);
    assert_eq!(pool.next_due(start + YEAR + 3 * DAY / 4), Some(day));
    pool.advance(start + 2 * YEAR, &mut buckets).unwrap();
    let boosted = (YEAR + 3 * DAY / 4) as u64; // seconds at 3 : 1
    let after = 2 * YEAR as u64 - boosted; // seconds at 1 : 1
    pool.settle_expiring(&mut a, 2_000, day, &mut buckets)
        .unwrap();
    pool.settle_expiring(&mut b, 0, 0, &mut buckets).unwrap();
    assert_eq!(a.pending, boosted * 3 / 4 + after / 2);
    assert_eq!(b.pending, boosted / 4 + after / 2);
    assert_eq!(a.pending + b.pending, 63_072_000);
}

#[test]
fn settle_expired_floors_once() {
    let index = RewardIndex {
        reward_per_weight: 2 * E12 / 3,
        dust: 0,
    };
    // 3 × 0.333333333333 + 2 × 0.333333333333 = 1.666666666665 → 1.
    let mut p = Position {
        weight: 3,
        index_snapshot: 0,
        pending: 4,
    };
    p.settle_expired(1, E12 / 3, &index).unwrap();
    assert_eq!(
        p,
        Position {
            weight: 2,
            index_snapshot: 2 * E12 / 3,
            pending: 5
        }
    );
    // Whole numbers: 3 × 0.5 + 1 × 0.5 = 2.
    let index = RewardIndex {
        reward_per_weight: E12,
        dust: 0,
    };
    let mut p = Position {
        weight: 3,
        ..Position::default()
    };
    p.settle_expired(2, E12 / 2, &index).unwrap();
    assert_eq!((p.weight, p.pending), (1, 2));

    // Errors change nothing: more expired than held, a snapshot after the
    // end, an end after now, a result beyond u64.
    let p = Position {
        weight: 3,
        index_snapshot: 10,
        pending: 0,
    };
    for (expired, end, index, error) in [
        (4, 10, 20, AccrualError::InsufficientWeight),
        (1, 9, 20, AccrualError::SnapshotAhead),
        (1, 21, 20, AccrualError::SnapshotAhead),
        (1, 10, u128::MAX / 2, AccrualError::Overflow),
    ] {
        let mut q = p;
        let index = RewardIndex {
            reward_per_weight: index,
            dust: 0,
        };
        assert_eq!(q.settle_expired(expired, end, &index), Err(error));
        assert_eq!(q, p);
    }
}

#[test]
fn applying_stops_at_a_missing_bucket_and_goes_on_later() {
    let mut pool = StreamedPool::new(T0);
    let mut p = Position::default();
    pool.pool.add_weight(&mut p, 10).unwrap();
    let mut buckets = [
        (20_001, ExpiryBucket::default()),
        (20_002, ExpiryBucket::default()),
        (20_003, ExpiryBucket::default()),
    ];
    for (day, bucket) in &mut buckets {
        pool.schedule_expiry(*day, bucket, 2).unwrap();
    }
    // One token a second.
    pool.stream.fund(4 * 86_400, 4 * DAY, T0).unwrap();
    let now = T0 + 4 * DAY;
    // Only day 20,001's bucket and day 20,003's: 20,001 applies, then it
    // stops before 20,002 and the pool stands at that day's start.
    let mut some = [buckets[0], buckets[2]];
    assert_eq!(
        pool.advance(now, &mut some),
        Err(AccrualError::MissingBucket)
    );
    assert!(some[0].1.applied && !some[1].1.applied);
    // 86,400 to a weight of 10.
    assert_eq!(some[0].1.index_at_end, 8_640 * E12);
    assert_eq!(pool.ring.last_applied_day, 20_001);
    assert_eq!(pool.stream.last_update, T0 + DAY);
    assert_eq!((pool.pool.total_weight, pool.expiring_weight), (8, 4));
    // Nothing applies without the next one in line.
    let mut late = [buckets[2]];
    assert_eq!(pool.apply_due(now, &mut late).unwrap(), 0);
    // Out of order, by hand: refused, nothing changes.
    let before = pool;
    assert_eq!(
        pool.apply_expiry(20_003, &mut late[0].1),
        Err(AccrualError::ExpiryInconsistent)
    );
    assert_eq!((pool, late[0].1), (before, buckets[2].1));
    // Twice: refused.
    assert_eq!(
        pool.apply_expiry(20_001, &mut some[0].1),
        Err(AccrualError::ExpiryInconsistent)
    );
    // With the rest, on to now: 86,400 a day at weights 10, 8, 6 and 4.
    let mut rest = [buckets[1], buckets[2]];
    assert_eq!(pool.apply_due(now, &mut rest).unwrap(), 2);
    pool.advance(now, &mut rest).unwrap();
    assert_eq!(pool.ring.last_applied_day, 20_004);
    assert_eq!(pool.pool.total_weight, 4);
    assert_eq!(
        (rest[0].1.index_at_end, rest[1].1.index_at_end),
        ((8_640 + 10_800) * E12, (8_640 + 10_800 + 14_400) * E12)
    );
    assert_eq!(
        pool.pool.index.reward_per_weight,
        (8_640 + 10_800 + 14_400 + 21_600) * E12
    );
}

#[test]
fn cancelling_moves_weight_back_out_of_a_pending_bucket() {
    let mut pool = StreamedPool::new(T0);
    let mut bucket = ExpiryBucket::default();
    pool.schedule_expiry(20_010, &mut bucket, 5).unwrap();
    pool.schedule_expiry(20_010, &mut bucket, 3).unwrap();
    assert_eq!((bucket.weight_decrease, pool.expiring_weight), (8, 8));
    pool.cancel_expiry(20_010, &mut bucket, 5).unwrap();
    assert!(pool.ring.is_pending(20_010));
    let before = (pool, bucket);
    assert_eq!(
        pool.cancel_expiry(20_010, &mut bucket, 4),
        Err(AccrualError::InsufficientWeight)
    );
    assert_eq!(
        pool.cancel_expiry(20_011, &mut bucket, 1),
        Err(AccrualError::ExpiryInconsistent)
    );
    assert_eq!((pool, bucket), before);
    // Emptied: the day is no longer pending, so nothing will need it.
    pool.cancel_expiry(20_010, &mut bucket, 3).unwrap();
    assert!(!pool.ring.is_pending(20_010));
    assert_eq!((bucket.weight_decrease, pool.expiring_weight), (0, 0));
    assert_eq!(pool.next_due(T0 + 30 * DAY), None);
    // An applied bucket can take nothing any more.
    let mut applied = ExpiryBucket {
        applied: true,
        ..ExpiryBucket::default()
    };
    assert_eq!(
        pool.schedule_expiry(20_010, &mut applied, 1),
        Err(AccrualError::ExpiryOutOfRange)
    );
    assert_eq!(
        pool.cancel_expiry(20_010, &mut applied, 1),
        Err(AccrualError::ExpiryInconsistent)
    );
}

#[test]
fn a_position_needs_its_applied_bucket_to_settle() {
    let mut pool = StreamedPool::new(T0);
    let mut p = Position::default();
    let mut buckets = [(20_001, ExpiryBucket::default())];
    pool.pool.add_weight(&mut p, 3).unwrap();
    pool.schedule_expiry(20_001, &mut buckets[0].1, 2).unwrap();
    pool.advance(T0 + 2 * DAY, &mut buckets).unwrap();
    let none: &mut [(i64, ExpiryBucket)] = &mut [];
    let before = p;
    assert_eq!(
        pool.settle_expiring(&mut p, 2, 20_001, none),
        Err(AccrualError::MissingBucket)
    );
    // A bucket of that day that was never applied is not the one.
    let mut fake = [(20_001, ExpiryBucket::default())];
    assert_eq!(
        pool.settle_expiring(&mut p, 2, 20_001, &mut fake),
        Err(AccrualError::ExpiryInconsistent)
    );
    assert_eq!(p, before);
    assert!(pool
        .settle_expiring(&mut p, 2, 20_001, &mut buckets)
        .unwrap());
    assert_eq!(p.weight, 1);
}

#[test]
fn expiry_errors_display() {
    use std::string::ToString;
    assert_eq!(
        AccrualError::MissingBucket.to_string(),
        "a due expiry bucket was not provided"
    );
}
