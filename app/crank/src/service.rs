//! A running crank: the pipeline ticking on a timer, the proof book kept
//! fresh, and the operator's gauges (epoch lag, last root, push claims, the
//! oracle key's SOL, RPC errors) with a warning when the SOL runs low.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use depin_client::{rewards, Cluster, Pubkey};

use crate::epoch::{Pipeline, PipelineError, Progress, PushRecord, VerifierVerdict};
use crate::http::{self, AppState, Limits};
use crate::ingest::{
    Clock, CommitterConfig, CommitterThread, DeviceCache, DeviceCacheConfig, IngestSetup, Ingestor,
};
use crate::metrics::{Counter, Gauge, Metrics};
use crate::proofs::ProofBook;
use crate::proofs_api::{self, ProofsState};
use crate::storage::Storage;

/// The crank's HTTP side, assembled: ingest (reading devices from the
/// chain), the proofs API over its proof book, health and metrics.
pub struct HttpParts {
    /// Every route; serve it with [`http::serve`].
    pub app: axum::Router,
    /// Join it after the server stopped (it drains the last commits).
    pub committer: CommitterThread,
    pub book: Arc<ProofBook>,
    pub metrics: Arc<Metrics>,
}

/// Builds the HTTP side for `network`'s crank. `clock` is ingest's "now"
/// (system time in production; tests and the demo follow the bank's clock).
pub async fn http_parts<C: Cluster + Send + Sync + 'static>(
    cluster: Arc<C>,
    storage: Arc<dyn Storage>,
    network: Pubkey,
    distributor: Pubkey,
    clock: Arc<dyn Clock>,
) -> Result<HttpParts, Box<dyn std::error::Error + Send + Sync>> {
    let metrics = Arc::new(Metrics::new());
    let (devices, schedule) =
        DeviceCache::from_chain(cluster, network, DeviceCacheConfig::default()).await?;
    let (ingestor, committer) = Ingestor::start(
        IngestSetup {
            network,
            schedule,
            storage: Arc::clone(&storage),
            devices: Arc::new(devices),
            clock,
            committer: CommitterConfig::default(),
        },
        &metrics,
    )?;
    let book = Arc::new(ProofBook::new(Arc::clone(&storage), network, distributor));
    let app = http::router(AppState {
        ingestor: Arc::new(ingestor),
        metrics: Arc::clone(&metrics),
        limits: Limits::default(),
    })
    .merge(proofs_api::router(ProofsState {
        book: Arc::clone(&book),
        storage,
        network,
    }));
    Ok(HttpParts {
        app,
        committer,
        book,
        metrics,
    })
}

struct ServiceMetrics {
    pipeline_epoch: Gauge,
    epoch_lag: Gauge,
    last_root_epoch: Gauge,
    push_claims: Counter,
    oracle_lamports: Gauge,
    low_balance: Gauge,
    rpc_errors: Counter,
    pipeline_errors: Counter,
    roots_refused: Counter,
}

impl ServiceMetrics {
    fn register(metrics: &Metrics) -> Self {
        ServiceMetrics {
            pipeline_epoch: metrics.gauge(
                "depin_crank_pipeline_epoch",
                "The first epoch not yet through every step.",
                &[],
            ),
            epoch_lag: metrics.gauge(
                "depin_crank_epoch_lag",
                "Epochs between the chain's current epoch and the pipeline's.",
                &[],
            ),
            last_root_epoch: metrics.gauge(
                "depin_crank_last_root_epoch",
                "The epoch of the distributor's claimable root.",
                &[],
            ),
            push_claims: metrics.counter(
                "depin_crank_push_claims_total",
                "Recipients paid by push claims.",
                &[],
            ),
            oracle_lamports: metrics.gauge(
                "depin_crank_oracle_lamports",
                "SOL (lamports) of the crank's oracle key, which pays its fees.",
                &[],
            ),
            low_balance: metrics.gauge(
                "depin_crank_oracle_low_balance",
                "1 when the oracle key holds less than the configured minimum.",
                &[],
            ),
            rpc_errors: metrics.counter(
                "depin_crank_rpc_errors_total",
                "Ticks that failed on an RPC or chain error (retried on the next tick).",
                &[],
            ),
            roots_refused: metrics.counter(
                "depin_crank_verifier_roots_refused_total",
                "Roots a verifier refused to approve (they differed from its own): alert on it.",
                &[],
            ),
            pipeline_errors: metrics.counter(
                "depin_crank_pipeline_errors_total",
                "Ticks that failed on anything else (storage, an invalid epoch).",
                &[],
            ),
        }
    }
}

