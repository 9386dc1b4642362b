//! Solana Pay transaction requests for payment sessions: a customer at a
//! charger scans a QR code and their wallet receives the transaction that
//! opens a session (`depin_payments::open_session`) to sign.
//!
//! The flow, per the Solana Pay specification (transaction request, v1.1):
//!
//! - the QR code holds `solana:<link>` ([`pay_link`] renders it; `depin-crank
//!   pay-link <DEVICE>` prints it), where `<link>` is
//!   `https://<crank>/v1/pay/sessions/<DEVICE>[?deposit=<base units>]`,
//!   URL-encoded when it has a query;
//! - `GET <link>`: `{"label", "icon"}`; the icon is an SVG the crank serves at
//!   `GET /v1/pay/icon.svg`;
//! - `POST <link>` with `{"account": "<base58>"}`: `{"transaction",
//!   "message", "session", "session_id", "deposit"}`. The transaction is a
//!   legacy transaction in the wire format, base64: fee payer the account,
//!   the latest blockhash, one empty (all-zero) signature slot, the account's
//!   only; its instructions are [`depin_client::payments::open_session_instructions`]'s
//!   with the account as payer and customer, paying the deposit from the
//!   account's associated token account of the tariff's mint;
//! - refusals are HTTP 4xx with `{"error": "<code>", "message": "..."}`
//!   (the spec's error body is `{"message"}`; `error` is extra, for
//!   programs), a chain that cannot be read is 503;
//! - every answer carries `Access-Control-Allow-Origin: *` and `OPTIONS`
//!   answers CORS preflights, since wallets and web pages call from other
//!   origins.
//!
//! The deposit is the link's `deposit` query (base units of the payment
//! mint), else the tariff's `min_deposit`. The session id is a random u64
//! drawn by the server for each POST (re-drawn in the unlikely case that the
//! customer already has a session with that id at the device), so every
//! scan yields a new session and two sessions of one customer at one device
//! never collide; it is returned as a string (JSON numbers above 2^53 lose
//! precision in JavaScript wallets).

use std::sync::Arc;

use anchor_lang::AccountDeserialize;
use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use depin_client::depin_registry::state::{Device, DeviceStatus, Network};
use depin_client::payments::{self, MeterUnit, OpenSessionArgs, Tariff};
use depin_client::{token, ClientError, Cluster, Hash, Pubkey, RpcCluster};
use serde_json::json;
use tokio::sync::{mpsc, oneshot};

/// Where the transaction requests live: `/v1/pay/sessions/<DEVICE>`.
pub const SESSIONS_PATH: &str = "/v1/pay/sessions";
/// The icon `GET` names.
pub const ICON_PATH: &str = "/v1/pay/icon.svg";
/// A POST body is `{"account": "<44 characters>"}`; anything far larger is
/// not a wallet's.
const MAX_BODY_BYTES: usize = 4 * 1024;
/// Draws of a session id before giving up (each collides with an existing
/// session with probability about n / 2^64).
const ID_DRAWS: usize = 4;

/// The icon wallets show next to the label: a bolt in a circle.
pub const ICON_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#0f766e"/><path d="M36 8 16 36h13l-3 20 22-30H34z" fill="#fde047"/></svg>"##;

/// What the endpoints say about themselves.
#[derive(Clone, Debug)]
pub struct PayConfig {
    /// The network whose devices this crank sells sessions for.
    pub network: Pubkey,
    /// The crank's public base URL (`https://pay.example.com`), from which
    /// the icon's absolute URL is made; `None`: from the request's `Host`
    /// (and `X-Forwarded-Proto`, default `http`).
    pub public_url: Option<String>,
    /// The `label` wallets display (who asks for the payment).
    pub label: String,
}

/// The latest blockhash, which the [`Cluster`] trait does not cover.
#[async_trait(?Send)]
pub trait LatestBlockhash: Send + Sync {
    async fn latest_blockhash(&self) -> Result<Hash, ClientError>;
}

