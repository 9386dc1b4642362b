//! What the binary's commands do, over a real cluster (JSON-RPC).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use depin_client::deploy::keyfile;
use depin_client::rewards;
use depin_client::{Cluster, Keypair, Pubkey, RpcCluster};
use serde_json::json;

use crate::config::{CrankConfig, RoleName};
use crate::epoch::{CrankKeys, HttpSource, Pipeline, Replay, Role};
use crate::fault::Faults;
use crate::http;
use crate::ingest::SystemClock;
use crate::service::{http_parts, Crank};
use crate::simulate::{Period, SendSummary, Simulator};
use crate::solana_pay::{self, PayConfig, PayState, SessionPlanner};
use crate::storage::{SqliteStorage, Storage};

fn read_key(path: &Path, what: &str) -> Result<Keypair> {
    keyfile::read(path).with_context(|| format!("reading the {what} keypair {}", path.display()))
}

fn open_storage(config: &CrankConfig) -> Result<Arc<dyn Storage>> {
    let storage = SqliteStorage::open(&config.database)
        .with_context(|| format!("opening the database {}", config.database.display()))?;
    Ok(Arc::new(storage))
}

async fn pipeline(
    config: &CrankConfig,
    storage: Arc<dyn Storage>,
    faults: Faults,
) -> Result<Pipeline<Arc<RpcCluster>>> {
    let oracle = read_key(&config.oracle_keypair, "oracle")?;
    let treasury = match &config.treasury_keypair {
        Some(path) => read_key(path, "treasury")?,
        None => oracle.insecure_clone(),
    };
    let cluster = Arc::new(
        RpcCluster::new(&config.url, oracle.insecure_clone())
            .with_context(|| format!("connecting to {}", config.url))?,
    );
    let role = match config.role {
        RoleName::Primary => Role::Primary,
        RoleName::Verifier => Role::Verifier {
            source: Box::new(HttpSource::new(
                config.primary_url.as_deref().unwrap_or_default(),
            )),
        },
    };
    let keys = CrankKeys { oracle, treasury };
    Pipeline::new(cluster, storage, config.pipeline(), keys, role, faults)
        .await
        .with_context(|| format!("reading network {} from {}", config.network, config.url))
}

