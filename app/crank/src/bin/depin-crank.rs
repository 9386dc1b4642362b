//! `depin-crank`: run a network's crank, inspect it, replay an epoch, or
//! simulate devices sending reports.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use depin_crank::config::CrankConfig;
use depin_crank::runner;

#[derive(Parser)]
#[command(
    name = "depin-crank",
    version,
    about = "The depin oracle and automation service"
)]
struct Cli {
    /// The config file (see `depin_crank::config` for every setting; each
    /// can also be set with DEPIN_CRANK_<NAME>).
    #[arg(
        long,
        short = 'c',
        global = true,
        env = "DEPIN_CRANK_CONFIG",
        default_value = "crank.toml"
    )]
    config: PathBuf,
    /// Log lines as text or as JSON objects (one per line).
    #[arg(
        long,
        global = true,
        value_enum,
        env = "DEPIN_CRANK_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run: ingest reports over HTTP, drive epochs, serve proofs and Solana
    /// Pay transaction requests, until
    /// interrupted (Ctrl-C or SIGTERM).
    Run,
    /// Where the crank stands: its epoch and steps, the chain's root, the
    /// oracle key's SOL (JSON).
    Status,
    /// Recompute epoch N from storage and compare it with what was recorded
    /// and posted; read-only (JSON; exit 1 when anything differs).
    ReplayEpoch { epoch: u64 },
    /// Sign reports with device keypairs and send them to a crank over HTTP.
    Simulate(runner::SimulateArgs),
    /// Print the Solana Pay URL (`solana:...`) for a device's QR code: a
    /// customer's wallet asks the crank for the transaction opening a
    /// payment session at the device.
    PayLink(runner::PayLinkArgs),
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let load = || {
            CrankConfig::load(&cli.config, std::env::vars())
                .with_context(|| "loading the crank's config (--config or DEPIN_CRANK_CONFIG)")
        };
        match cli.command {
            Command::Run => runner::run(load()?).await,
            Command::Status => {
                let status = runner::status(&load()?).await?;
                println!("{}", serde_json::to_string_pretty(&status)?);
                Ok(())
            }
            Command::ReplayEpoch { epoch } => {
                let replay = runner::replay(&load()?, epoch).await?;
                println!("{}", serde_json::to_string_pretty(&replay)?);
                if !replay.matches() {
                    std::process::exit(1);
                }
                Ok(())
            }
            Command::Simulate(args) => runner::simulate(args).await,
            Command::PayLink(args) => {
                println!("{}", runner::pay_link(&args, load)?);
                Ok(())
            }
        }
    })
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
