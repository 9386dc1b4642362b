//! `depin`: every user action of the depin programs. Today: `keys`,
//! `deploy`, `init` against any cluster, and `demo`, the whole story on an
//! in-process cluster.
//!
//! Conventions shared by every command (see `config` and `output`): the
//! `solana` CLI's config file and flags (`-u`, `-k`, `--commitment`, `-C`),
//! `--output json|json-compact`, errors on stderr with exit code 1 (2 for a
//! command line clap refuses).

mod commands;
mod config;
mod demo;
mod output;
mod progress;
mod quiet;
mod table;
mod tx;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use depin_client::rpc::{CommitmentLevel, RpcCluster, RpcConfig};
use depin_client::Keypair;

use commands::{
    deploy, device, fractional, init, keys, maker, network, payments, portfolio, revenue, rewards,
    staking, token, wallet,
};
use config::{Overrides, Settings, Source};
use output::OutputFormat;

#[derive(Parser)]
#[command(
    name = "depin",
    version,
    about = "DePIN programs on Solana: networks, devices, rewards, fractional machines"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct GlobalArgs {
    /// Solana CLI config file [default: ~/.config/solana/cli/config.yml]
    #[arg(short = 'C', long = "config", global = true, value_name = "PATH")]
    config_file: Option<PathBuf>,
    /// RPC URL or moniker: mainnet-beta (m), devnet (d), testnet (t), localhost (l)
    #[arg(
        short = 'u',
        long = "url",
        global = true,
        value_name = "URL_OR_MONIKER"
    )]
    url: Option<String>,
    /// Websocket URL [default: derived from the RPC URL]
    #[arg(long = "ws", global = true, value_name = "URL")]
    websocket_url: Option<String>,
    /// Keypair file (64-byte JSON array) that pays and signs [default: from the config]
    #[arg(short = 'k', long = "keypair", global = true, value_name = "PATH")]
    keypair: Option<PathBuf>,
    /// Commitment for reads and confirmations [default: from the config, else confirmed]
    #[arg(long, global = true, value_parser = ["processed", "confirmed", "finalized"])]
    commitment: Option<String>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Display)]
    output: OutputFormat,
}

