//! `depin demo`: the whole story so far, on an in-process cluster.

mod crank;
mod fractional;
mod pay;
mod registry;
mod rewards;
mod staking;
mod story;

use anyhow::Result;
use depin_client::local::{LocalCluster, ProgramMode};

use crate::output::OutputFormat;
use crate::quiet::Console;
use crate::table::Table;
use story::{Cast, Story};

const SOL: u64 = 1_000_000_000;
const USDC: u64 = 1_000_000;

/// The story; in a JSON mode only `{"mode": "native"|"sbf", "steps":
/// [{"step", "signature", "compute_units"}]}` is printed at the end.
pub async fn run(sbf: bool, output: OutputFormat) -> Result<()> {
    let mode = if sbf {
        ProgramMode::Sbf {
            dir: ProgramMode::from_env_dir(),
        }
    } else {
        ProgramMode::Native
    };
    let mut console = Console::silence_stdout()?;
    let json = output.is_json();
    let intro = format!(
        "depin demo: an in-process cluster running the {}\n",
        if sbf {
            "SBF builds in the real VM"
        } else {
            "programs natively"
        }
    );
    if !json {
        console.print(&intro);
    }
    let cluster = std::sync::Arc::new(LocalCluster::start_with(mode, |_| {}).await);
    let mut story = Story {
        cluster,
        steps: Table::new(&["step", "signature", "compute units"]),
        log: Vec::new(),
    };
    let cast = Cast::new();

    let registered = registry::act(&mut story, &cast).await?;
    let rewarded = rewards::act(&mut story, &cast, &registered).await?;
    let staked = staking::act(&mut story, &cast, &registered, &rewarded).await?;
    let invested = fractional::act(&mut story, &cast, &registered).await?;
    let cranked = crank::act(&mut story, &cast, &registered).await?;
    let paid = pay::act(&mut story, &cast, &registered, &invested).await?;

    if json {
        let summary = serde_json::json!({
            "mode": if sbf { "sbf" } else { "native" },
            "steps": story.log,
        });
        let text = match output {
            OutputFormat::JsonCompact => summary.to_string(),
            _ => serde_json::to_string_pretty(&summary)?,
        };
        console.print(&text);
        return Ok(());
    }
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
    fractional::print_summary(&mut console, &story.cluster, &cast, &invested).await?;
    crank::print_summary(&mut console, &cranked);
    pay::print_summary(&mut console, &paid);
    Ok(())
}
