//! Property test on a real bank: random tariffs, market fees and payees
//! (an owned battery with or without an operator, a tokenized one whose
//! shares earn or not), and sessions fed random cumulative readings at
//! random times: honest ones, too many units, too few, after the deadline,
//! replays of settled ones, final ones; sessions end by a final reading or
//! by a reclaim after the deadline. An independent model of the rules says
//! which readings settle and how each charge splits; after every step the
//! books match it to the base unit: the deposits are what was settled plus
//! what was refunded plus what the escrows still hold, what was settled is
//! exactly the fee plus the operator's cut plus the machine's part (its
//! holders' in the revenue pool, less rounding dust under one unit per
//! settlement), and a replayed reading never pays twice.

use depin_client::fractional;
use depin_client::payments::TariffTerms;
use depin_client::{token, ClientError, Pubkey, Sent, Signer};
use depin_tests::market::{Investor, USDC};
use depin_tests::run_bank_property;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::fixture::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Payee {
    Owner,
    OwnerWithOperator,
    /// The tokenized battery, its shares earning in the pool.
    Holders,
    /// The tokenized battery with an operator, no share earning yet.
    IdleAssetWithOperator,
}

#[derive(Debug, Clone, Copy)]
struct Reading {
    /// Seconds after the previous step.
    dt: i64,
    /// Units above the last settled reading (0: a repeat).
    more: u64,
    is_final: bool,
    /// Instead: send the last settled reading again.
    replay: bool,
}

#[derive(Debug, Clone)]
struct Plan {
    deposit: u64,
    readings: Vec<Reading>,
}

#[derive(Debug, Clone)]
struct Case {
    payee: Payee,
    price: u64,
    cut_bps: u16,
    fee_bps: u16,
    sessions: Vec<Plan>,
}

fn reading() -> impl Strategy<Value = Reading> {
    (
        0i64..4_000,
        prop_oneof![3 => 0u64..12_000, 1 => Just(0u64)],
        prop::bool::weighted(0.12),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(dt, more, is_final, replay)| Reading {
            dt,
            more,
            is_final,
            replay,
        })
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![
            Just(Payee::Owner),
            Just(Payee::OwnerWithOperator),
            Just(Payee::Holders),
            Just(Payee::IdleAssetWithOperator),
        ],
        1u64..3_000,
        0u16..=5_000,
        prop_oneof![Just(0u16), 1u16..=1_000],
        prop::collection::vec(
            (1u64..=20 * USDC, prop::collection::vec(reading(), 1..8))
                .prop_map(|(deposit, readings)| Plan { deposit, readings }),
            1..=3,
        ),
    )
        .prop_map(|(payee, price, cut_bps, fee_bps, sessions)| Case {
            payee,
            price,
            cut_bps,
            fee_bps,
            sessions,
        })
}

/// The model of one open session.
#[derive(Debug, Clone, Copy)]
struct Open {
    opened_at: i64,
    deadline: i64,
    deposit: u64,
    settled: u64,
    units: u64,
    sequence: u64,
}

struct Books<'a> {
    p: &'a Pay,
    s: &'a Station,
    case: &'a Case,
    operator_account: Option<Pubkey>,
    holders: Option<(Investor, Investor)>,
    // What the model says has moved so far.
    deposits: u64,
    refunded: u64,
    settled: u64,
    fee: u64,
    operator: u64,
    machine: u64,
    /// Settlements that paid the pool (each may leave a unit of dust).
    pool_deposits: u64,
}

fn check(condition: bool, what: String) -> Result<(), TestCaseError> {
    if condition {
        Ok(())
    } else {
        Err(TestCaseError::fail(what))
    }
}

