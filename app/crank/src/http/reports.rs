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
    // The usual batch parses in one pass; only a batch with a bad entry is
    // parsed again entry by entry, to refuse just those.
    let (parsed, results) = match SignedReport::batch_from_json(&body) {
        Ok(parsed) => {
            let results = vec![None; parsed.len()];
            (parsed, results)
        }
        Err(_) => match parse_each(&state, &body) {
            Ok(each) => each,
            Err(not_an_array) => {
                state.ingestor.count_malformed();
                return json(StatusCode::BAD_REQUEST, &not_an_array.to_json());
            }
        },
    };
    let limit = state.limits.max_batch;
    if results.len() > limit {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("{} reports in one batch; at most {limit}", results.len()),
        );
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

/// The reports that parse, and for each entry its refusal if it did not
/// (`None` where a parsed report goes); refused whole if the body is no
/// JSON array.
#[allow(clippy::type_complexity)]
fn parse_each(
    state: &AppState,
    body: &[u8],
) -> Result<(Vec<SignedReport>, Vec<Option<serde_json::Value>>), Rejection> {
    let entries: Vec<serde_json::Value> = serde_json::from_slice(body)
        .map_err(|parse| Rejection::Malformed(format!("the body is not a JSON array: {parse}")))?;
    let mut parsed = Vec::with_capacity(entries.len());
    let mut results = Vec::with_capacity(entries.len());
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
    Ok((parsed, results))
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
