//! The staking program's instructions, each run once (twice where the
//! first and later calls differ).

use depin_client::staking::{self, PoolParams, SlashArgs, StakeArgs, BPS, DAY};
use depin_client::{token, Keypair, Signer};
use depin_registry::state::permission;
use depin_tests::*;

use crate::report::{fixed_key, Budget, Measured, Recorder};

pub const BUDGETS: &[Budget] = &[
    ("create_pool", 31900, "PoolCreated"),
    ("stake", 18600, "Staked"),
    ("extend_lockup", 6600, "LockupExtended"),
    ("expire_lockup", 8000, "LockupExpired"),
    ("fund_rewards", 7800, "RewardsFunded"),
    ("claim_rewards", 9000, "RewardsClaimed"),
    ("request_unstake", 6300, "UnstakeRequested"),
    ("withdraw", 9400, "Withdrawn"),
    ("bond", 17600, "Bonded"),
    ("slash", 10000, "Slashed"),
];

pub async fn measure(rows: &mut Vec<Measured>) {
    let env = Env::with_admin(fixed_key(61)).await;
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
    let treasury = token::create_token_account(&env.cluster, &mint, &admin)
        .await
        .unwrap();
    let funding = token::create_token_account(&env.cluster, &mint, &admin)
        .await
        .unwrap();
    token::mint_to(&env.cluster, &mint, &funding, &env.admin, 1_000_000)
        .await
        .unwrap();
    let (alice, alice_tokens) = holder(&env, 63).await;
    let (operator, operator_tokens) = holder(&env, 64).await;
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
    let ix = staking::fund_rewards(&admin, &network, &funding, 50_000, 30 * DAY);
    r.run("fund_rewards", "first period", &[ix], &[&env.admin])
        .await;

    let args = StakeArgs {
        id: 0,
        amount: 10_000,
        lockup_secs: 0,
    };
    let ix = staking::stake(&payer, &alice.pubkey(), &network, &alice_tokens, args);
    r.run("stake", "no lockup", &[ix], &[&alice]).await;
    let args = StakeArgs {
        id: 1,
        amount: 10_000,
        lockup_secs: 180 * DAY,
    };
    let ix = staking::stake(&payer, &alice.pubkey(), &network, &alice_tokens, args);
    r.run("stake", "180-day lockup, second position", &[ix], &[&alice])
        .await;
    let locked = staking::position_address(&network, &alice.pubkey(), 1);
    let ix = staking::extend_lockup(&alice.pubkey(), &network, &locked, 365 * DAY);
    r.run("extend_lockup", "to the maximum", &[ix], &[&alice])
        .await;

    let ix = staking::bond(
        &payer,
        &operator.pubkey(),
        &network,
        &operator_tokens,
        5_000,
    );
    r.run("bond", "first bond (creates it)", &[ix], &[&operator])
        .await;
    let ix = staking::bond(
        &payer,
        &operator.pubkey(),
        &network,
        &operator_tokens,
        1_000,
    );
    r.run("bond", "adding to a bond", &[ix], &[&operator]).await;

    env.cluster.advance_clock(10 * DAY).await.unwrap();
    let ix = staking::fund_rewards(&admin, &network, &funding, 10_000, 30 * DAY);
    r.run(
        "fund_rewards",
        "mid-period (carries the leftover)",
        &[ix],
        &[&env.admin],
    )
    .await;
    let unlocked = staking::position_address(&network, &alice.pubkey(), 0);
    let ix = staking::claim_rewards(&alice.pubkey(), &network, &unlocked, &alice_tokens);
    r.run("claim_rewards", "", &[ix], &[&alice]).await;

    let args = SlashArgs {
        amount: 1_500,
        reason: 3,
        evidence: [9; 32],
    };
    let ix = staking::slash(
        &slasher.pubkey(),
        &network,
        &operator.pubkey(),
        &treasury,
        args,
    );
    r.run("slash", "", &[ix], &[&slasher]).await;
    assert_eq!(
        token::balance(&env.cluster, &treasury).await.unwrap(),
        1_500
    );

    let args = StakeArgs {
        id: 2,
        amount: 1_000,
        lockup_secs: 5 * DAY,
    };
    let ix = staking::stake(&payer, &alice.pubkey(), &network, &alice_tokens, args);
    env.send(&[ix], &[&alice]).await.unwrap();
    env.cluster.advance_clock(5 * DAY).await.unwrap();
    let short = staking::position_address(&network, &alice.pubkey(), 2);
    let ix = staking::expire_lockup(&network, &short);
    r.run("expire_lockup", "by anyone (the crank)", &[ix], &[])
        .await;

    let ix = staking::request_unstake(&alice.pubkey(), &network, &unlocked);
    r.run("request_unstake", "", &[ix], &[&alice]).await;
    env.cluster.advance_clock(7 * DAY).await.unwrap();
    let ix = staking::withdraw(&alice.pubkey(), &network, &unlocked, &alice_tokens);
    r.run(
        "withdraw",
        "principal + rewards, closes the position",
        &[ix],
        &[&alice],
    )
    .await;
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