#[async_trait(?Send)]
impl LatestBlockhash for RpcCluster {
    async fn latest_blockhash(&self) -> Result<Hash, ClientError> {
        self.rpc()
            .get_latest_blockhash_with_commitment(self.commitment())
            .await
            .map(|(hash, _)| hash)
            .map_err(|error| ClientError::Rpc {
                method: "getLatestBlockhash".into(),
                reason: error.to_string(),
            })
    }
}

/// A customer's request for a session at a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionRequest {
    /// The device's account address (the registry's device PDA).
    pub device: Pubkey,
    /// The wallet: fee payer, rent payer and customer.
    pub customer: Pubkey,
    /// Base units of the payment mint; `None`: the tariff's minimum.
    pub deposit: Option<u64>,
}

/// The unsigned transaction opening the session, and what it opens.
#[derive(Clone, Debug)]
pub struct SessionOffer {
    /// The transaction in the wire format (signature slots all zero).
    pub transaction: Vec<u8>,
    /// For the wallet to display.
    pub message: String,
    pub session: Pubkey,
    pub id: u64,
    pub deposit: u64,
}

/// Why no transaction was offered. Each is an HTTP status and a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    #[error("{0:?} is not a base58 device address")]
    MalformedDevice(String),
    #[error("{0}")]
    MalformedAccount(String),
    #[error("{0}")]
    MalformedDeposit(String),
    #[error("no device account at {0}")]
    UnknownDevice(Pubkey),
    #[error("device {0} is not in this crank's network")]
    OtherNetwork(Pubkey),
    #[error("device {0} has no tariff: it does not sell sessions")]
    NoTariff(Pubkey),
    #[error(
        "device {0}'s tariff was set for an earlier registration: its controller must set it again"
    )]
    StaleTariff(Pubkey),
    #[error("device {0}'s tariff is paused: no new sessions")]
    TariffPaused(Pubkey),
    #[error("device {0} is not active (suspended or retired)")]
    DeviceInactive(Pubkey),
    #[error("the network is paused")]
    NetworkPaused,
    #[error("the deposit {deposit} is below the tariff's minimum of {minimum} base units")]
    DepositTooSmall { deposit: u64, minimum: u64 },
    #[error("{customer} has no token account of the payment mint {mint} (its associated account)")]
    NoTokenAccount { customer: Pubkey, mint: Pubkey },
    #[error("the deposit needs {needed} base units of {mint}; {customer}'s account holds {held}")]
    InsufficientFunds {
        customer: Pubkey,
        mint: Pubkey,
        needed: u64,
        held: u64,
    },
    #[error("the chain cannot be read now: {0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl PayError {
    pub fn status(&self) -> StatusCode {
        match self {
            PayError::MalformedDevice(_)
            | PayError::MalformedAccount(_)
            | PayError::MalformedDeposit(_) => StatusCode::BAD_REQUEST,
            PayError::UnknownDevice(_) | PayError::OtherNetwork(_) | PayError::NoTariff(_) => {
                StatusCode::NOT_FOUND
            }
            PayError::StaleTariff(_)
            | PayError::TariffPaused(_)
            | PayError::DeviceInactive(_)
            | PayError::NetworkPaused => StatusCode::CONFLICT,
            PayError::DepositTooSmall { .. }
            | PayError::NoTokenAccount { .. }
            | PayError::InsufficientFunds { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            PayError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            PayError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            PayError::MalformedDevice(_) => "malformed_device",
            PayError::MalformedAccount(_) => "malformed_account",
            PayError::MalformedDeposit(_) => "malformed_deposit",
            PayError::UnknownDevice(_) | PayError::OtherNetwork(_) => "unknown_device",
            PayError::NoTariff(_) => "no_tariff",
            PayError::StaleTariff(_) => "stale_tariff",
            PayError::TariffPaused(_) => "tariff_paused",
            PayError::DeviceInactive(_) => "device_inactive",
            PayError::NetworkPaused => "network_paused",
            PayError::DepositTooSmall { .. } => "deposit_too_small",
            PayError::NoTokenAccount { .. } => "no_token_account",
            PayError::InsufficientFunds { .. } => "insufficient_funds",
            PayError::Unavailable(_) => "unavailable",
            PayError::Internal(_) => "internal",
        }
    }
}

fn unavailable(error: ClientError) -> PayError {
    PayError::Unavailable(error.to_string())
}

