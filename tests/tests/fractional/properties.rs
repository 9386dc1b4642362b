//! Property test on a real bank: random buys by four investors in one
//! offering that succeeds (the owner retains the unsold shares), revenue
//! deposits along the way, then random sequences of deposits, claims and
//! share withdrawals, transfers and deposits between the holders. After
//! every step the books balance, and every holder has been paid (or can
//! claim) what the shares it had earning at each deposit entitle it to,
//! computed exactly as a rational number, never more and at most one base
//! unit per deposit less.

use std::cmp::Ordering;

use depin_client::{revenue, ClientError, Pubkey, Sent};
use depin_fractional::errors::FractionalError;
use depin_revenue::errors::RevenueError;
use depin_tests::run_bank_property;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::fixture::{Investor, Market};

const INVESTORS: usize = 4;
/// The investors and the asset's owner (who retains the unsold shares).
const HOLDERS: usize = INVESTORS + 1;
const OWNER: usize = INVESTORS;
const FOR_SALE: u64 = 800;
const PRICE: u64 = 10;

#[derive(Debug, Clone)]
struct Buy {
    investor: usize,
    shares: u64,
    /// Revenue deposited right after this purchase.
    deposit_after: Option<u64>,
}

#[derive(Debug, Clone)]
enum Step {
    Deposit {
        amount: u64,
    },
    Claim {
        holder: usize,
    },
    /// `percent` of a holder's earning shares to its wallet (`holder`
    /// picks among those with shares earning).
    Withdraw {
        holder: usize,
        percent: u64,
    },
    /// `percent` of a holder's wallet shares (`from` picks among those
    /// with some) to another holder's wallet.
    Transfer {
        from: usize,
        to: usize,
        percent: u64,
    },
    /// `percent` of a holder's wallet shares (`holder` picks among those
    /// with some) into its holding.
    DepositShares {
        holder: usize,
        percent: u64,
    },
}

fn amount() -> impl Strategy<Value = u64> {
    prop_oneof![1u64..10, 10u64..100_000, 100_000u64..1_000_000_000]
}

fn percent() -> impl Strategy<Value = u64> {
    prop_oneof![Just(100u64), 1u64..100]
}

fn buy() -> impl Strategy<Value = Buy> {
    (0..INVESTORS, 1u64..=250, prop::option::of(amount())).prop_map(
        |(investor, shares, deposit_after)| Buy {
            investor,
            shares,
            deposit_after,
        },
    )
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => amount().prop_map(|amount| Step::Deposit { amount }),
        3 => (0..HOLDERS).prop_map(|holder| Step::Claim { holder }),
        2 => (0..HOLDERS, percent())
            .prop_map(|(holder, percent)| Step::Withdraw { holder, percent }),
        2 => (0..HOLDERS, 0..HOLDERS, percent())
            .prop_map(|(from, to, percent)| Step::Transfer { from, to, percent }),
        2 => (0..HOLDERS, percent())
            .prop_map(|(holder, percent)| Step::DepositShares { holder, percent }),
    ]
}

/// An unsigned integer of any size (little-endian 64-bit limbs, no
/// leading zero limbs): enough to add fractions exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Big(Vec<u64>);

impl Big {
    fn zero() -> Big {
        Big(Vec::new())
    }

    fn from_u64(x: u64) -> Big {
        Big(vec![x]).trimmed()
    }

    fn trimmed(mut self) -> Big {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
        self
    }

    fn times(&self, factor: u64) -> Big {
        let mut limbs = Vec::with_capacity(self.0.len() + 1);
        let mut carry = 0u128;
        for &limb in &self.0 {
            let product = u128::from(limb) * u128::from(factor) + carry;
            limbs.push(product as u64);
            carry = product >> 64;
        }
        limbs.push(carry as u64);
        Big(limbs).trimmed()
    }

    fn plus(&self, other: &Big) -> Big {
        let len = self.0.len().max(other.0.len());
        let mut limbs = Vec::with_capacity(len + 1);
        let mut carry = 0u128;
        for i in 0..len {
            let limb = |b: &Big| u128::from(b.0.get(i).copied().unwrap_or(0));
            let sum = limb(self) + limb(other) + carry;
            limbs.push(sum as u64);
            carry = sum >> 64;
        }
        limbs.push(carry as u64);
        Big(limbs).trimmed()
    }
}

impl Ord for Big {
    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }
}

impl PartialOrd for Big {
    fn partial_cmp(&self, other: &Big) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What should be on the books.
struct Model {
    /// Shares in each holder's holding (earning).
    earning: [u64; HOLDERS],
    /// Shares in each holder's wallet.
    wallet: [u64; HOLDERS],
    /// Revenue each holder has claimed (its claim account's balance).
    claimed: [u64; HOLDERS],
    /// Each holder's exact entitlement `Σ_k earning_ik × value_k / W_k`
    /// over the common denominator `den = Π_k W_k` (k: the deposits that
    /// were distributed; value_k includes revenue held back before).
    owed: [Big; HOLDERS],
    den: Big,
    /// Distributed deposits during which the holder had shares earning:
    /// each may round one base unit (or less) away from it.
    roundings: [u64; HOLDERS],
    deposited: u64,
    /// Revenue deposited while no share earned.
    undistributed: u64,
}

impl Model {
    fn new() -> Model {
        Model {
            earning: [0; HOLDERS],
            wallet: [0; HOLDERS],
            claimed: [0; HOLDERS],
            owed: std::array::from_fn(|_| Big::zero()),
            den: Big::from_u64(1),
            roundings: [0; HOLDERS],
            deposited: 0,
            undistributed: 0,
        }
    }

