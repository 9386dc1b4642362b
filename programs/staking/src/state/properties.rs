//! Property tests of the pool's rules over random sequences of stakes,
//! fundings, time, claims, unstakes, withdrawals and slashes.

use anchor_lang::prelude::Pubkey;
use proptest::prelude::*;

use super::*;

const HOLDERS: usize = 4;

#[derive(Debug, Clone)]
enum Step {
    Stake {
        holder: usize,
        amount: u32,
        lockup_days: u8,
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
        holder: usize,
        amount: u32,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..HOLDERS, 1u32..1_000_000, 0u8..30).prop_map(|(holder, amount, lockup_days)| {
            Step::Stake {
                holder,
                amount,
                lockup_days,
            }
        }),
        (1u32..10_000_000, 1u8..30).prop_map(|(amount, days)| Step::Fund { amount, days }),
        (1u16..2_000).prop_map(|hours| Step::Wait { hours }),
        (0..HOLDERS).prop_map(|holder| Step::Claim { holder }),
        (0..HOLDERS).prop_map(|holder| Step::Unstake { holder }),
        (0..HOLDERS).prop_map(|holder| Step::Withdraw { holder }),
        (0..HOLDERS, 0u32..2_000_000).prop_map(|(holder, amount)| Step::Slash { holder, amount }),
    ]
}

fn params() -> PoolParams {
    PoolParams {
        max_lockup_secs: 30 * DAY,
        max_multiplier_bps: 3 * BPS,
        cooldown_secs: 2 * DAY,
    }
}

proptest! {
    /// Paid rewards plus what is still owed never exceed what was funded;
    /// a claim right after a claim pays nothing; principal is conserved
    /// (staked in = withdrawn + slashed + still held); locked or cooling
    /// stake never leaves early.
    #[test]
    fn books_balance(steps in prop::collection::vec(step(), 1..80)) {
        let mut now = 1_700_000_000i64;
        let mut pool = StakePool::new(Pubkey::default(), Pubkey::default(), Pubkey::default(), Pubkey::default(), Pubkey::default(), [0; 3], &params(), now);
        let mut positions: Vec<Position> = (0..HOLDERS)
            .map(|i| Position::open(Pubkey::default(), Pubkey::new_from_array([i as u8; 32]), PositionKind::OperatorBond, 0, 0, 0, now).unwrap())
            .collect();
        let (mut staked_in, mut withdrawn, mut slashed, mut paid) = (0u64, 0u64, 0u64, 0u64);

        for step in steps {
            pool.accrue(now).unwrap();
            match step {
                Step::Stake { holder, amount, lockup_days } => {
                    let p = &mut positions[holder];
                    if p.unbonding == 0 {
                        if p.amount == 0 {
                            p.lockup_secs = i64::from(lockup_days) * DAY;
                            p.lockup_end = now + p.lockup_secs;
                        }
                        pool.add_stake(p, u64::from(amount)).unwrap();
                        staked_in += u64::from(amount);
                    }
                }
                Step::Fund { amount, days } => pool.fund(u64::from(amount), i64::from(days) * DAY, now).unwrap(),
                Step::Wait { hours } => now += i64::from(hours) * 3_600,
                Step::Claim { holder } => {
                    paid += pool.take_rewards(&mut positions[holder]).unwrap();
                    prop_assert_eq!(pool.take_rewards(&mut positions[holder]).unwrap(), 0);
                }
                Step::Unstake { holder } => {
                    let p = &mut positions[holder];
                    if p.amount > 0 && p.unbonding == 0 && !p.is_locked(now) {
                        pool.start_unstake(p, now).unwrap();
                        prop_assert_eq!(p.weight, 0);
                    }
                }
                Step::Withdraw { holder } => {
                    let p = &mut positions[holder];
                    if p.unbonding > 0 && now >= p.unbonding_ends_at {
                        paid += pool.take_rewards(p).unwrap();
                        withdrawn += pool.finish_withdraw(p).unwrap();
                    }
                }
                Step::Slash { holder, amount } => {
                    let p = &mut positions[holder];
                    let amount = u64::from(amount);
                    match pool.slash(p, amount) {
                        Ok(()) => slashed += amount,
                        Err(e) => {
                            prop_assert_eq!(e, crate::errors::StakingError::SlashTooLarge.into());
                            prop_assert!(amount > p.amount + p.unbonding);
                        }
                    }
                }
            }
            let owed: u64 = positions.iter().map(|p| pool.pending_rewards(p, now).unwrap()).sum();
            prop_assert!(paid + owed <= pool.total_rewards_funded, "paid {} + owed {} > funded {}", paid, owed, pool.total_rewards_funded);
            prop_assert_eq!(paid, pool.total_rewards_paid);
            let held: u64 = positions.iter().map(|p| p.amount + p.unbonding).sum();
            prop_assert_eq!(staked_in, withdrawn + slashed + held);
            prop_assert_eq!(pool.total_staked, held);
            let weights: u128 = positions.iter().map(|p| p.weight).sum();
            prop_assert_eq!(weights, pool.total_weight);
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
    assert_eq!(
        p.weight(u64::MAX, 30 * DAY).unwrap(),
        u128::from(u64::MAX) * 3
    );
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
    )
    .unwrap();
    pool.add_stake(&mut p, 500).unwrap();
    pool.fund(1_000, 100, now).unwrap();
    assert_eq!(pool.pending_rewards(&p, now + 50).unwrap(), 500);
    assert_eq!(pool.pending_rewards(&p, now + 1_000).unwrap(), 1_000);
    pool.accrue(now + 1_000).unwrap();
    assert_eq!(pool.take_rewards(&mut p).unwrap(), 1_000);
}
