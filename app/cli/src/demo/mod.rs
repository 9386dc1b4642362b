//! `depin demo`: the whole story so far, on an in-process cluster.

mod fractional;
mod registry;
mod rewards;
mod staking;
mod story;

use anyhow::Result;
use depin_client::local::{LocalCluster, ProgramMode};

use crate::quiet::Console;
use crate::table::Table;
use story::{Cast, Story};

const SOL: u64 = 1_000_000_000;
const USDC: u64 = 1_000_000;

pub async fn run(sbf: bool) -> Result<()> {
    let mode = if sbf {
        ProgramMode::Sbf {
            dir: ProgramMode::from_env_dir(),
        }
    } else {
        ProgramMode::Native
    };
    let mut console = Console::silence_stdout()?;
    console.print(&format!(
        "depin demo: an in-process cluster running the {}\n",
        if sbf {
            "SBF builds in the real VM"
        } else {
            "programs natively"
        }
    ));
    let cluster = LocalCluster::start_with(mode, |_| {}).await;
    let mut story = Story {
        cluster,
        steps: Table::new(&["step", "signature", "compute units"]),
    };
    let cast = Cast::new();

    let registered = registry::act(&mut story, &cast).await?;
    let rewarded = rewards::act(&mut story, &cast, &registered).await?;
    let staked = staking::act(&mut story, &cast, &registered, &rewarded).await?;
    let invested = fractional::act(&mut story, &cast, &registered).await?;

    console.print(&format!("{}\n", story.steps.render()));
    registry::print_summary(
        &mut console,
        &story.cluster,
        &registered.network,
        &cast,
        &registered.devices,
        registered.fee_treasury,
    )
    .await?;
    rewards::print_summary(&mut console, &story.cluster, &cast, &rewarded).await?;
    staking::print_summary(&mut console, &story.cluster, &cast, &registered, &staked).await?;
    fractional::print_summary(&mut console, &story.cluster, &cast, &invested).await
}