    fn earning_total(&self) -> u64 {
        self.earning.iter().sum()
    }

    fn deposit(&mut self, amount: u64) {
        self.deposited += amount;
        let total = self.earning_total();
        if total == 0 {
            self.undistributed += amount;
            return;
        }
        let value = amount + std::mem::take(&mut self.undistributed);
        for i in 0..HOLDERS {
            let share = self.den.times(self.earning[i]).times(value);
            self.owed[i] = self.owed[i].times(total).plus(&share);
            if self.earning[i] > 0 {
                self.roundings[i] += 1;
            }
        }
        self.den = self.den.times(total);
    }
}

struct Books {
    m: Market,
    depositor: Investor,
    holders: Vec<Investor>,
    /// Each holder's USDC account for revenue (empty at the start).
    claim_to: Vec<Pubkey>,
    model: Model,
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

fn code(error: impl Into<u32>) -> Option<u32> {
    Some(error.into())
}

fn part(of: u64, percent: u64) -> u64 {
    of * percent / 100
}

/// The `selector`-th (cyclically) of the holders with a non-zero `amount`.
fn pick(amounts: &[u64; HOLDERS], selector: usize) -> Option<usize> {
    let eligible: Vec<usize> = (0..HOLDERS).filter(|&i| amounts[i] > 0).collect();
    (!eligible.is_empty()).then(|| eligible[selector % eligible.len()])
}

impl Books {
    async fn deposit(&mut self, amount: u64) -> Result<(), TestCaseError> {
        let result = outcome(self.m.deposit_revenue(&self.depositor, amount).await)?;
        prop_assert_eq!(result, None);
        self.model.deposit(amount);
        Ok(())
    }

    async fn claim(&mut self, i: usize) -> Result<(), TestCaseError> {
        let holder = &self.holders[i];
        let (_, claimable) = self.m.position(&holder.key()).await;
        let ix = revenue::claim_revenue(&holder.key(), &self.m.keys.share_mint, &self.claim_to[i]);
        let result = self.m.env.send(&[ix], &[&holder.wallet]).await;
        if claimable == 0 {
            let expected = if self.m.holding(&holder.key()).await.is_some() {
                code(RevenueError::NothingToClaim)
            } else {
                code(anchor_lang::error::ErrorCode::AccountNotInitialized)
            };
            prop_assert_eq!(outcome(result)?, expected);
        } else {
            prop_assert_eq!(outcome(result)?, None);
            self.model.claimed[i] += claimable;
            // Paid exactly once: nothing is left to claim.
            prop_assert_eq!(self.m.position(&holder.key()).await.1, 0);
        }
        Ok(())
    }

    async fn run(&mut self, step: Step) -> Result<(), TestCaseError> {
        match step {
            Step::Deposit { amount } => self.deposit(amount).await?,
            Step::Claim { holder } => self.claim(holder).await?,
            Step::Withdraw { holder, percent } => {
                let Some(holder) = pick(&self.model.earning, holder) else {
                    return Ok(());
                };
                let amount = part(self.model.earning[holder], percent);
                if amount > 0 {
                    let result = self.m.withdraw(&self.holders[holder], amount).await;
                    prop_assert_eq!(outcome(result)?, None);
                    self.model.earning[holder] -= amount;
                    self.model.wallet[holder] += amount;
                }
            }
            Step::Transfer { from, to, percent } => {
                let Some(from) = pick(&self.model.wallet, from) else {
                    return Ok(());
                };
                let to = if to == from { (to + 1) % HOLDERS } else { to };
                let amount = part(self.model.wallet[from], percent);
                if amount > 0 {
                    let result = self
                        .m
                        .transfer_shares(&self.holders[from], &self.holders[to], amount)
                        .await;
                    prop_assert_eq!(outcome(result)?, None);
                    self.model.wallet[from] -= amount;
                    self.model.wallet[to] += amount;
                }
            }
            Step::DepositShares { holder, percent } => {
                let Some(holder) = pick(&self.model.wallet, holder) else {
                    return Ok(());
                };
                let amount = part(self.model.wallet[holder], percent);
                if amount > 0 {
                    let result = self.m.deposit_shares(&self.holders[holder], amount).await;
                    prop_assert_eq!(outcome(result)?, None);
                    self.model.wallet[holder] -= amount;
                    self.model.earning[holder] += amount;
                }
            }
        }
        Ok(())
    }