impl Books<'_> {
    async fn held(&self, account: &Pubkey) -> u64 {
        if self.p.exists(account).await {
            self.p.balance(account).await
        } else {
            0
        }
    }

    /// The model's verdict on `units`/`sequence` for `open` now, and the
    /// split of what it charges.
    fn judge(
        &self,
        open: &Open,
        now: i64,
        units: u64,
        sequence: u64,
        is_final: bool,
    ) -> Option<(u64, u64, u64, u64)> {
        let elapsed = (now - open.opened_at).max(0);
        let charged =
            (u128::from(units) * u128::from(self.case.price)).min(u128::from(open.deposit)) as u64;
        let ok = now <= open.deadline
            && sequence > open.sequence
            && (units > open.units || (is_final && units == open.units))
            && units <= max_wh(elapsed)
            && (charged > open.settled || is_final);
        if !ok {
            return None;
        }
        let amount = charged - open.settled;
        let fee = bps(amount, self.case.fee_bps);
        let has_operator = matches!(
            self.case.payee,
            Payee::OwnerWithOperator | Payee::IdleAssetWithOperator
        );
        let operator = if has_operator {
            bps(amount, self.case.cut_bps)
        } else {
            0
        };
        Some((amount, fee, operator, amount - fee - operator))
    }

    fn record(&mut self, (amount, fee, operator, machine): (u64, u64, u64, u64)) {
        self.settled += amount;
        self.fee += fee;
        self.operator += operator;
        self.machine += machine;
        if self.case.payee == Payee::Holders && machine > 0 {
            self.pool_deposits += 1;
        }
    }

    /// The chain's books against the model's.
    async fn balance(&self, open_escrows: &[Pubkey]) -> Result<(), TestCaseError> {
        let p = self.p;
        let fee = self.held(&p.fee_account).await;
        check(fee == self.fee, format!("fee {fee} != {}", self.fee))?;
        if let Some(account) = self.operator_account {
            let operator = self.held(&account).await;
            check(
                operator == self.operator,
                format!("operator {operator} != {}", self.operator),
            )?;
        }
        let machine = match self.case.payee {
            Payee::Holders => p.m.pool().await.total_deposited,
            _ => self.held(&self.s.payout).await,
        };
        check(
            machine == self.machine,
            format!("machine {machine} != {}", self.machine),
        )?;
        check(
            self.fee + self.operator + self.machine == self.settled,
            "the split lost or made up value".into(),
        )?;
        let customer = p.balance(&p.customer_usdc).await;
        check(
            CUSTOMER_USDC - customer == self.deposits - self.refunded,
            format!(
                "customer paid {} != deposits {} - refunds {}",
                CUSTOMER_USDC - customer,
                self.deposits,
                self.refunded
            ),
        )?;
        let mut escrowed = 0;
        for escrow in open_escrows {
            escrowed += p.balance(escrow).await;
        }
        check(
            self.deposits == self.settled + self.refunded + escrowed,
            format!(
                "deposits {} != settled {} + refunded {} + escrowed {escrowed}",
                self.deposits, self.settled, self.refunded
            ),
        )?;
        if let Some((a, b)) = &self.holders {
            let (_, to_a) = p.m.position(&a.key()).await;
            let (_, to_b) = p.m.position(&b.key()).await;
            check(
                to_a + to_b <= self.machine && self.machine - (to_a + to_b) <= self.pool_deposits,
                format!("holders owed {} of {} deposited", to_a + to_b, self.machine),
            )?;
        }
        Ok(())
    }

    async fn session(&mut self, id: u64, plan: &Plan) -> Result<(), TestCaseError> {
        let (p, s) = (self.p, self.s);
        let session = p.open(s, id, plan.deposit).await;
        let escrow = p.escrow(&session);
        self.deposits += plan.deposit;
        let stored = p.session(&session).await;
        let mut open = Open {
            opened_at: stored.opened_at,
            deadline: stored.deadline,
            deposit: plan.deposit,
            settled: 0,
            units: 0,
            sequence: 0,
        };
        self.balance(&[escrow]).await?;
        let mut last = None;
        for step in &plan.readings {
            p.advance(step.dt).await;
            let now = p.now().await;
            if step.replay {
                if let Some(signed) = last {
                    let result = p.settle(&signed).await;
                    check(result.is_err(), format!("replay of {signed:?} settled"))?;
                    self.balance(&[escrow]).await?;
                }
                continue;
            }
            let units = open.units + step.more;
            let sequence = open.sequence + 1;
            let signed = p.sign(s, &session, units, sequence, step.is_final).await;
            let verdict = self.judge(&open, now, units, sequence, step.is_final);
            let result: Result<Sent, ClientError> = p.settle(&signed).await;
            match (verdict, result) {
                (Some(split), Ok(_)) => {
                    self.record(split);
                    open.settled += split.0;
                    open.units = units;
                    open.sequence = sequence;
                    last = Some(signed);
                    // Settled once: the same reading again is refused.
                    check(
                        p.settle(&signed).await.is_err(),
                        "a reading settled twice".into(),
                    )?;
                    if step.is_final {
                        self.refunded += open.deposit - open.settled;
                        check(
                            !p.exists(&session).await,
                            "final reading left the session".into(),
                        )?;
                        return self.balance(&[]).await;
                    }
                }
                (None, Err(_)) => {}
                (verdict, result) => {
                    return Err(TestCaseError::fail(format!(
                    "units {units} seq {sequence} final {} at +{}s: model {verdict:?}, chain {:?}",
                    step.is_final,
                    now - open.opened_at,
                    result.map(|_| ()).map_err(|e| e.to_string())
                )))
                }
            }
            self.balance(&[escrow]).await?;
        }
        // Not ended by the device: anyone reclaims after the deadline.
        let now = p.now().await;
        if now <= open.deadline {
            check(p.reclaim(&session).await.is_err(), "reclaimed early".into())?;
            p.advance(open.deadline - now + 1).await;
        }
        p.reclaim(&session)
            .await
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        self.refunded += open.deposit - open.settled;
        check(!p.exists(&escrow).await, "reclaim left the escrow".into())?;
        self.balance(&[]).await
    }
}

