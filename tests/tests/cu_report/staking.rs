//! The staking program's instructions, each run once (more where the cases
//! differ: with and without a lock-end bucket to create or apply).
//!
//! The clock is first moved to a fixed date: lock-end buckets live at
//! PDAs of the day, and a PDA's bump search (about 1,500 CU a try) would
//! otherwise make the figures of the cases that create one vary by date.
//!
//! Budget notes (lock boosts that end by themselves, issue 8):
//! - `stake`: a lock with a boost schedules it in its lock-end bucket,
//!   creating the bucket if it is the first lock ending that day (a system
//!   program CPI, its rent, a PDA derivation): 11,868 → 19,116 for a first
//!   lock of the day, 13,499 when the day's bucket exists; budget 18,600 →
//!   26,000 (a day whose bump takes more tries costs ~1,500 CU per try).
//! - `extend_lockup`: moves the boost out of its old bucket into the new
//!   day's, creating it here: 5,263 → 14,372; budget 6,600 → 18,000.
//! - `claim_rewards`: unchanged when nothing is due (7,203 → 7,481); the
//!   first claim after a lock's midnight applies that day's bucket and
//!   settles the position against it: 10,446; budget 9,000 → 13,000.
//! - `apply_boost_ends` (new): about 2,000 CU per bucket (15: 32,990), for
//!   catching up a pool idle past more lock ends than a transaction carries.
//! - `expire_lockup` is gone: nothing needs it any more.
//! - Every other instruction reads and writes the pool's 256-byte ring of
//!   pending days, checks it for a due day, and takes the remaining accounts
//!   as buckets: +7 to +370 CU (withdraw 9,063 → 9,357, request_unstake
//!   5,020 → 5,387); budgets raised where the margin fell under ~25%.

use depin_client::staking::{self, PoolParams, SlashArgs, StakeArgs, BPS, DAY};
use depin_client::{token, Cluster, Keypair, Signer};
use depin_registry::state::permission;
use depin_tests::*;

use crate::report::{fixed_key, Budget, Measured, Recorder};

pub const BUDGETS: &[Budget] = &[
    ("create_pool", 31900, "PoolCreated"),
    ("stake", 26000, "Staked"),
    ("extend_lockup", 18000, "LockupExtended"),
    ("fund_rewards", 8100, "RewardsFunded"),
    ("claim_rewards", 13000, "RewardsClaimed"),
    ("request_unstake", 6700, "UnstakeRequested"),
    ("withdraw", 11700, "Withdrawn"),
    ("bond", 17600, "Bonded"),
    ("slash", 10300, "Slashed"),
    ("apply_boost_ends", 44000, "BoostEndApplied"),
];

/// 2030-01-01 00:00 UTC: the date the measurements start at.
const FIXED_START: i64 = 1_893_456_000;

/// Lock ends `apply_boost_ends` is measured with.
const CATCH_UP: i64 = 16;