/// A crank: its pipeline, the proof book it feeds, its metrics.
pub struct Crank<C: Cluster> {
    pipeline: Pipeline<C>,
    book: Arc<ProofBook>,
    metrics: ServiceMetrics,
    low_balance_lamports: u64,
}

impl<C: Cluster> Crank<C> {
    pub fn new(
        pipeline: Pipeline<C>,
        book: Arc<ProofBook>,
        metrics: &Metrics,
        low_balance_lamports: u64,
    ) -> Self {
        Crank {
            pipeline,
            book,
            metrics: ServiceMetrics::register(metrics),
            low_balance_lamports,
        }
    }

    pub fn pipeline(&self) -> &Pipeline<C> {
        &self.pipeline
    }

    /// One round: every pipeline step that can run, then the proof book and
    /// the gauges. Errors are counted and returned; the next tick retries.
    pub async fn tick(&self) -> Result<Progress, PipelineError> {
        let before = self.pipeline.current_epoch().await.ok();
        let result = self.pipeline.tick().await;
        match &result {
            Ok(Progress::Waiting { epoch, reason }) => {
                self.metrics.pipeline_epoch.set(*epoch as i64);
                tracing::debug!(epoch, reason, "waiting");
            }
            Err(PipelineError::Chain(error)) => {
                self.metrics.rpc_errors.inc();
                tracing::warn!(%error, "tick failed on the chain; retrying next tick");
            }
            Err(PipelineError::Crashed(_)) => {}
            Err(error) => {
                self.metrics.pipeline_errors.inc();
                tracing::error!(%error, "tick failed");
            }
        }
        if let (Some(before), Ok(Progress::Waiting { epoch, .. })) = (before, &result) {
            self.count_finished_epochs(before, *epoch);
        }
        self.observe().await;
        result
    }

    /// Counts what the epochs finished in a tick did: push claims, and a
    /// verifier's refusals.
    fn count_finished_epochs(&self, from: u64, to: u64) {
        let network = self.pipeline.config().network.to_bytes();
        let storage = self.pipeline.storage();
        let record =
            |epoch: u64, step: &str| storage.step_result(&network, epoch, step).ok().flatten();
        for epoch in from..to {
            if let Some(push) = record(epoch, "push_claims")
                .and_then(|bytes| serde_json::from_slice::<PushRecord>(&bytes).ok())
            {
                self.metrics.push_claims.add(u64::from(push.pushed));
            }
            if let Some(VerifierVerdict::Refused { .. }) = record(epoch, "approve")
                .and_then(|bytes| serde_json::from_slice::<VerifierVerdict>(&bytes).ok())
            {
                self.metrics.roots_refused.inc();
            }
        }
    }

    /// Refreshes the proof book and the gauges; each part on its own, so a
    /// failed read (a flaky RPC) leaves the others fresh.
    async fn observe(&self) {
        let failed = |what: &str, error: &dyn std::fmt::Display| {
            self.metrics.rpc_errors.inc();
            tracing::warn!(%error, "{what} failed; retrying next tick");
        };
        if let Err(error) = self.book.reload() {
            failed("loading the claimable tree", &error);
        }
        let cluster = self.pipeline.cluster();
        if let Err(error) = self.book.refresh_claimed(cluster).await {
            failed("reading what leaves claimed", &error);
        }
        match rewards::distributor(cluster, &self.pipeline.config().distributor).await {
            Ok(distributor) => self.metrics.last_root_epoch.set(distributor.epoch as i64),
            Err(error) => failed("reading the distributor", &error),
        }
        match cluster.unix_timestamp().await {
            Ok(now) => {
                if let (Some(chain_epoch), Ok(epoch)) = (
                    self.pipeline.schedule().epoch_at(now),
                    self.pipeline.current_epoch().await,
                ) {
                    self.metrics
                        .epoch_lag
                        .set(chain_epoch.saturating_sub(epoch) as i64);
                }
            }
            Err(error) => failed("reading the chain's clock", &error),
        }
        let oracle = self.pipeline.oracle();
        match cluster.get_balance(&oracle).await {
            Ok(lamports) => {
                self.metrics.oracle_lamports.set(lamports as i64);
                let low = lamports < self.low_balance_lamports;
                if low {
                    tracing::warn!(
                        %oracle,
                        sol = lamports as f64 / 1e9,
                        "the crank's oracle key is running low on SOL: fund it"
                    );
                }
                self.metrics.low_balance.set(i64::from(low));
            }
            Err(error) => failed("reading the oracle's balance", &error),
        }
    }

    /// Ticks every `every` until `shutdown` completes.
    pub async fn run(&self, every: Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let _ = self.tick().await;
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(every) => {}
            }
        }
    }
}
