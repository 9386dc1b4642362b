//! Property test on a real bank: one or two offerings in a row, each with
//! a random soft cap, so they succeed or fail; random buys and revenue
//! deposits while they are open (the owner may hold retained shares, or
//! nobody may); after each, random deposits, claims and share moves
//! between holders. After every step the books balance: every holder has
//! been paid (or can claim) what its shares entitle it to, computed exactly
//! as a rational number, never more and less only by a bounded rounding; a
//! buyer of a failed offering ends with exactly what it paid and nothing of
//! the revenue its shares earned, which went back to the other holders (to
//! the owner when there were none); a successful buyer gets the revenue its
//! shares earned from the moment it bought.

use std::cmp::Ordering;

use depin_client::fractional::OfferingState;
use depin_client::{revenue, ClientError, Pubkey, Sent};
use depin_fractional::errors::FractionalError;
use depin_revenue::errors::RevenueError;
use depin_tests::run_bank_property;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::fixture::{Investor, Market};

const INVESTORS: usize = 4;
/// The investors and the asset's owner (who retains shares).
const HOLDERS: usize = INVESTORS + 1;
const OWNER: usize = INVESTORS;
const PRICE: u64 = 10;
/// Each investor's USDC for buying: enough for every offering.
const BUDGET: u64 = 10_000;

#[derive(Debug, Clone)]
struct Buy {
    investor: usize,
    shares: u64,
    /// Revenue deposited right after this purchase.
    deposit_after: Option<u64>,
}