pub async fn measure(rows: &mut Vec<Measured>) {
    let env = Env::with_admin(fixed_key(61)).await;
    let c = &env.cluster;
    let now = c.unix_timestamp().await.unwrap();
    c.advance_clock(FIXED_START - now).await.unwrap();
    let (admin, network, payer, mint) = (
        env.admin.pubkey(),
        env.network,
        env.payer(),
        env.reward_mint,
    );
    let slasher = fixed_key(62);
    let grant = depin_client::registry::grant_role(
        &payer,
        &admin,
        &network,
        &slasher.pubkey(),
        permission::SLASHER,
    );
    env.send(&[grant], &[&env.admin]).await.unwrap();
    let treasury = token::create_token_account(c, &mint, &admin).await.unwrap();
    let funding = token::create_token_account(c, &mint, &admin).await.unwrap();
    token::mint_to(c, &mint, &funding, &env.admin, 1_000_000)
        .await
        .unwrap();
    let (alice, alice_tokens) = holder(&env, 63).await;
    let (operator, operator_tokens) = holder(&env, 64).await;
    let (carol, carol_tokens) = holder(&env, 65).await;
    let mut r = Recorder::new(&env, "staking", rows);

    let params = PoolParams {
        max_lockup_secs: 365 * DAY,
        max_multiplier_bps: 3 * BPS,
        cooldown_secs: 7 * DAY,
    };
    let ix = staking::create_pool(&payer, &admin, &network, &mint, &treasury, params);
    r.run(
        "create_pool",
        "pool + stake and reward vaults",
        &[ix],
        &[&env.admin],
    )
    .await;
    let ix = staking::fund_rewards(c, &admin, &network, &funding, 50_000, 30 * DAY)
        .await
        .unwrap();
    r.run("fund_rewards", "first period", &[ix], &[&env.admin])
        .await;

    let stake = |owner: &Keypair, source, id, amount, lockup_secs| {
        let owner = owner.pubkey();
        async move {
            let args = StakeArgs {
                id,
                amount,
                lockup_secs,
            };
            staking::stake(c, &payer, &owner, &network, &source, args)
                .await
                .unwrap()
        }
    };
    let ix = stake(&alice, alice_tokens, 0, 10_000, 0).await;
    r.run("stake", "no lockup", &[ix], &[&alice]).await;
    let ix = stake(&alice, alice_tokens, 1, 10_000, 180 * DAY).await;
    r.run(
        "stake",
        "180-day lockup (creates its lock-end bucket)",
        &[ix],
        &[&alice],
    )
    .await;
    let ix = stake(&carol, carol_tokens, 0, 10_000, 180 * DAY).await;
    r.run(
        "stake",
        "180-day lockup (its lock-end bucket exists)",
        &[ix],
        &[&carol],
    )
    .await;
    let locked = staking::position_address(&network, &alice.pubkey(), 1);
    let ix = staking::extend_lockup(c, &payer, &alice.pubkey(), &network, &locked, 365 * DAY)
        .await
        .unwrap();
    r.run(
        "extend_lockup",
        "to the maximum (boost moves to a new bucket)",
        &[ix],
        &[&alice],
    )
    .await;

    let ix = staking::bond(
        c,
        &payer,
        &operator.pubkey(),
        &network,
        &operator_tokens,
        5_000,
    )
    .await
    .unwrap();
    r.run("bond", "first bond (creates it)", &[ix], &[&operator])
        .await;
    let ix = staking::bond(
        c,
        &payer,
        &operator.pubkey(),
        &network,
        &operator_tokens,
        1_000,
    )
    .await
    .unwrap();
    r.run("bond", "adding to a bond", &[ix], &[&operator]).await;

    c.advance_clock(10 * DAY).await.unwrap();
    let ix = staking::fund_rewards(c, &admin, &network, &funding, 10_000, 30 * DAY)
        .await
        .unwrap();
    r.run(
        "fund_rewards",
        "mid-period (carries the leftover)",
        &[ix],
        &[&env.admin],
    )
    .await;
    let unlocked = staking::position_address(&network, &alice.pubkey(), 0);
    let ix = staking::claim_rewards(c, &alice.pubkey(), &network, &unlocked, &alice_tokens)
        .await
        .unwrap();
    r.run("claim_rewards", "no lock end due", &[ix], &[&alice])
        .await;

    let args = SlashArgs {
        amount: 1_500,
        reason: 3,
        evidence: [9; 32],
    };
    let ix = staking::slash(
        c,
        &slasher.pubkey(),
        &network,
        &operator.pubkey(),
        &treasury,
        args,
    )
    .await
    .unwrap();
    r.run("slash", "", &[ix], &[&slasher]).await;
    assert_eq!(token::balance(c, &treasury).await.unwrap(), 1_500);

    // A 5-day lock, claimed just after its midnight: the claim applies the
    // day's bucket and settles the position against it.
    let ix = stake(&alice, alice_tokens, 2, 1_000, 5 * DAY).await;
    env.send(&[ix], &[&alice]).await.unwrap();
    c.advance_clock(6 * DAY).await.unwrap();
    let short = staking::position_address(&network, &alice.pubkey(), 2);
    let ix = staking::claim_rewards(c, &alice.pubkey(), &network, &short, &alice_tokens)
        .await
        .unwrap();
    r.run(
        "claim_rewards",
        "just after its lock's midnight (applies that bucket, settles the boost)",
        &[ix],
        &[&alice],
    )
    .await;

    let ix = staking::request_unstake(c, &alice.pubkey(), &network, &unlocked)
        .await
        .unwrap();
    r.run("request_unstake", "", &[ix], &[&alice]).await;
    c.advance_clock(7 * DAY).await.unwrap();
    let ix = staking::withdraw(c, &alice.pubkey(), &network, &unlocked, &alice_tokens)
        .await
        .unwrap();
    r.run(
        "withdraw",
        "principal + rewards, closes the position",
        &[ix],
        &[&alice],
    )
    .await;

    // Locks ending on each of the next 16 days, then nobody for 17 days.
    for day in 1..=CATCH_UP {
        let ix = stake(&carol, carol_tokens, day as u32, 5_000, day * DAY).await;
        env.send(&[ix], &[&carol]).await.unwrap();
    }
    c.advance_clock((CATCH_UP + 1) * DAY).await.unwrap();
    let pool = staking::pool(c, &network).await.unwrap();
    let now = c.unix_timestamp().await.unwrap();
    let due = pool.boost_end_days_due(now);
    assert_eq!(due.len(), CATCH_UP as usize);
    let ix = staking::apply_boost_ends(&network, &due[..1]);
    r.run("apply_boost_ends", "1 bucket", &[ix], &[]).await;
    let ix = staking::apply_boost_ends(&network, &due[1..]);
    r.run(
        "apply_boost_ends",
        format!(
            "{} buckets (a pool idle for {} days)",
            CATCH_UP - 1,
            CATCH_UP + 1
        ),
        &[ix],
        &[],
    )
    .await;
    let pool = staking::pool(c, &network).await.unwrap();
    assert!(pool.boost_end_days_due(now).is_empty());
}

/// A fixed-key wallet with 100,000 of the network token.
async fn holder(env: &Env, seed: u8) -> (Keypair, depin_client::Pubkey) {
    let wallet = fixed_key(seed);
    let account = token::create_token_account(&env.cluster, &env.reward_mint, &wallet.pubkey())
        .await
        .unwrap();
    token::mint_to(
        &env.cluster,
        &env.reward_mint,
        &account,
        &env.admin,
        100_000,
    )
    .await
    .unwrap();
    (wallet, account)
}