    /// The books after a step.
    async fn check(&self) -> Result<(), TestCaseError> {
        let model = &self.model;
        let m = &self.m;
        let mut paid = 0;
        for i in 0..HOLDERS {
            let holder = &self.holders[i];
            let (earning, claimable) = m.position(&holder.key()).await;
            prop_assert_eq!(earning, model.earning[i], "holder {} earning", i);
            prop_assert_eq!(
                m.balance(&holder.shares).await,
                model.wallet[i],
                "holder {} wallet",
                i
            );
            let claimed = m.balance(&self.claim_to[i]).await;
            prop_assert_eq!(claimed, model.claimed[i], "holder {} claimed", i);
            paid += claimed;

            // claimed + claimable against the exact entitlement: never
            // more, and less by at most one unit per deposit it shared in.
            let total = claimed + claimable;
            prop_assert!(
                model.den.times(total) <= model.owed[i],
                "holder {} was paid more than its share: {} (+{} claimable)",
                i,
                claimed,
                claimable
            );
            prop_assert!(
                model.owed[i] <= model.den.times(total + model.roundings[i]),
                "holder {} is short more than {} units: {} (+{} claimable)",
                i,
                model.roundings[i],
                claimed,
                claimable
            );
        }
        let vault = m.balance(&m.keys.revenue_vault).await;
        prop_assert_eq!(paid + vault, model.deposited, "paid + vault = deposited");
        let pool = m.pool().await;
        prop_assert_eq!(pool.total_deposited, model.deposited);
        prop_assert_eq!(pool.total_claimed, paid);
        prop_assert_eq!(pool.undistributed, model.undistributed);
        prop_assert_eq!(pool.total_weight, u128::from(model.earning_total()));
        prop_assert_eq!(m.balance(&m.keys.share_vault).await, model.earning_total());
        let circulating = model.earning_total() + model.wallet.iter().sum::<u64>();
        prop_assert_eq!(m.supply().await, circulating);
        prop_assert_eq!(m.asset().await.issued, circulating);
        Ok(())
    }
}

async fn run(buys: Vec<Buy>, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let m = Market::new().await;
    m.offer(0, FOR_SALE, PRICE, 1, 0, false).await;
    let depositor = m.investor(1_000_000_000_000, false).await;
    let mut holders = Vec::with_capacity(HOLDERS);
    for _ in 0..INVESTORS {
        holders.push(m.investor(FOR_SALE * PRICE, false).await);
    }
    holders.push(m.owner_as_investor().await);
    let mut claim_to = Vec::with_capacity(HOLDERS);
    for holder in &holders {
        claim_to.push(m.env.token_account(&m.usdc, &holder.key()).await);
    }
    let mut books = Books {
        m,
        depositor,
        holders,
        claim_to,
        model: Model::new(),
    };

    // The offering: every purchase earns from the moment it is made.
    let mut sold = 0;
    for buy in buys {
        let result = books
            .m
            .buy(&books.holders[buy.investor], 0, buy.shares)
            .await;
        if sold + buy.shares > FOR_SALE {
            prop_assert_eq!(outcome(result)?, code(FractionalError::SoldOut));
        } else {
            prop_assert_eq!(outcome(result)?, None);
            sold += buy.shares;
            books.model.earning[buy.investor] += buy.shares;
        }
        if let Some(amount) = buy.deposit_after {
            books.deposit(amount).await?;
        }
        books.check().await?;
    }
    books.m.reach_deadline(0).await;
    books.m.close(0).await.unwrap();
    books.model.earning[OWNER] += FOR_SALE - sold;
    books.check().await?;

    for step in steps {
        books.run(step).await?;
        books.check().await?;
    }
    Ok(())
}

#[test]
fn random_revenue_claims_and_share_moves_keep_the_books_exact() {
    run_bank_property(
        8,
        &(
            prop::collection::vec(buy(), 1..8),
            prop::collection::vec(step(), 8..28),
        ),
        |(buys, steps)| run(buys, steps),
    );
}

#[test]
fn exact_fractions_compare_like_numbers() {
    let a = Big::from_u64(u64::MAX).times(u64::MAX);
    let b = a.plus(&Big::from_u64(1));
    assert!(a < b);
    assert_eq!(Big::from_u64(3).times(0), Big::zero());
    assert_eq!(Big::from_u64(1 << 63).times(4), Big(vec![0, 2]));
    assert!(Big::from_u64(7) > Big::zero());
    // 1/3 + 1/6 over a common denominator is exactly 1/2.
    let mut model = Model::new();
    model.earning = [1, 0, 0, 0, 2];
    model.deposit(1);
    model.earning = [1, 0, 0, 0, 5];
    model.deposit(1);
    // holder 0: 1/3 + 1/6 = 1/2, over den = 3 × 6 = 18.
    assert_eq!(model.den, Big::from_u64(18));
    assert_eq!(model.owed[0], Big::from_u64(9));
    assert_eq!(model.owed[4], Big::from_u64(2 * 6 + 5 * 3));
    assert_eq!(model.roundings, [2, 0, 0, 0, 2]);
}