impl GlobalArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            config_file: self.config_file.clone(),
            url: self.url.clone(),
            websocket_url: self.websocket_url.clone(),
            keypair: self.keypair.clone(),
            commitment: self.commitment.clone(),
        }
    }

    fn settings(&self) -> Result<Settings> {
        Settings::load(&self.overrides(), &config::home_dir()?)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Program keypairs and declared ids (like `anchor keys`), and new wallets.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Deploys or upgrades the programs' SBF builds (target/deploy/*.so).
    Deploy(deploy::DeployArgs),
    /// Bootstraps a deployment: platform, a network with its reward mint, its first roles.
    Init(init::InitArgs),
    /// The SOL balance of an address [default: the keypair's].
    Balance {
        address: Option<depin_client::Pubkey>,
    },
    /// Asks the cluster's faucet for SOL (local validator, devnet, testnet).
    Airdrop {
        /// Amount of SOL, e.g. 2 or 0.5.
        amount: String,
        /// Recipient [default: the keypair's address].
        recipient: Option<depin_client::Pubkey>,
    },
    /// Shows the settings in force (`config get`, the default) or writes the
    /// flags given into the config file (`depin config set -u l -k PATH`).
    Config {
        #[command(subcommand)]
        action: Option<ConfigAction>,
    },
    /// The public key of the -k keypair (or of a keypair file given here).
    Address {
        /// A keypair file [default: -k]
        keypair: Option<PathBuf>,
    },
    /// Networks: create, show, list, update, pause, fees, roles, members.
    #[command(subcommand)]
    Network(network::NetworkCommand),
    /// Device makers: approve, quota, revoke, show, list.
    #[command(subcommand)]
    Maker(maker::MakerCommand),
    /// Devices: register (device key + maker co-signature), show, list, update, transfer, operator, suspend/resume, retire, close, attest.
    #[command(subcommand)]
    Device(device::DeviceCommand),
    /// Staking the network token: pools, positions, lockups, rewards, bonds, slashing.
    #[command(subcommand)]
    Staking(staking::StakingCommand),
    /// Compressed reward claims: distributors, Merkle roots, proofs, claims, clawback.
    #[command(subcommand)]
    Rewards(rewards::RewardsCommand),
    /// Tokenized machines: tokenize, offerings, buy, close, deliver, refund, assets.
    #[command(subcommand)]
    Fractional(fractional::FractionalCommand),
    /// A machine's revenue: deposit, claim, move shares in and out of the holding.
    #[command(subcommand)]
    Revenue(revenue::RevenueCommand),
    /// Metered payments: tariffs, sessions, device-signed readings, settle, close, reclaim.
    #[command(subcommand)]
    Pay(payments::PayCommand),
    /// An investor's holdings (shares, part of each machine, revenue) and an owner's devices.
    Portfolio(portfolio::PortfolioArgs),
    /// SPL tokens without the spl-token CLI: create-mint, create-account, mint, transfer, balance.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// The cluster's latest blockhash, for offline signing (--sign-only --blockhash).
    Blockhash,
    /// Prints a shell completion script, e.g. `depin completions bash > /etc/bash_completion.d/depin`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Runs the depin story on an in-process cluster (no validator needed):
    /// network, roles, maker, devices, a signed attestation, a transfer.
    Demo {
        /// Run the programs' SBF builds (target/deploy/*.so) in the real VM
        /// instead of natively; prints compute units per step.
        #[arg(long)]
        sbf: bool,
    },
}

#[derive(Subcommand)]
enum ConfigAction {
    /// Shows the settings in force.
    Get,
    /// Writes -u, --ws, -k and --commitment into the config file.
    Set,
}

/// A cluster over JSON-RPC as the settings say.
fn connect(settings: &Settings, payer: Keypair) -> Result<RpcCluster> {
    let commitment = match settings.commitment {
        config::Commitment::Processed => CommitmentLevel::Processed,
        config::Commitment::Confirmed => CommitmentLevel::Confirmed,
        config::Commitment::Finalized => CommitmentLevel::Finalized,
    };
    let rpc_config = RpcConfig::for_url(&settings.rpc_url).with_commitment(commitment);
    Ok(RpcCluster::with_config(
        &settings.rpc_url,
        payer,
        rpc_config,
    )?)
}

/// A cluster for reads, and `address` or else the keypair's address. The
/// keypair file is needed only when no address is given.
fn cluster_and_address(
    settings: &Settings,
    address: Option<depin_client::Pubkey>,
) -> Result<(RpcCluster, depin_client::Pubkey)> {
    use depin_client::Signer;
    let payer = match address {
        Some(_) => Keypair::new(),
        None => settings.payer()?,
    };
    let address = address.unwrap_or_else(|| payer.pubkey());
    Ok((connect(settings, payer)?, address))
}

