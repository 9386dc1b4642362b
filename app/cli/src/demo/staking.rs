//! Staking steps: a stake pool, stakes with and without a lockup, an
//! operator bond, a reward stream, pending rewards, a claim and a slash.

use anyhow::Result;
use depin_client::local::LocalCluster;
use depin_client::staking::{self, PoolParams, SlashArgs, StakeArgs, BPS, DAY};
use depin_client::{token, Cluster, Pubkey, Signer};

use super::registry::Registered;
use super::rewards::Rewarded;
use super::story::{Actor, Cast, Story};
use crate::quiet::Console;
use crate::table::Table;

const DPIN: u64 = 1_000_000;

pub struct Staked {
    /// (owner, position address)
    positions: Vec<(Pubkey, Pubkey)>,
    /// Pending rewards read just before the claim, per position.
    pending_before_claim: Vec<u64>,
}

pub async fn act(
    story: &mut Story,
    cast: &Cast,
    registered: &Registered,
    rewarded: &Rewarded,
) -> Result<Staked> {
    let (operator, ops) = (&cast.operator, &cast.ops);
    let [_, bob, _, dave] = &cast.owners;
    let (network, mint) = (registered.network, registered.reward_mint);
    let payer = story.cluster.payer().pubkey();
    let account_of = |who: &Actor| {
        rewarded
            .accounts
            .iter()
            .find(|(o, _)| *o == who.key.pubkey())
            .map(|(_, a)| *a)
    };

    let treasury =
        token::create_token_account(&story.cluster, &mint, &operator.key.pubkey()).await?;
    let operator_dpin =
        token::create_token_account(&story.cluster, &mint, &operator.key.pubkey()).await?;
    token::mint_to(
        &story.cluster,
        &mint,
        &operator_dpin,
        &operator.key,
        10_000 * DPIN,
    )
    .await?;
    let params = PoolParams {
        max_lockup_secs: 365 * DAY,
        max_multiplier_bps: 3 * BPS,
        cooldown_secs: 7 * DAY,
    };
    let ix = staking::create_pool(
        &payer,
        &operator.key.pubkey(),
        &network,
        &mint,
        &treasury,
        params,
    );
    story
        .step(
            "open the DPIN stake pool (1-year lock = 3x weight)",
            &[ix],
            &[&operator.key],
        )
        .await?;

    // dave stakes most of his rewards unlocked; bob locks his for a year.
    let dave_dpin = account_of(dave).expect("dave has a DPIN account");
    let bob_dpin = account_of(bob).expect("bob has a DPIN account");
    let args = StakeArgs {
        id: 0,
        amount: 2_000 * DPIN,
        lockup_secs: 0,
    };
    let ix = staking::stake(
        &story.cluster,
        &payer,
        &dave.key.pubkey(),
        &network,
        &dave_dpin,
        args,
    )
    .await?;
    story
        .step("dave stakes 2,000 DPIN, no lockup", &[ix], &[&dave.key])
        .await?;
    let args = StakeArgs {
        id: 0,
        amount: 800 * DPIN,
        lockup_secs: 365 * DAY,
    };
    let ix = staking::stake(
        &story.cluster,
        &payer,
        &bob.key.pubkey(),
        &network,
        &bob_dpin,
        args,
    )
    .await?;
    story
        .step("bob stakes 800 DPIN locked for a year", &[ix], &[&bob.key])
        .await?;

    // The ops lead operates devices: it bonds stake to be paid device rewards.
    let ops_dpin = token::create_token_account(&story.cluster, &mint, &ops.key.pubkey()).await?;
    token::mint_to(
        &story.cluster,
        &mint,
        &ops_dpin,
        &operator.key,
        1_000 * DPIN,
    )
    .await?;
    let ix = staking::bond(
        &story.cluster,
        &payer,
        &ops.key.pubkey(),
        &network,
        &ops_dpin,
        1_000 * DPIN,
    )
    .await?;
    story
        .step(
            "ops lead bonds 1,000 DPIN as a device operator",
            &[ix],
            &[&ops.key],
        )
        .await?;

    let ix = staking::fund_rewards(
        &story.cluster,
        &operator.key.pubkey(),
        &network,
        &operator_dpin,
        3_000 * DPIN,
        30 * DAY,
    )
    .await?;
    story
        .step(
            "operator funds 3,000 DPIN over 30 days",
            &[ix],
            &[&operator.key],
        )
        .await?;
    story.cluster.advance_clock(15 * DAY).await?;
    story.note("... 15 days pass");

    let positions = vec![
        (
            dave.key.pubkey(),
            staking::position_address(&network, &dave.key.pubkey(), 0),
        ),
        (
            bob.key.pubkey(),
            staking::position_address(&network, &bob.key.pubkey(), 0),
        ),
        (
            ops.key.pubkey(),
            staking::bond_address(&network, &ops.key.pubkey()),
        ),
    ];
    let mut pending_before_claim = vec![];
    for (_, position) in &positions {
        pending_before_claim
            .push(staking::pending_rewards(&story.cluster, &network, position).await?);
    }
    let ix = staking::claim_rewards(
        &story.cluster,
        &dave.key.pubkey(),
        &network,
        &positions[0].1,
        &dave_dpin,
    )
    .await?;
    story
        .step("dave claims his staking rewards", &[ix], &[&dave.key])
        .await?;

    let args = SlashArgs {
        amount: 600 * DPIN,
        reason: 2,
        evidence: [0xE1; 32],
    };
    let ix = staking::slash(
        &story.cluster,
        &operator.key.pubkey(),
        &network,
        &ops.key.pubkey(),
        &treasury,
        args,
    )
    .await?;
    story
        .step(
            "operator slashes the ops lead's bond by 600 DPIN (reason 2)",
            &[ix],
            &[&operator.key],
        )
        .await?;

    Ok(Staked {
        positions,
        pending_before_claim,
    })
}

pub async fn print_summary(
    console: &mut Console,
    cluster: &LocalCluster,
    cast: &Cast,
    registered: &Registered,
    staked: &Staked,
) -> Result<()> {
    let dpin = |amount: u64| format!("{:.2} DPIN", amount as f64 / DPIN as f64);
    let network = registered.network;
    let mut t = Table::new(&[
        "staker",
        "kind",
        "staked",
        "lock left (days)",
        "weight",
        "pending at day 15",
        "eligible operator",
    ]);
    let min_bond = depin_client::registry::network(cluster, &network)
        .await?
        .min_operator_bond;
    let now = cluster.unix_timestamp().await?;
    for ((owner, address), pending) in staked.positions.iter().zip(&staked.pending_before_claim) {
        let p = staking::position(cluster, address).await?;
        let eligible = match p.kind {
            staking::PositionKind::OperatorBond => p.is_eligible_operator(min_bond).to_string(),
            staking::PositionKind::Stake => "-".into(),
        };
        t.row(vec![
            cast.name_of(owner),
            format!("{:?}", p.kind),
            dpin(p.amount),
            ((p.lockup_end - now).max(0) / DAY).to_string(),
            format!("{:.2}", p.weight as f64 / DPIN as f64),
            dpin(*pending),
            eligible,
        ]);
    }
    console.print(&format!("{}\n", t.render()));
    let pool = staking::pool(cluster, &network).await?;
    console.print(&format!(
        "stake pool: {} staked, {} funded, {} paid, {} slashed to the treasury; minimum operator bond {}\n",
        dpin(pool.total_staked),
        dpin(pool.total_rewards_funded),
        dpin(pool.total_rewards_paid),
        dpin(pool.total_slashed),
        dpin(min_bond),
    ));
    Ok(())
}