async fn run(case: Case) -> Result<(), TestCaseError> {
    let p = Pay::bare().await;
    p.set_market_fee(case.fee_bps).await;
    let s = match case.payee {
        Payee::Owner | Payee::OwnerWithOperator => &p.station,
        Payee::Holders | Payee::IdleAssetWithOperator => &p.battery,
    };
    let operator = p.m.env.wallet().await;
    let operator_account = match case.payee {
        Payee::OwnerWithOperator => {
            p.set_operator(s, &operator.pubkey()).await;
            Some(token::associated_address(&operator.pubkey(), &p.m.usdc))
        }
        Payee::IdleAssetWithOperator => {
            let ix = fractional::set_asset_operator(
                &s.controller.pubkey(),
                &p.m.env.network,
                &p.m.keys,
                &operator.pubkey(),
            );
            p.send(&[ix], &[&s.controller]).await.unwrap();
            Some(token::associated_address(&operator.pubkey(), &p.m.usdc))
        }
        _ => None,
    };
    let holders = match case.payee {
        Payee::Holders => Some(p.holders().await),
        _ => None,
    };
    let terms = TariffTerms {
        price_per_unit: case.price,
        min_deposit: 1,
        operator_cut_bps: case.cut_bps,
        ..terms()
    };
    p.set_tariff(s, terms).await.unwrap();
    let mut books = Books {
        p: &p,
        s,
        case: &case,
        operator_account,
        holders,
        deposits: 0,
        refunded: 0,
        settled: 0,
        fee: 0,
        operator: 0,
        machine: 0,
        pool_deposits: 0,
    };
    for (id, plan) in case.sessions.iter().enumerate() {
        books.session(id as u64, plan).await?;
    }
    // The holders can take what they are owed.
    if let Some((a, _)) = &books.holders {
        let (_, owed) = p.m.position(&a.key()).await;
        if owed > 0 {
            let before = p.balance(&a.usdc).await;
            p.m.claim(a).await.unwrap();
            check(p.balance(&a.usdc).await - before == owed, "claim".into())?;
        }
    }
    Ok(())
}

#[test]
fn deposits_are_settled_refunded_or_escrowed_and_never_paid_twice() {
    run_bank_property(16, &case(), run);
}