/// `depin-crank run`.
pub async fn run(config: CrankConfig) -> Result<()> {
    let storage = open_storage(&config)?;
    let pipeline = pipeline(&config, Arc::clone(&storage), Faults::from_env()).await?;
    let parts = http_parts(
        Arc::clone(pipeline.cluster()),
        Arc::clone(&storage),
        config.network,
        config.distributor,
        Arc::new(SystemClock),
    )
    .await
    .map_err(|e| anyhow::anyhow!(e))
    .context("starting ingest")?;
    // Solana Pay transaction requests for payment sessions, on the same
    // server (their own thread reads the chain).
    let cluster = Arc::clone(pipeline.cluster());
    let planner = SessionPlanner::spawn(cluster.clone(), cluster, config.network)
        .context("starting the Solana Pay thread")?;
    let app = parts.app.merge(solana_pay::router(PayState {
        planner: Arc::new(planner),
        config: Arc::new(PayConfig {
            network: config.network,
            public_url: config.public_url.clone(),
            label: config.pay_label.clone(),
        }),
    }));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("listening on {}", config.listen))?;
    tracing::info!(
        listen = %listener.local_addr()?,
        network = %config.network,
        role = ?config.role,
        "depin-crank running"
    );
    let (stop_server, server_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(http::serve(listener, app, async move {
        let _ = server_stopped.await;
    }));
    let crank = Crank::new(
        pipeline,
        parts.book,
        &parts.metrics,
        config.low_balance_lamports(),
    );
    crank
        .run(Duration::from_secs(config.tick_secs), shutdown_signal())
        .await;
    tracing::info!("stopping: finishing the requests in flight");
    let _ = stop_server.send(());
    server.await.context("the HTTP server task")??;
    let committer = parts.committer;
    tokio::task::spawn_blocking(move || committer.join()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// `depin-crank status`.
pub async fn status(config: &CrankConfig) -> Result<serde_json::Value> {
    let storage = open_storage(config)?;
    let pipeline = pipeline(config, Arc::clone(&storage), Faults::none()).await?;
    let network = config.network.to_bytes();
    let epoch = pipeline.current_epoch().await?;
    let steps = storage.completed_steps(&network, epoch)?;
    let cluster = pipeline.cluster();
    let now = cluster.unix_timestamp().await?;
    let distributor = rewards::distributor(cluster, &config.distributor).await?;
    let proposal = rewards::root_proposal(cluster, &config.distributor).await?;
    let lamports = cluster.get_balance(&pipeline.oracle()).await?;
    Ok(json!({
        "network": config.network.to_string(),
        "distributor": config.distributor.to_string(),
        "role": format!("{:?}", config.role).to_lowercase(),
        "pipeline": {
            "epoch": epoch,
            "steps_done": steps,
            "steps": pipeline.steps(),
        },
        "chain": {
            "epoch_now": pipeline.schedule().epoch_at(now),
            "root_epoch": distributor.epoch,
            "root": rewards::hex32(&distributor.root),
            "cumulative_total": distributor.cumulative_total,
            "total_claimed": distributor.total_claimed,
            "proposal": {
                "epoch": proposal.content.epoch,
                "status": format!("{:?}", proposal.status).to_lowercase(),
                "approvals": proposal.approval_count,
                "approvals_needed": proposal.approvals_needed,
            },
        },
        "oracle": {
            "address": pipeline.oracle().to_string(),
            "sol": lamports as f64 / 1e9,
            "low": lamports < config.low_balance_lamports(),
        },
    }))
}

/// `depin-crank replay-epoch N`.
pub async fn replay(config: &CrankConfig, epoch: u64) -> Result<Replay> {
    let storage = open_storage(config)?;
    let pipeline = pipeline(config, storage, Faults::none()).await?;
    Ok(pipeline.replay_epoch(epoch).await?)
}

/// `depin-crank simulate`.
#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// The crank's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    crank: String,
    #[arg(long)]
    network: Pubkey,
    /// Device keypair files (registered devices of the network).
    #[arg(long = "device", required = true, num_args = 1..)]
    devices: Vec<PathBuf>,
    /// The period's start (Unix seconds); default: the last whole hour.
    #[arg(long)]
    period_start: Option<i64>,
    #[arg(long, default_value_t = 3_600)]
    period_secs: u32,
    #[arg(long, default_value_t = 1_000)]
    energy_wh: u64,
    /// Reports in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

pub async fn simulate(args: SimulateArgs) -> Result<()> {
    let devices = args
        .devices
        .iter()
        .map(|path| read_key(path, "device"))
        .collect::<Result<Vec<_>>>()?;
    let start = match args.period_start {
        Some(start) => start,
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs() as i64;
            now - now.rem_euclid(i64::from(args.period_secs)) - i64::from(args.period_secs)
        }
    };
    let period = Period {
        start,
        secs: args.period_secs,
        energy_wh: args.energy_wh,
        uptime_secs: args.period_secs,
    };
    let simulator = Simulator::new(&args.crank, args.network, devices);
    let reports = simulator.reports(period);
    // Sent in rounds, so a terminal shows a progress bar.
    let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        indicatif::ProgressBar::new(reports.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut summary = SendSummary::default();
    let round = (args.concurrency.max(1) * 8).max(64);
    for chunk in reports.chunks(round) {
        summary.merge(simulator.send_each(chunk, args.concurrency.max(1)).await);
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "sent": summary.total(),
            "accepted": summary.accepted,
            "rejected": summary.rejected,
            "failed": summary.failed,
            "reports_per_sec": summary.reports_per_sec(),
            "p99_ms": summary.latency_percentile(99.0).as_secs_f64() * 1e3,
            "devices": simulator.keys().iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        }))?
    );
    if summary.accepted < summary.total() {
        bail!(
            "{} of {} reports were not accepted",
            summary.total() - summary.accepted,
            summary.total()
        );
    }
    Ok(())
}

/// `depin-crank pay-link`.
#[derive(clap::Args, Debug)]
pub struct PayLinkArgs {
    /// The device's account address (the registry's device PDA).
    device: Pubkey,
    /// A fixed deposit in base units of the payment mint; default: the
    /// tariff's minimum (read when the wallet asks).
    #[arg(long)]
    deposit: Option<u64>,
    /// The crank's public base URL; default: `public_url` of the config.
    #[arg(long)]
    public_url: Option<String>,
}

/// The `solana:` URL for a device's QR code. Reads the config only when no
/// `--public-url` is given.
pub fn pay_link(args: &PayLinkArgs, load: impl FnOnce() -> Result<CrankConfig>) -> Result<String> {
    let public_url = match &args.public_url {
        Some(url) => url.clone(),
        None => load()?.public_url.context(
            "no public URL: pass --public-url or set public_url (DEPIN_CRANK_PUBLIC_URL)",
        )?,
    };
    let link = solana_pay::pay_link(&public_url, &args.device, args.deposit)
        .map_err(anyhow::Error::msg)?;
    if !link.link.starts_with("https://") {
        tracing::warn!(link = %link.link, "wallets accept only https:// links");
    }
    Ok(link.url)
}
