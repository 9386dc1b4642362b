//! `depin`: every user action of the depin programs. Today: `demo`, the
//! whole story so far on an in-process cluster.

mod demo;
mod quiet;
mod table;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "depin",
    version,
    about = "DePIN programs on Solana: networks, devices, rewards, fractional machines"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the depin story on an in-process cluster (no validator needed):
    /// network, roles, maker, devices, a signed attestation, a transfer.
    Demo {
        /// Run the programs' SBF builds (target/deploy/*.so) in the real VM
        /// instead of natively; prints compute units per step.
        #[arg(long)]
        sbf: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The in-process bank logs every instruction at debug level; users who
    // want that can still set RUST_LOG. Set before any thread starts.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "off");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Demo { sbf } => demo::run(sbf).await,
        }
    })
}