async fn run(cli: Cli) -> Result<()> {
    let output = cli.global.output;
    match cli.command {
        Command::Demo { sbf } => demo::run(sbf, output).await,
        Command::Config { action } => match action.unwrap_or(ConfigAction::Get) {
            ConfigAction::Get => {
                config::show(&cli.global.settings()?, output);
                Ok(())
            }
            ConfigAction::Set => {
                let overrides = cli.global.overrides();
                let written = config::set(&overrides, &config::home_dir()?)?;
                output.say(format!("Config File: {}", written.display()));
                config::show(&cli.global.settings()?, output);
                Ok(())
            }
        },
        Command::Address { keypair } => {
            use depin_client::Signer;
            let keypair = match keypair {
                Some(path) => config::read_keypair(&path, &Source::Flag)?,
                None => cli.global.settings()?.payer()?,
            };
            let address = keypair.pubkey();
            output.print(
                &serde_json::json!({ "address": address.to_string() }),
                || address.to_string(),
            );
            Ok(())
        }
        Command::Keys(command) => {
            keys::run(command, output, || Ok(cli.global.settings()?.keypair_path))
        }
        Command::Deploy(args) => {
            let settings = cli.global.settings()?;
            let workspace = workspace::Workspace::find(&std::env::current_dir()?)?;
            // Files first: a missing build or keypair fails before any request.
            let programs = deploy::load_programs(&workspace, &args, &settings.rpc_url)?;
            let payer = settings.payer()?;
            let authority = match &args.upgrade_authority {
                Some(path) => config::read_keypair(path, &Source::Flag)?,
                None => payer.insecure_clone(),
            };
            let cluster = connect(&settings, payer)?;
            deploy::run(
                &cluster,
                &settings.rpc_url,
                programs,
                &authority,
                &args,
                output,
            )
            .await
        }
        Command::Balance { address } => {
            let settings = cli.global.settings()?;
            let (cluster, address) = cluster_and_address(&settings, address)?;
            wallet::balance(&cluster, &address, output).await
        }
        Command::Airdrop { amount, recipient } => {
            let lamports = wallet::parse_sol(&amount)?;
            let settings = cli.global.settings()?;
            let (cluster, recipient) = cluster_and_address(&settings, recipient)?;
            wallet::airdrop(&cluster, &recipient, lamports, output).await
        }
        Command::Network(command) => {
            let session = tx::Session::open(cli.global.settings()?, output, command.tx_args())?;
            network::run(&session, command).await
        }
        Command::Maker(command) => {
            let session = tx::Session::open(cli.global.settings()?, output, command.tx_args())?;
            maker::run(&session, command).await
        }
        Command::Device(command) => {
            let session = tx::Session::open(cli.global.settings()?, output, command.tx_args())?;
            device::run(&session, command).await
        }
        Command::Staking(command) => {
            let session = tx::Session::open(cli.global.settings()?, output, command.tx_args())?;
            staking::run(&session, command).await
        }
        Command::Rewards(command) => {
            let session = tx::Session::open(cli.global.settings()?, output, command.tx_args())?;
            rewards::run(&session, command).await
        }
        Command::Fractional(command) => {
            let session = tx::Session::open(cli.global.settings()?, output, command.tx_args())?;
            fractional::run(&session, command).await
        }
        Command::Revenue(command) => {
            let session = tx::Session::open(cli.global.settings()?, output, command.tx_args())?;
            revenue::run(&session, command).await
        }
        Command::Pay(command) => {
            let session = tx::Session::open(cli.global.settings()?, output, command.tx_args())?;
            payments::run(&session, command).await
        }
        Command::Portfolio(args) => {
            let settings = cli.global.settings()?;
            let (cluster, owner) = cluster_and_address(&settings, args.owner)?;
            portfolio::run(&cluster, &owner, &args, output).await
        }
        Command::Token(command) => {
            let session = tx::Session::open(cli.global.settings()?, output, command.tx_args())?;
            token::run(&session, command).await
        }
        Command::Blockhash => {
            let settings = cli.global.settings()?;
            let (cluster, _) =
                cluster_and_address(&settings, Some(depin_client::Pubkey::default()))?;
            wallet::blockhash(&cluster, output).await
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "depin", &mut std::io::stdout());
            Ok(())
        }
        Command::Init(args) => {
            let settings = cli.global.settings()?;
            let payer = settings.payer()?;
            let creator = payer.insecure_clone();
            let cluster = connect(&settings, payer)?;
            init::run(&cluster, &settings.rpc_url, &creator, &args, output).await
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The in-process bank logs every instruction at debug level; users who
    // want that can still set RUST_LOG. Set before any thread starts.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "off");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
