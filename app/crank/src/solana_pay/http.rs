//! The HTTP side: routes, CORS, request parsing and JSON answers.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use depin_client::Pubkey;
use serde_json::json;

use super::offer::{SessionPlanner, SessionRequest};
use super::{PayConfig, PayError, ICON_PATH, ICON_SVG, MAX_BODY_BYTES, SESSIONS_PATH};

/// What the handlers share.
#[derive(Clone)]
pub struct PayState {
    pub planner: Arc<SessionPlanner>,
    pub config: Arc<PayConfig>,
}

/// `GET|POST|OPTIONS /v1/pay/sessions/{device}` and `GET|OPTIONS
/// /v1/pay/icon.svg`, each answer with `Access-Control-Allow-Origin: *`.
pub fn router(state: PayState) -> Router {
    Router::new()
        .route(
            &format!("{SESSIONS_PATH}/{{device}}"),
            get(label)
                .post(transaction)
                .options(preflight)
                .layer(DefaultBodyLimit::max(MAX_BODY_BYTES)),
        )
        .route(ICON_PATH, get(icon).options(preflight))
        .layer(map_response(allow_any_origin))
        .with_state(state)
}

async fn allow_any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// A CORS preflight: any origin may GET and POST JSON.
async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS"),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type, Accept"),
            (header::ACCESS_CONTROL_MAX_AGE, "86400"),
        ],
    )
        .into_response()
}

fn answer(status: StatusCode, body: serde_json::Value, cache: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, cache),
        ],
        body.to_string(),
    )
        .into_response()
}

fn refuse(error: &PayError) -> Response {
    answer(
        error.status(),
        json!({ "error": error.code(), "message": error.to_string() }),
        "no-store",
    )
}

fn device_of(path: &str) -> Result<Pubkey, PayError> {
    path.parse()
        .map_err(|_| PayError::MalformedDevice(path.to_string()))
}

/// The `deposit` of a link's query; other parameters are left alone (the
/// spec may add protocol parameters).
pub(super) fn deposit_of(query: Option<&str>) -> Result<Option<u64>, PayError> {
    let mut deposit = None;
    for pair in query.unwrap_or_default().split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key != "deposit" {
            continue;
        }
        let malformed = || {
            PayError::MalformedDeposit(format!(
                "deposit {value:?} is not a whole number of base units"
            ))
        };
        if deposit.is_some() {
            return Err(PayError::MalformedDeposit(
                "deposit is given more than once".into(),
            ));
        }
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        deposit = Some(value.parse::<u64>().map_err(|_| malformed())?);
    }
    Ok(deposit)
}

/// The base URL the icon is served under.
fn base_url(config: &PayConfig, headers: &HeaderMap) -> Option<String> {
    if let Some(url) = &config.public_url {
        return Some(url.trim_end_matches('/').to_string());
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|v| *v == "https" || *v == "http")
        .unwrap_or("http");
    Some(format!("{scheme}://{host}"))
}

/// `GET`: who asks for the payment, and its icon. Reads nothing from the
/// chain (the POST checks everything).
async fn label(
    State(state): State<PayState>,
    Path(device): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = device_of(&device).and_then(|_| deposit_of(query.as_deref())) {
        return refuse(&error);
    }
    let Some(base) = base_url(&state.config, &headers) else {
        return refuse(&PayError::Internal(
            "no Host header and no public_url configured: the icon has no absolute URL".into(),
        ));
    };
    answer(
        StatusCode::OK,
        json!({ "label": state.config.label, "icon": format!("{base}{ICON_PATH}") }),
        "public, max-age=300",
    )
}

/// `POST {"account"}`: the transaction opening the account's session.
async fn transaction(
    State(state): State<PayState>,
    Path(device): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let request = match parse_request(&device, query.as_deref(), &body) {
        Ok(request) => request,
        Err(error) => return refuse(&error),
    };
    match state.planner.offer(request).await {
        Ok(offer) => {
            tracing::info!(
                device = %request.device,
                customer = %request.customer,
                session = %offer.session,
                deposit = offer.deposit,
                "Solana Pay: session transaction offered"
            );
            use base64::Engine as _;
            answer(
                StatusCode::OK,
                json!({
                    "transaction": base64::engine::general_purpose::STANDARD.encode(&offer.transaction),
                    "message": offer.message,
                    "session": offer.session.to_string(),
                    "session_id": offer.id.to_string(),
                    "deposit": offer.deposit.to_string(),
                }),
                "no-store",
            )
        }
        Err(error) => {
            if error.status().is_server_error() {
                tracing::warn!(%error, device = %request.device, "Solana Pay request failed");
            }
            refuse(&error)
        }
    }
}

pub(super) fn parse_request(
    device: &str,
    query: Option<&str>,
    body: &[u8],
) -> Result<SessionRequest, PayError> {
    let device = device_of(device)?;
    let deposit = deposit_of(query)?;
    let body: serde_json::Value = serde_json::from_slice(body).map_err(|_| {
        PayError::MalformedAccount("the body must be JSON: {\"account\": \"<base58>\"}".into())
    })?;
    let account = body
        .get("account")
        .and_then(|account| account.as_str())
        .ok_or_else(|| PayError::MalformedAccount("the body has no \"account\" string".into()))?;
    let customer = account.parse().map_err(|_| {
        PayError::MalformedAccount(format!("account {account:?} is not a base58 public key"))
    })?;
    Ok(SessionRequest {
        device,
        customer,
        deposit,
    })
}

async fn icon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        ICON_SVG,
    )
        .into_response()
}
