//! The crank's HTTP API (axum): report ingest, the epoch's reports for
//! verifiers, health and metrics.
//!
//! [`router`] gives a complete `Router` with its state applied, so another
//! module adds endpoints with `router(state).merge(more_routes)`; [`serve`]
//! runs it on a listener the caller bound (tests bind `127.0.0.1:0`).
//!
//! Wiring it up (the binary's job):
//!
//! ```no_run
//! # async fn run(rpc: depin_client::RpcCluster, network: depin_client::Pubkey) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use depin_crank::http::{self, AppState, Limits};
//! use depin_crank::ingest::{CommitterConfig, DeviceCache, DeviceCacheConfig, IngestSetup, Ingestor, SystemClock};
//! use depin_crank::metrics::Metrics;
//! use depin_crank::storage::SqliteStorage;
//!
//! let (devices, schedule) =
//!     DeviceCache::from_chain(Arc::new(rpc), network, DeviceCacheConfig::default()).await?;
//! let metrics = Arc::new(Metrics::new());
//! let (ingestor, committer) = Ingestor::start(
//!     IngestSetup {
//!         network,
//!         schedule,
//!         storage: Arc::new(SqliteStorage::open("crank.db")?),
//!         devices: Arc::new(devices),
//!         clock: Arc::new(SystemClock),
//!         committer: CommitterConfig::default(),
//!     },
//!     &metrics,
//! )?;
//! let state = AppState { ingestor: Arc::new(ingestor), metrics, limits: Limits::default() };
//! let app = http::router(state); // .merge(proofs_api_router)
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! let shutdown = std::future::pending::<()>(); // e.g. tokio::signal::ctrl_c()
//! http::serve(listener, app, shutdown).await?;
//! // The server and its state are gone: the committer drains and stops.
//! tokio::task::spawn_blocking(move || committer.join()).await?;
//! # Ok(())
//! # }
//! ```

pub(crate) mod epochs;
mod ops;
mod reports;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tracing::debug;

use crate::ingest::Ingestor;
use crate::metrics::Metrics;

/// Request size limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Reports in one `POST /v1/reports/batch`.
    pub max_batch: usize,
    /// Bytes of any request body (a report's JSON is about 400 bytes).
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_batch: 1_000,
            max_body_bytes: 1024 * 1024,
        }
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub ingestor: Arc<Ingestor>,
    /// The registry `GET /metrics` renders (ingest registered its series on
    /// it when it started).
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
}

/// Every endpoint of this module, state applied.
pub fn router(state: AppState) -> Router {
    let body_limit = state.limits.max_body_bytes;
    Router::new()
        .route("/v1/reports", post(reports::post_one))
        .route("/v1/reports/batch", post(reports::post_batch))
        .route("/v1/epochs/{epoch}/reports", get(epochs::reports))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the
/// requests in flight (each answered only after its commit).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Answers are small: send them at once rather than wait on Nagle.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            debug!(%error, "could not set TCP_NODELAY");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `{"code", "message"}` with `status`.
pub(crate) fn error(status: StatusCode, code: &str, message: impl std::fmt::Display) -> Response {
    json(
        status,
        &serde_json::json!({ "code": code, "message": message.to_string() }),
    )
}
