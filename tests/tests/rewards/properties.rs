//! Property test on a real bank: random sequences of roots (funded exactly
//! or short), claims or push claims by random recipients, some with proofs
//! of older roots, and waits, under an outflow limit. After every step the
//! books balance and no window paid out more than the limit.

use depin_client::rewards::RewardTree;
use depin_client::{ClientError, Keypair, Pubkey, Sent, Signer};
use depin_rewards::errors::RewardsError;
use depin_tests::run_bank_property;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::fixture::{args_of, outflow, Pool};

const RECIPIENTS: usize = 4;
/// The outflow limit per window: a few claims fit, some do not.
const LIMIT: u64 = 1_500;
const PERIOD: u32 = 600;

#[derive(Debug, Clone)]
enum Step {
    /// The oracle posts a root in which recipient `i` earned `increments[i]`
    /// more; the vault is topped up exactly, or `short` of that.
    Root { increments: Vec<u64>, short: bool },
    /// Recipient claims (or the crank pushes) under the latest root.
    Claim { recipient: usize, push: bool },
    /// Recipient claims with its proof from `back` roots ago.
    Replay { recipient: usize, back: usize },
    /// The clock moves on.
    Wait { secs: u32 },
}

fn step() -> impl Strategy<Value = Step> {
    let increment = prop_oneof![Just(0u64), 1u64..1_000];
    prop_oneof![
        2 => (prop::collection::vec(increment, RECIPIENTS), any::<bool>())
            .prop_map(|(increments, short)| Step::Root { increments, short }),
        3 => (0..RECIPIENTS, any::<bool>())
            .prop_map(|(recipient, push)| Step::Claim { recipient, push }),
        1 => (0..RECIPIENTS, 1usize..4)
            .prop_map(|(recipient, back)| Step::Replay { recipient, back }),
        1 => (0..PERIOD + PERIOD / 2).prop_map(|secs| Step::Wait { secs }),
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

fn code(error: RewardsError) -> Option<u32> {
    Some(error.into())
}

struct Model {
    /// Every recipient's cumulative amount under the latest accepted root.
    earned: [u64; RECIPIENTS],
    /// The accepted roots, oldest first.
    trees: Vec<RewardTree>,
    /// The leaf amount each recipient was last paid up to.
    claimed: [u64; RECIPIENTS],
    funded: u64,
    epoch: u64,
    posted_epoch: u64,
    /// The breaker: when the current window opened, and what it paid.
    window_start: i64,
    window_outflow: u64,
}

impl Model {
    /// Whether a payout of `amount` at `now` fits the window; if so, counts it.
    fn take(&mut self, amount: u64, now: i64) -> bool {
        let (start, so_far) = if now >= self.window_start + i64::from(PERIOD) {
            (now, 0)
        } else {
            (self.window_start, self.window_outflow)
        };
        if so_far + amount > LIMIT {
            return false;
        }
        (self.window_start, self.window_outflow) = (start, so_far + amount);
        true
    }
}

async fn claim(
    pool: &Pool,
    who: &(Keypair, Pubkey),
    tree: &RewardTree,
    push: bool,
) -> Result<Sent, ClientError> {
    if push {
        pool.push(&who.0.pubkey(), &who.1, tree).await
    } else {
        pool.claim(&who.0, &who.1, tree).await
    }
}

async fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let pool = Pool::guarded(0, outflow(LIMIT, PERIOD)).await;
    let mut recipients = Vec::new();
    for _ in 0..RECIPIENTS {
        recipients.push(pool.recipient().await);
    }
    let mut model = Model {
        earned: [0; RECIPIENTS],
        trees: Vec::new(),
        claimed: [0; RECIPIENTS],
        funded: 0,
        epoch: 0,
        posted_epoch: 0,
        window_start: 0,
        window_outflow: 0,
    };

    for step in steps {
        match step {
            Step::Root { increments, short } => {
                let mut next = model.earned;
                for (e, i) in next.iter_mut().zip(&increments) {
                    *e += i;
                }
                let total: u64 = next.iter().sum();
                let d = pool.state().await;
                let vault = pool.balance(&pool.vault).await;
                let needed = total.saturating_sub(vault + d.total_claimed);
                let shortfall = if short { needed.div_ceil(2) } else { 0 };
                if needed > shortfall {
                    pool.fund(needed - shortfall).await;
                    model.funded += needed - shortfall;
                }
                let entries = recipients
                    .iter()
                    .zip(next)
                    .map(|((wallet, _), amount)| (wallet.pubkey(), amount))
                    .collect();
                let tree = RewardTree::new(pool.distributor, entries);
                model.epoch += 1;
                let result = outcome(pool.try_post(&tree, model.epoch).await)?;
                if shortfall > 0 {
                    prop_assert_eq!(result, code(RewardsError::RootUnfunded));
                } else {
                    prop_assert_eq!(result, None);
                    model.earned = next;
                    model.trees.push(tree);
                    model.posted_epoch = model.epoch;
                }
            }
            Step::Claim { recipient, push } => {
                let Some(tree) = model.trees.last() else {
                    continue;
                };
                let who = &recipients[recipient];
                let before = pool.balance(&who.1).await;
                let result = outcome(claim(&pool, who, tree, push).await)?;
                let owed = model.earned[recipient] - model.claimed[recipient];
                if owed == 0 {
                    prop_assert_eq!(result, code(RewardsError::NothingToClaim));
                } else if !model.take(owed, pool.now().await) {
                    prop_assert_eq!(result, code(RewardsError::OutflowLimitExceeded));
                } else {
                    prop_assert_eq!(result, None);
                    prop_assert_eq!(pool.balance(&who.1).await - before, owed);
                    model.claimed[recipient] = model.earned[recipient];
                }
            }
            Step::Replay { recipient, back } => {
                if model.trees.len() <= back {
                    continue;
                }
                let old = &model.trees[model.trees.len() - 1 - back];
                let who = &recipients[recipient];
                let leaf = args_of(old, &who.0.pubkey()).cumulative_amount;
                let current = model.trees.last().unwrap().root();
                let result = outcome(claim(&pool, who, old, false).await)?;
                if old.root() != current {
                    prop_assert_eq!(result, code(RewardsError::InvalidProof));
                } else if leaf == model.claimed[recipient] {
                    // An unchanged root: the old proof is the current one.
                    prop_assert_eq!(result, code(RewardsError::NothingToClaim));
                } else if !model.take(leaf - model.claimed[recipient], pool.now().await) {
                    prop_assert_eq!(result, code(RewardsError::OutflowLimitExceeded));
                } else {
                    prop_assert_eq!(result, None);
                    model.claimed[recipient] = leaf;
                }
            }
            Step::Wait { secs } => pool.wait(i64::from(secs)).await,
        }
        check(&pool, &recipients, &model).await?;
    }
    Ok(())
}

/// The books after a step: what recipients hold is what the distributor
/// and the ledger say was claimed, each exactly its leaf under the root it
/// last claimed with, never more than it earned; the vault holds the rest;
/// the breaker's window is the model's, within the limit.
async fn check(
    pool: &Pool,
    recipients: &[(Keypair, Pubkey)],
    model: &Model,
) -> Result<(), TestCaseError> {
    let d = pool.state().await;
    let mut held = 0;
    let mut ledger = 0;
    for (i, (_, tokens)) in recipients.iter().enumerate() {
        let balance = pool.balance(tokens).await;
        let claimed = pool.claimed(i as u32).await;
        prop_assert_eq!(balance, model.claimed[i], "recipient {} balance", i);
        prop_assert_eq!(claimed, balance, "recipient {} ledger", i);
        prop_assert!(balance <= model.earned[i], "recipient {} overpaid", i);
        held += balance;
        ledger += claimed;
    }
    prop_assert_eq!(held, d.total_claimed);
    prop_assert_eq!(ledger, d.total_claimed);
    prop_assert_eq!(pool.balance(&pool.vault).await, model.funded - held);
    prop_assert_eq!(d.total_funded, model.funded);
    prop_assert_eq!(d.cumulative_total, model.earned.iter().sum::<u64>());
    prop_assert!(d.total_claimed <= d.cumulative_total);
    prop_assert_eq!(d.epoch, model.posted_epoch);
    prop_assert_eq!(
        (d.breaker.window_start, d.breaker.window_outflow),
        (model.window_start, model.window_outflow)
    );
    prop_assert!(d.breaker.window_outflow <= LIMIT);
    let root = model.trees.last().map(RewardTree::root).unwrap_or([0; 32]);
    prop_assert_eq!(d.root, root);
    Ok(())
}

#[test]
fn random_roots_and_claims_keep_the_books_balanced() {
    run_bank_property(8, &prop::collection::vec(step(), 6..24), run);
}