#[derive(Debug, Clone)]
struct Sale {
    /// Shares the owner retains before the offering opens.
    retain: u64,
    for_sale: u64,
    /// The soft cap as a percentage of the shares for sale.
    soft_cap_percent: u64,
    buys: Vec<Buy>,
    /// Steps after the offering closed and was settled.
    steps: Vec<Step>,
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
    (0..INVESTORS, 1u64..=150, prop::option::of(amount())).prop_map(
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

fn sale() -> impl Strategy<Value = Sale> {
    (
        prop_oneof![Just(0u64), 1u64..=100],
        1u64..=300,
        prop_oneof![Just(0u64), Just(100u64), 1u64..100],
        prop::collection::vec(buy(), 0..7),
        prop::collection::vec(step(), 2..12),
    )
        .prop_map(|(retain, for_sale, soft_cap_percent, buys, steps)| Sale {
            retain,
            for_sale,
            soft_cap_percent,
            buys,
            steps,
        })
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

/// What should be on the books. Entitlements are exact fractions over the
/// common denominator `den` (the product of the total weights of every
/// distribution so far).
struct Model {
    /// Shares in each holder's holding (earning).
    earning: [u64; HOLDERS],
    /// Shares in each holder's wallet.
    wallet: [u64; HOLDERS],
    /// Shares bought in the open offering (earning in its holding).
    provisional: [u64; HOLDERS],
    /// Revenue each holder has claimed (its claim account's balance).
    claimed: [u64; HOLDERS],
    /// Each holder's exact entitlement from its own holding.
    owed: [Big; HOLDERS],
    /// Each buyer's exact entitlement from its purchase in the open offering.
    owed_provisionally: [Big; HOLDERS],
    den: Big,
    /// Units a holder may be short of its exact entitlement: one per
    /// distribution it shared in, more around an offering (see `close`).
    roundings: [u64; HOLDERS],
    provisional_roundings: [u64; HOLDERS],
    deposited: u64,
    /// Buys and deposits in the open offering (each can round once in the
    /// offering's holding).
    offering_events: u64,
}

impl Model {
    fn new() -> Model {
        Model {
            earning: [0; HOLDERS],
            wallet: [0; HOLDERS],
            provisional: [0; HOLDERS],
            claimed: [0; HOLDERS],
            owed: std::array::from_fn(|_| Big::zero()),
            owed_provisionally: std::array::from_fn(|_| Big::zero()),
            den: Big::from_u64(1),
            roundings: [0; HOLDERS],
            provisional_roundings: [0; HOLDERS],
            deposited: 0,
            offering_events: 0,
        }
    }

    fn earning_total(&self) -> u64 {
        self.earning.iter().sum()
    }

    fn provisional_total(&self) -> u64 {
        self.provisional.iter().sum()
    }

    /// A deposit of `amount`, split exactly over every earning share;
    /// returns false when no share earns (the program refuses it).
    fn deposit(&mut self, amount: u64) -> bool {
        let total = self.earning_total() + self.provisional_total();
        if total == 0 {
            return false;
        }
        self.deposited += amount;
        for i in 0..HOLDERS {
            let share = self.den.times(self.earning[i]).times(amount);
            self.owed[i] = self.owed[i].times(total).plus(&share);
            let share = self.den.times(self.provisional[i]).times(amount);
            self.owed_provisionally[i] = self.owed_provisionally[i].times(total).plus(&share);
            if self.earning[i] > 0 {
                self.roundings[i] += 1;
            }
            // The offering's holding rounds, then the purchase.
            if self.provisional[i] > 0 {
                self.provisional_roundings[i] += 2;
            }
        }
        self.den = self.den.times(total);
        if self.provisional_total() > 0 {
            self.offering_events += 1;
        }
        true
    }

    fn buy(&mut self, investor: usize, shares: u64) {
        self.provisional[investor] += shares;
        self.offering_events += 1;
    }

    /// The offering succeeded: every purchase is delivered with what it
    /// earned, the unsold shares are the owner's.
    fn succeed(&mut self, unsold: u64) {
        for i in 0..HOLDERS {
            let earned = std::mem::replace(&mut self.owed_provisionally[i], Big::zero());
            self.owed[i] = self.owed[i].plus(&earned);
            if self.provisional[i] > 0 {
                self.roundings[i] += self.provisional_roundings[i] + 1;
            }
            self.earning[i] += std::mem::take(&mut self.provisional[i]);
        }
        self.earning[OWNER] += unsold;
        self.end_offering();
    }

    /// The offering failed: what the purchases earned goes back to the
    /// holders pro rata (to the owner if nobody holds shares).
    fn fail(&mut self) {
        let mut returned = Big::zero();
        for owed in &mut self.owed_provisionally {
            returned = returned.plus(&std::mem::replace(owed, Big::zero()));
        }
        // The offering's holding rounded at each event, the return once more.
        let slack = self.offering_events + 3;
        let holders = self.earning_total();
        if holders == 0 {
            self.owed[OWNER] = self.owed[OWNER].plus(&returned);
            self.roundings[OWNER] += slack;
        } else {
            for i in 0..HOLDERS {
                self.owed[i] = self.owed[i]
                    .times(holders)
                    .plus(&returned.times(self.earning[i]));
                if self.earning[i] > 0 {
                    self.roundings[i] += slack;
                }
            }
            self.den = self.den.times(holders);
        }
        self.provisional = [0; HOLDERS];
        self.end_offering();
    }

    fn end_offering(&mut self) {
        self.provisional_roundings = [0; HOLDERS];
        self.offering_events = 0;
    }
}

struct Books {
    m: Market,
    depositor: Investor,
    holders: Vec<Investor>,
    /// Each holder's USDC account for revenue (empty at the start).
    claim_to: Vec<Pubkey>,
    /// USDC each investor paid for shares it kept (bought in offerings
    /// that succeeded).
    spent: [u64; HOLDERS],
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
        if self.model.deposit(amount) {
            prop_assert_eq!(result, None);
        } else {
            prop_assert_eq!(result, code(RevenueError::NoSharesEarning));
        }
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

    /// One offering from opening to its last delivery or refund.
    async fn offering(&mut self, id: u16, sale: &Sale) -> Result<(), TestCaseError> {
        if sale.retain > 0 {
            self.m.retain(sale.retain).await.unwrap();
            self.model.earning[OWNER] += sale.retain;
        }
        let soft_cap = sale.for_sale * sale.soft_cap_percent / 100;
        self.m
            .offer(id, sale.for_sale, PRICE, soft_cap, 0, false)
            .await;
        let mut sold = 0;
        let mut paid = [0; HOLDERS];
        for buy in &sale.buys {
            let result = self
                .m
                .buy(&self.holders[buy.investor], id, buy.shares)
                .await;
            if sold + buy.shares > sale.for_sale {
                prop_assert_eq!(outcome(result)?, code(FractionalError::SoldOut));
            } else {
                prop_assert_eq!(outcome(result)?, None);
                sold += buy.shares;
                paid[buy.investor] += buy.shares * PRICE;
                self.model.buy(buy.investor, buy.shares);
            }
            if let Some(amount) = buy.deposit_after {
                self.deposit(amount).await?;
            }
            self.check(id).await?;
        }
        self.m.reach_deadline(id).await;
        let buyers: Vec<&Investor> = (0..INVESTORS)
            .filter(|&i| self.model.provisional[i] > 0)
            .map(|i| &self.holders[i])
            .collect();
        let mut before = Vec::with_capacity(buyers.len());
        for buyer in &buyers {
            before.push(self.m.balance(&buyer.usdc).await);
        }
        let state = self.m.close_and_settle(id, &buyers).await;
        // With no buyer, the record closed at once: no state to read.
        let expected = if buyers.is_empty() {
            None
        } else if sold >= soft_cap {
            Some(OfferingState::Succeeded)
        } else {
            Some(OfferingState::Failed)
        };
        prop_assert_eq!(state, expected);
        if sold >= soft_cap {
            self.model.succeed(sale.for_sale - sold);
            for (spent, paid) in self.spent.iter_mut().zip(paid) {
                *spent += paid;
            }
        } else {
            self.model.fail();
            // Every failed buyer got back exactly what it paid.
            for (buyer, before) in buyers.iter().zip(before) {
                let i = self
                    .holders
                    .iter()
                    .position(|h| h.key() == buyer.key())
                    .unwrap();
                prop_assert_eq!(self.m.balance(&buyer.usdc).await, before + paid[i]);
            }
        }
        // Nothing of the offering is left behind.
        prop_assert!(self.m.offering_record(id).await.is_none());
        prop_assert!(!self.m.exists(&self.m.escrow(id)).await);
        prop_assert!(self.m.offering_holding(id).await.is_none());
        self.check(id).await?;
        for step in sale.steps.clone() {
            self.run(step).await?;
            self.check(id).await?;
        }
        Ok(())
    }

    /// The books after a step (offering `id` is the current one).
    async fn check(&self, id: u16) -> Result<(), TestCaseError> {
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
            // more, and less by at most the rounding allowance.
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

            // A purchase in the open offering: its revenue waits there,
            // never more than its exact share.
            let position = m.purchase_position(id, &holder.key()).await;
            if model.provisional[i] > 0 {
                let Some((shares, revenue)) = position else {
                    return Err(TestCaseError::fail(format!("holder {i} has no purchase")));
                };
                prop_assert_eq!(shares, model.provisional[i]);
                prop_assert!(model.den.times(revenue) <= model.owed_provisionally[i]);
                prop_assert!(
                    model.owed_provisionally[i]
                        <= model
                            .den
                            .times(revenue + model.provisional_roundings[i] + 1)
                );
            } else {
                prop_assert!(position.is_none());
            }
            if i < INVESTORS {
                prop_assert_eq!(
                    m.balance(&holder.usdc).await + self.spent[i] + model.provisional[i] * PRICE,
                    BUDGET * PRICE,
                    "investor {} USDC",
                    i
                );
            }
        }
        let vault = m.balance(&m.keys.revenue_vault).await;
        prop_assert_eq!(paid + vault, model.deposited, "paid + vault = deposited");
        let pool = m.pool().await;
        prop_assert_eq!(pool.total_deposited, model.deposited);
        prop_assert_eq!(pool.total_claimed, paid);
        let working = model.earning_total() + model.provisional_total();
        prop_assert_eq!(pool.total_weight, u128::from(working));
        prop_assert_eq!(m.balance(&m.keys.share_vault).await, working);
        let circulating = working + model.wallet.iter().sum::<u64>();
        prop_assert_eq!(m.supply().await, circulating);
        prop_assert_eq!(m.asset().await.issued, circulating);
        Ok(())
    }
}

async fn run(sales: Vec<Sale>) -> Result<(), TestCaseError> {
    let m = Market::new().await;
    let depositor = m.investor(1_000_000_000_000, false).await;
    let mut holders = Vec::with_capacity(HOLDERS);
    for _ in 0..INVESTORS {
        holders.push(m.investor(BUDGET * PRICE, false).await);
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
        spent: [0; HOLDERS],
        model: Model::new(),
    };
    for (id, sale) in sales.iter().enumerate() {
        books.offering(id as u16, sale).await?;
    }
    Ok(())
}

#[test]
fn offerings_that_succeed_or_fail_keep_the_books_exact() {
    run_bank_property(24, &prop::collection::vec(sale(), 1..=2), run);
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
    assert!(model.deposit(1));
    model.earning = [1, 0, 0, 0, 5];
    assert!(model.deposit(1));
    // holder 0: 1/3 + 1/6 = 1/2, over den = 3 × 6 = 18.
    assert_eq!(model.den, Big::from_u64(18));
    assert_eq!(model.owed[0], Big::from_u64(9));
    assert_eq!(model.owed[4], Big::from_u64(2 * 6 + 5 * 3));
    assert_eq!(model.roundings, [2, 0, 0, 0, 2]);
    // Nobody earning: refused.
    model.earning = [0; HOLDERS];
    assert!(!model.deposit(5));
}

#[test]
fn a_failed_offerings_revenue_returns_to_the_holders_exactly() {
    // The owner holds 1 share; a buyer 3 provisionally; 8 units deposited:
    // 2 to the owner, 6 held for the buyer; the offering fails and the 6
    // go back to the owner: all 8 are the owner's.
    let mut model = Model::new();
    model.earning[OWNER] = 1;
    model.buy(0, 3);
    assert!(model.deposit(8));
    model.fail();
    assert_eq!(model.owed[OWNER], model.den.times(8));
    assert_eq!(model.owed[0], Big::zero());
}