/// `account` decoded as `T` if `owner` owns it and it decodes.
fn decode<T: AccountDeserialize>(
    account: Option<&solana_account::Account>,
    owner: &Pubkey,
) -> Option<T> {
    account
        .filter(|account| account.owner == *owner)
        .and_then(|account| T::try_deserialize(&mut account.data.as_slice()).ok())
}

/// Checks that `request` can open a session now and builds the unsigned
/// transaction that opens it. Reads: the device, network and tariff in one
/// call, the mint's decimals, the customer's account and the session
/// address in one call, the market (through the client's planner), the
/// latest blockhash.
pub async fn offer_session(
    cluster: &impl Cluster,
    blockhash: &dyn LatestBlockhash,
    network: &Pubkey,
    request: SessionRequest,
) -> Result<SessionOffer, PayError> {
    let SessionRequest {
        device: device_address,
        customer,
        deposit,
    } = request;
    let tariff_address = payments::tariff_address(&device_address);
    let accounts = cluster
        .get_multiple_accounts(&[device_address, *network, tariff_address])
        .await
        .map_err(unavailable)?;
    let device: Device = decode(accounts[0].as_ref(), &depin_client::depin_registry::ID)
        .ok_or(PayError::UnknownDevice(device_address))?;
    let network_account: Network = decode(accounts[1].as_ref(), &depin_client::depin_registry::ID)
        .ok_or_else(|| PayError::Unavailable(format!("the network {network} cannot be read")))?;
    if device.network_id != network_account.network_id {
        return Err(PayError::OtherNetwork(device_address));
    }
    if network_account.paused {
        return Err(PayError::NetworkPaused);
    }
    if device.status != DeviceStatus::Active {
        return Err(PayError::DeviceInactive(device_address));
    }
    let tariff: Tariff = decode(accounts[2].as_ref(), &depin_client::depin_payments::ID)
        .ok_or(PayError::NoTariff(device_address))?;
    if tariff.registration != device.registration {
        return Err(PayError::StaleTariff(device_address));
    }
    if tariff.paused {
        return Err(PayError::TariffPaused(device_address));
    }
    let deposit = deposit.unwrap_or(tariff.min_deposit);
    if deposit < tariff.min_deposit {
        return Err(PayError::DepositTooSmall {
            deposit,
            minimum: tariff.min_deposit,
        });
    }
    let mint = tariff.payment_mint;
    let decimals = token::mint_decimals(cluster, &mint)
        .await
        .map_err(unavailable)?;

    // The customer's associated account pays; a session id not in use.
    let source = token::associated_address(&customer, &mint);
    let mut drawn = None;
    for _ in 0..ID_DRAWS {
        let id = getrandom::u64().map_err(|e| PayError::Internal(format!("no randomness: {e}")))?;
        let session = payments::session_address(&device_address, &customer, id);
        let accounts = cluster
            .get_multiple_accounts(&[source, session])
            .await
            .map_err(unavailable)?;
        let held = accounts[0]
            .as_ref()
            .filter(|account| account.owner == token::TOKEN_PROGRAM_ID)
            .and_then(|account| token::decode_account(&account.data))
            .filter(|account| account.mint == mint && account.owner == customer)
            .map(|account| account.amount)
            .ok_or(PayError::NoTokenAccount { customer, mint })?;
        if held < deposit {
            return Err(PayError::InsufficientFunds {
                customer,
                mint,
                needed: deposit,
                held,
            });
        }
        if accounts[1].is_none() {
            drawn = Some(id);
            break;
        }
    }
    let id = drawn.ok_or_else(|| PayError::Internal("no unused session id was drawn".into()))?;

    let plan = payments::open_session_instructions(
        cluster,
        &customer,
        &customer,
        &device_address,
        OpenSessionArgs { id, deposit },
        Some(source),
    )
    .await
    .map_err(unavailable)?;
    let hash = blockhash.latest_blockhash().await.map_err(unavailable)?;
    let message =
        depin_client::rpc::offline_message(&plan.instructions, &customer, hash, None, None);
    let transaction = solana_transaction::Transaction::new_unsigned(message);
    let transaction = wincode::serialize(&transaction)
        .map_err(|e| PayError::Internal(format!("serializing the transaction: {e}")))?;
    Ok(SessionOffer {
        transaction,
        message: describe(&tariff, deposit, decimals),
        session: plan.session,
        id,
        deposit,
    })
}

