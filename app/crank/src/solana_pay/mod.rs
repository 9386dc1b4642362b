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

mod http;
mod link;
mod offer;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use axum::http::StatusCode;
use depin_client::{ClientError, Hash, Pubkey, RpcCluster};

pub use http::{router, PayState};
pub use link::{pay_link, PayLink};
pub use offer::{offer_session, SessionOffer, SessionPlanner, SessionRequest};

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
    /// The program's refusal to open a session (`Tariff::require_open_for`)
    /// as an answer.
    pub fn refused(
        error: &anchor_lang::error::Error,
        device: Pubkey,
        tariff: &depin_client::payments::Tariff,
        deposit: u64,
    ) -> PayError {
        use depin_client::depin_payments::errors::PaymentsError as Refusal;
        let code = match error {
            anchor_lang::error::Error::AnchorError(error) => error.error_code_number,
            anchor_lang::error::Error::ProgramError(_) => u32::MAX,
        };
        let is = |refusal: Refusal| code == u32::from(refusal);
        if is(Refusal::NetworkPaused) {
            PayError::NetworkPaused
        } else if is(Refusal::WrongAccount) {
            PayError::OtherNetwork(device)
        } else if is(Refusal::DeviceNotActive) {
            PayError::DeviceInactive(device)
        } else if is(Refusal::TariffPaused) {
            PayError::TariffPaused(device)
        } else if is(Refusal::StaleTariff) {
            PayError::StaleTariff(device)
        } else if is(Refusal::DepositTooSmall) {
            PayError::DepositTooSmall {
                deposit,
                minimum: tariff.min_deposit,
            }
        } else {
            PayError::Internal(format!("the program refuses the session: {error}"))
        }
    }

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
