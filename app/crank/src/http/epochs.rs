//! `GET /v1/epochs/{n}/reports`: everything stored for an epoch, signed, so
//! a verifier crank can check every report and every conflict itself.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use depin_client::report::{decode, SignedReport};
use depin_client::{Pubkey, Signature};

use super::{error, json, AppState};
use crate::storage::{SignedCopy, StorageError};

/// `{"epoch", "frozen", "reports": [counted reports, by device then
/// period], "conflicts": [{"id", "device", "period_start", "first",
/// "second"}]}`. Conflicted reports are out of `reports`; both copies of
/// each pair are in `conflicts`.
pub(super) async fn reports(State(state): State<AppState>, Path(epoch): Path<String>) -> Response {
    let Ok(epoch) = epoch.parse::<u64>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "malformed",
            format!("epoch {epoch:?} is not a number"),
        );
    };
    let storage = std::sync::Arc::clone(state.ingestor.storage());
    let network = state.ingestor.network().to_bytes();
    let read = tokio::task::spawn_blocking(move || epoch_json(storage.as_ref(), &network, epoch));
    match read.await {
        Ok(Ok(body)) => json(StatusCode::OK, &body),
        Ok(Err(failure)) => error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", failure),
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "reading the epoch panicked",
        ),
    }
}

/// The answer's body; an in-process verifier reads the same listing.
pub(crate) fn epoch_json(
    storage: &dyn crate::storage::Storage,
    network: &[u8; 32],
    epoch: u64,
) -> Result<serde_json::Value, StorageError> {
    let frozen = storage.is_frozen(network, epoch)?;
    let reports = storage
        .reports_for_epoch(network, epoch)?
        .into_iter()
        .map(|stored| signed_json(&stored.report.message, &stored.report.signature))
        .collect::<Result<Vec<_>, _>>()?;
    let conflicts = storage
        .conflicts(network, epoch)?
        .into_iter()
        .map(|conflict| {
            Ok(serde_json::json!({
                "id": conflict.id,
                "device": Pubkey::new_from_array(conflict.device).to_string(),
                "period_start": conflict.period_start,
                "first": copy_json(&conflict.first)?,
                "second": copy_json(&conflict.second)?,
            }))
        })
        .collect::<Result<Vec<_>, StorageError>>()?;
    Ok(serde_json::json!({
        "epoch": epoch,
        "frozen": frozen,
        "reports": reports,
        "conflicts": conflicts,
    }))
}

fn copy_json(copy: &SignedCopy) -> Result<serde_json::Value, StorageError> {
    signed_json(&copy.message, &copy.signature)
}

/// The stored bytes as the API's signed report JSON.
fn signed_json(message: &[u8], signature: &[u8; 64]) -> Result<serde_json::Value, StorageError> {
    let report = decode(message).ok_or_else(|| {
        StorageError::Malformed(format!(
            "a stored message ({} bytes) is not a work report",
            message.len()
        ))
    })?;
    let signed = SignedReport {
        report,
        signature: Signature::from(*signature),
    };
    serde_json::to_value(signed).map_err(|e| StorageError::Malformed(e.to_string()))
}