/// What the wallet shows: "Deposit 5 for up to 2 h at 0.0003 per Wh; the
/// unused deposit is refunded".
fn describe(tariff: &Tariff, deposit: u64, decimals: u8) -> String {
    let unit = match tariff.unit {
        MeterUnit::WattHour => "Wh",
        MeterUnit::Second => "second",
        MeterUnit::Megabyte => "MB",
    };
    format!(
        "Deposit {} for up to {} at {} per {unit}; the unused deposit is refunded",
        ui_amount(deposit, decimals),
        duration(tariff.max_session_secs),
        ui_amount(tariff.price_per_unit, decimals),
    )
}

/// `amount` base units with `decimals`, without trailing zeros.
fn ui_amount(amount: u64, decimals: u8) -> String {
    let scale = 10u128.pow(u32::from(decimals));
    let (whole, fraction) = (u128::from(amount) / scale, u128::from(amount) % scale);
    if fraction == 0 {
        return whole.to_string();
    }
    let digits = format!("{fraction:0width$}", width = usize::from(decimals));
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// `secs` in the largest whole unit: "2 h", "90 min", "3 d".
fn duration(secs: u32) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s % 3_600 == 0 => format!("{} h", s / 3_600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

struct Job {
    request: SessionRequest,
    reply: oneshot::Sender<Result<SessionOffer, PayError>>,
}

/// Runs [`offer_session`] for the HTTP handlers.
///
/// `Cluster`'s futures are not known to be `Send` (see
/// [`crate::ingest::ChainDevices`]), so requests run on a thread of their own
/// (a single-threaded runtime, each request a local task); the thread ends
/// when the last `SessionPlanner` is dropped.
pub struct SessionPlanner {
    jobs: mpsc::UnboundedSender<Job>,
}

impl SessionPlanner {
    pub fn spawn<C: Cluster + Send + Sync + 'static>(
        cluster: Arc<C>,
        blockhash: Arc<dyn LatestBlockhash>,
        network: Pubkey,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (jobs, mut requests) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("solana-pay".into())
            .spawn(move || {
                let local = tokio::task::LocalSet::new();
                local.block_on(&runtime, async move {
                    while let Some(job) = requests.recv().await {
                        let cluster = Arc::clone(&cluster);
                        let blockhash = Arc::clone(&blockhash);
                        tokio::task::spawn_local(async move {
                            let offer =
                                offer_session(&*cluster, &*blockhash, &network, job.request).await;
                            // The wallet may have hung up.
                            let _ = job.reply.send(offer);
                        });
                    }
                });
            })?;
        Ok(SessionPlanner { jobs })
    }

    pub async fn offer(&self, request: SessionRequest) -> Result<SessionOffer, PayError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || PayError::Internal("the Solana Pay thread has stopped".into());
        self.jobs
            .send(Job { request, reply })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

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
fn deposit_of(query: Option<&str>) -> Result<Option<u64>, PayError> {
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

fn parse_request(
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

/// A device's transaction request link and the `solana:` URL a QR code
/// holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayLink {
    /// `https://<crank>/v1/pay/sessions/<DEVICE>[?deposit=N]`.
    pub link: String,
    /// `solana:<link>`, the link URL-encoded when it has a query (as the
    /// spec requires), else as is (a shorter URL, a less dense QR code).
    pub url: String,
}

/// The link for `device` (its account address) on the crank at
/// `public_url`, with a fixed `deposit` or (`None`) the tariff's minimum.
/// Wallets accept only `https` links; `http` is allowed for local tests.
pub fn pay_link(
    public_url: &str,
    device: &Pubkey,
    deposit: Option<u64>,
) -> Result<PayLink, String> {
    let base = public_url.trim_end_matches('/');
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or_else(|| format!("{public_url:?} is not an absolute https:// URL"))?;
    if rest.is_empty() || rest.contains(['?', '#']) {
        return Err(format!(
            "{public_url:?} must be a base URL without a query or fragment"
        ));
    }
    let mut link = format!("{base}{SESSIONS_PATH}/{device}");
    let url = match deposit {
        Some(deposit) => {
            link.push_str(&format!("?deposit={deposit}"));
            format!("solana:{}", encode_uri_component(&link))
        }
        None => format!("solana:{link}"),
    };
    Ok(PayLink { link, url })
}

/// JavaScript's `encodeURIComponent`, which the spec names.
fn encode_uri_component(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => encoded.push(char::from(byte)),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEVICE: &str = "7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2";

    #[test]
    fn a_link_without_a_query_stays_readable_and_one_with_a_query_is_encoded() {
        let device: Pubkey = DEVICE.parse().unwrap();
        let plain = pay_link("https://pay.example.com/", &device, None).unwrap();
        assert_eq!(
            plain.link,
            format!("https://pay.example.com/v1/pay/sessions/{DEVICE}")
        );
        assert_eq!(plain.url, format!("solana:{}", plain.link));
        let with_deposit = pay_link("https://pay.example.com", &device, Some(5_000_000)).unwrap();
        assert_eq!(
            with_deposit.link,
            format!("https://pay.example.com/v1/pay/sessions/{DEVICE}?deposit=5000000")
        );
        assert_eq!(
            with_deposit.url,
            format!("solana:https%3A%2F%2Fpay.example.com%2Fv1%2Fpay%2Fsessions%2F{DEVICE}%3Fdeposit%3D5000000")
        );
        assert!(pay_link("pay.example.com", &device, None).is_err());
        assert!(pay_link("https://pay.example.com/?a=b", &device, None).is_err());
        assert!(pay_link("https://", &device, None).is_err());
    }

    #[test]
    fn encode_uri_component_matches_javascript() {
        assert_eq!(
            encode_uri_component("https://a.b/c?d=1&e=f g~'()*!é"),
            "https%3A%2F%2Fa.b%2Fc%3Fd%3D1%26e%3Df%20g~'()*!%C3%A9"
        );
    }

    #[test]
    fn the_deposit_query_is_a_whole_number_given_once() {
        assert_eq!(deposit_of(None), Ok(None));
        assert_eq!(deposit_of(Some("")), Ok(None));
        assert_eq!(deposit_of(Some("deposit=42")), Ok(Some(42)));
        assert_eq!(deposit_of(Some("ref=x&deposit=7&label")), Ok(Some(7)));
        for bad in [
            "deposit=",
            "deposit=-1",
            "deposit=+1",
            "deposit=1.5",
            "deposit=abc",
            "deposit=18446744073709551616",
            "deposit=1&deposit=2",
        ] {
            let error = deposit_of(Some(bad)).unwrap_err();
            assert_eq!(error.code(), "malformed_deposit", "{bad}");
        }
    }

    #[test]
    fn amounts_and_durations_read_like_a_person_would_write_them() {
        assert_eq!(ui_amount(5_000_000, 6), "5");
        assert_eq!(ui_amount(2_500, 6), "0.0025");
        assert_eq!(ui_amount(1_234_500, 6), "1.2345");
        assert_eq!(ui_amount(7, 0), "7");
        assert_eq!(ui_amount(u64::MAX, 9), "18446744073.709551615");
        assert_eq!(duration(7_200), "2 h");
        assert_eq!(duration(5_400), "90 min");
        assert_eq!(duration(3 * 86_400), "3 d");
        assert_eq!(duration(61), "61 s");
    }

    #[test]
    fn malformed_requests_are_named() {
        let body = br#"{"account":"7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2"}"#;
        assert!(parse_request(DEVICE, None, body).is_ok());
        let code =
            |device: &str, body: &[u8]| parse_request(device, None, body).unwrap_err().code();
        assert_eq!(code("nope", body), "malformed_device");
        assert_eq!(code(DEVICE, b"not json"), "malformed_account");
        assert_eq!(code(DEVICE, br#"{"acount":"x"}"#), "malformed_account");
        assert_eq!(code(DEVICE, br#"{"account":42}"#), "malformed_account");
        assert_eq!(code(DEVICE, br#"{"account":"0OIl"}"#), "malformed_account");
    }
}
