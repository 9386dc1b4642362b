//! `GET /healthz` and `GET /metrics`.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{json, AppState};

/// 200 when storage answers a read, 503 otherwise.
pub(super) async fn healthz(State(state): State<AppState>) -> Response {
    let storage = std::sync::Arc::clone(state.ingestor.storage());
    let network = state.ingestor.network().to_bytes();
    let read = tokio::task::spawn_blocking(move || storage.is_frozen(&network, 0)).await;
    match read {
        Ok(Ok(_)) => json(StatusCode::OK, &serde_json::json!({ "status": "ok" })),
        Ok(Err(failure)) => json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({ "status": "unavailable", "message": failure.to_string() }),
        ),
        Err(_) => json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({ "status": "unavailable", "message": "the storage read panicked" }),
        ),
    }
}

/// Every registered series, in the Prometheus text format.
pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
