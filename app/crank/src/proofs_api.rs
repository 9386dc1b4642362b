//! `GET /v1/rewards/{recipient}` and `GET /v1/epochs/{n}`: the proofs API,
//! served from memory ([`ProofBook`]) and storage while the pipeline runs.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use depin_client::Pubkey;
use serde_json::json;

use crate::proofs::{epoch_summary, ProofBook, ProofMiss};
use crate::storage::Storage;

#[derive(Clone)]
pub struct ProofsState {
    pub book: Arc<ProofBook>,
    pub storage: Arc<dyn Storage>,
    pub network: Pubkey,
}

pub fn router(state: ProofsState) -> Router {
    Router::new()
        .route("/v1/rewards/{recipient}", get(reward))
        .route("/v1/epochs/{epoch}", get(epoch))
        .with_state(state)
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn refusal(status: StatusCode, code: &str, message: String) -> Response {
    answer(status, json!({ "code": code, "message": message }))
}

async fn reward(State(state): State<ProofsState>, Path(recipient): Path<String>) -> Response {
    let Ok(key) = recipient.parse::<Pubkey>() else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("{recipient:?} is not a base58 address"),
        );
    };
    match state.book.reward(&key) {
        Ok(body) => answer(StatusCode::OK, body),
        Err(ProofMiss::NoActiveRoot) => refusal(
            StatusCode::NOT_FOUND,
            "no_active_root",
            "no reward root is claimable yet".into(),
        ),
        Err(ProofMiss::UnknownRecipient) => refusal(
            StatusCode::NOT_FOUND,
            "unknown_recipient",
            format!("{key} has no reward in the claimable root"),
        ),
    }
}

async fn epoch(State(state): State<ProofsState>, Path(epoch): Path<String>) -> Response {
    let Ok(epoch) = epoch.parse::<u64>() else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("epoch {epoch:?} is not a number"),
        );
    };
    let storage = Arc::clone(&state.storage);
    let network = state.network;
    let read =
        tokio::task::spawn_blocking(move || epoch_summary(storage.as_ref(), &network, epoch));
    match read.await {
        Ok(Ok(Some(summary))) => answer(StatusCode::OK, summary),
        Ok(Ok(None)) => refusal(
            StatusCode::NOT_FOUND,
            "unknown_epoch",
            format!("epoch {epoch} has no recorded step yet"),
        ),
        Ok(Err(error)) => refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            error.to_string(),
        ),
        Err(_) => refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "reading the epoch failed".into(),
        ),
    }
}
