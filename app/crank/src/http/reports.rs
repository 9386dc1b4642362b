//! `POST /v1/reports` and `POST /v1/reports/batch`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use depin_client::report::{Rejection, SignedReport};

use super::{error, json, AppState};
use crate::ingest::{IngestError, Verdict};

/// One report: 202 once durable, 422 refused, 400 unparsable, 503 when
/// storage or the chain is unavailable (nothing stored: retry).
pub(super) async fn post_one(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_error(rejection),
    };
    let signed = match SignedReport::from_json(&body) {
        Ok(signed) => signed,
        Err(rejection) => {
            state.ingestor.count_malformed();
            return json(StatusCode::BAD_REQUEST, &rejection.to_json());
        }
    };
    match state.ingestor.ingest(signed).await {
        Ok(Verdict::Accepted { report_id }) => json(
            StatusCode::ACCEPTED,
            &serde_json::json!({ "status": "accepted", "report_id": report_id }),
        ),
        Ok(Verdict::Refused(refusal)) => json(StatusCode::UNPROCESSABLE_ENTITY, &refusal.to_json()),
        Err(failure) => unavailable(&failure),
    }
}

/// A gateway's JSON array of reports: 200 with one result per report, in
/// order (`{"status":"accepted","report_id"}` or
/// `{"status":"rejected","code","message"}`). An entry that does not parse
/// is refused as `malformed` on its own; a body that is no JSON array is a
/// 400. 503 means nothing of the batch was stored.
pub(super) async fn post_batch(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return body_error(rejection),
    };
    let entries: Vec<serde_json::Value> = match serde_json::from_slice(&body) {
        Ok(entries) => entries,
        Err(parse) => {
            state.ingestor.count_malformed();
            let rejection = Rejection::Malformed(format!("the body is not a JSON array: {parse}"));
            return json(StatusCode::BAD_REQUEST, &rejection.to_json());
        }
    };
    let limit = state.limits.max_batch;
    if entries.len() > limit {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("{} reports in one batch; at most {limit}", entries.len()),
        );
    }

    // Parse each entry; ingest the ones that parsed, in their order.
    let mut results: Vec<Option<serde_json::Value>> = Vec::with_capacity(entries.len());
    let mut parsed = Vec::with_capacity(entries.len());
    for entry in entries {
        match serde_json::from_value::<SignedReport>(entry) {
            Ok(signed) => {
                parsed.push(signed);
                results.push(None);
            }
            Err(parse) => {
                state.ingestor.count_malformed();
                let mut refused = Rejection::Malformed(parse.to_string()).to_json();
                refused["status"] = "rejected".into();
                results.push(Some(refused));
            }
        }
    }
    let verdicts = match state.ingestor.ingest_batch(parsed).await {
        Ok(verdicts) => verdicts,
        Err(failure) => return unavailable(&failure),
    };
    let mut verdicts = verdicts.iter();
    let results: Vec<serde_json::Value> = results
        .into_iter()
        .map(|result| {
            result.unwrap_or_else(|| {
                verdicts
                    .next()
                    .expect("one verdict per parsed report")
                    .to_json()
            })
        })
        .collect();
    json(StatusCode::OK, &serde_json::json!({ "results": results }))
}

fn unavailable(failure: &IngestError) -> Response {
    error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", failure)
}

/// The body could not be read: too large (413) or cut off (400).
fn body_error(rejection: BytesRejection) -> Response {
    let status = rejection.status();
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "body_too_large"
    } else {
        "malformed"
    };
    error(status, code, rejection.body_text())
}
