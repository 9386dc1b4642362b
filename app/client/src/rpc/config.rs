//! How an [`RpcCluster`](super::RpcCluster) talks to its endpoint: commitment,
//! fees, compute budget, confirmation and the HTTP retry policy.

use std::time::Duration;

pub use solana_commitment_config::CommitmentLevel;

use super::backoff::Backoff;

/// Devnet's public endpoint.
pub const DEVNET_URL: &str = "https://api.devnet.solana.com";
/// Mainnet-beta's public endpoint.
pub const MAINNET_URL: &str = "https://api.mainnet-beta.solana.com";
/// A `solana-test-validator` with its default ports.
pub const LOCALNET_URL: &str = "http://127.0.0.1:8899";

/// The URL for a moniker (`devnet`, `mainnet`/`mainnet-beta`,
/// `localnet`/`localhost`, or their initials `d`, `m`, `l`), else `url_or_moniker`
/// itself, as `solana -u` does.
pub fn resolve_url(url_or_moniker: &str) -> String {
    match url_or_moniker {
        "devnet" | "d" => DEVNET_URL.to_string(),
        "mainnet" | "mainnet-beta" | "m" => MAINNET_URL.to_string(),
        "localnet" | "localhost" | "l" => LOCALNET_URL.to_string(),
        url => url.to_string(),
    }
}

/// Whether `url` is one of Solana's rate-limited public endpoints.
pub fn is_public_endpoint(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .unwrap_or(url)
        .split(['/', ':'])
        .next()
        .unwrap_or_default();
    matches!(
        host,
        "api.devnet.solana.com" | "api.testnet.solana.com" | "api.mainnet-beta.solana.com"
    )
}

/// Everything an [`RpcCluster`](super::RpcCluster) can be told.
#[derive(Debug, Clone)]
pub struct RpcConfig {
    /// Commitment for reads and for confirming sends (default `confirmed`).
    pub commitment: CommitmentLevel,
    /// How the priority fee is chosen.
    pub priority_fee: PriorityFee,
    /// How the compute-unit limit is set from simulation.
    pub compute_units: ComputeUnitMargin,
    /// Waiting for confirmation and re-signing.
    pub confirm: ConfirmPolicy,
    /// HTTP timeouts, retries and the client-side request rate.
    pub transport: TransportPolicy,
}

impl Default for RpcConfig {
    fn default() -> Self {
        RpcConfig {
            commitment: CommitmentLevel::Confirmed,
            priority_fee: PriorityFee::default(),
            compute_units: ComputeUnitMargin::default(),
            confirm: ConfirmPolicy::default(),
            transport: TransportPolicy::default(),
        }
    }
}

impl RpcConfig {
    /// Defaults suited to an endpoint: a request rate for devnet's and
    /// mainnet's public RPC (by URL), and quicker polling on loopback.
    pub fn for_url(url: &str) -> Self {
        let mut config = RpcConfig::default();
        if is_public_endpoint(url) {
            config.transport.rate_limit = Some(RateLimit::PUBLIC_ENDPOINT);
        }
        if url.starts_with("http://127.0.0.1") || url.starts_with("http://localhost") {
            config.confirm.poll_interval = Duration::from_millis(200);
        }
        config
    }

    /// This config with a fixed priority fee (`--with-compute-unit-price`).
    pub fn with_compute_unit_price(mut self, micro_lamports: u64) -> Self {
        self.priority_fee = PriorityFee::Fixed(micro_lamports);
        self
    }

    /// This config with another commitment.
    pub fn with_commitment(mut self, commitment: CommitmentLevel) -> Self {
        self.commitment = commitment;
        self
    }
}

/// The compute-unit price (micro-lamports per compute unit) of a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorityFee {
    /// The median of `getRecentPrioritizationFees` over the transaction's
    /// writable accounts, at least `floor` and at most `cap`; one answer
    /// serves the same accounts for `reuse_for`.
    Recent {
        /// The lowest price paid (micro-lamports per CU).
        floor: u64,
        /// The highest price paid, whatever the market.
        cap: u64,
        /// How long one answer serves the same writable accounts.
        reuse_for: Duration,
    },
    /// Always this price (a user override).
    Fixed(u64),
}

impl Default for PriorityFee {
    /// A floor of 1,000 micro-lamports (0.2 lamports per 200k CU: nothing,
    /// but ahead of zero-priority traffic) and a cap of 1 lamport per CU, so
    /// a fee spike cannot cost more than 0.0014 SOL per transaction; fees
    /// of the same accounts asked at most every 10 s.
    fn default() -> Self {
        PriorityFee::Recent {
            floor: 1_000,
            cap: 1_000_000,
            reuse_for: Duration::from_secs(10),
        }
    }
}

/// The compute-unit limit is what simulation consumed plus a margin (state
/// may change between simulation and execution), capped at the maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComputeUnitMargin {
    /// Percent added to the simulated units.
    pub percent: u32,
    /// At least this many units added.
    pub at_least: u32,
}

impl Default for ComputeUnitMargin {
    fn default() -> Self {
        ComputeUnitMargin {
            percent: 10,
            at_least: 1_000,
        }
    }
}

/// Sending and confirming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmPolicy {
    /// Between two `getSignatureStatuses` polls.
    pub poll_interval: Duration,
    /// Between two rebroadcasts of the same signed bytes (idempotent).
    pub resend_interval: Duration,
    /// New signatures (fresh blockhashes) after the first one expired
    /// unprocessed; the send fails with `NotConfirmed` after these.
    pub max_resigns: u32,
    /// How long a landed transaction may take to reach the commitment, and
    /// how long the outcome is looked for while the endpoint fails.
    pub outcome_timeout: Duration,
}

impl Default for ConfirmPolicy {
    fn default() -> Self {
        ConfirmPolicy {
            poll_interval: Duration::from_millis(500),
            resend_interval: Duration::from_secs(2),
            max_resigns: 3,
            outcome_timeout: Duration::from_secs(90),
        }
    }
}

/// The HTTP layer's policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransportPolicy {
    /// Per HTTP request.
    pub request_timeout: Duration,
    /// Retries of one request after 429s, 5xx, timeouts and resets.
    pub max_retries: u32,
    /// Waits between retries (a `Retry-After` header takes precedence).
    pub backoff: Backoff,
    /// Longest `Retry-After` honoured; longer ones are cut to this.
    pub max_retry_after: Duration,
    /// Client-side request rate, e.g. for a public endpoint.
    pub rate_limit: Option<RateLimit>,
}

impl Default for TransportPolicy {
    fn default() -> Self {
        TransportPolicy {
            request_timeout: Duration::from_secs(30),
            max_retries: 8,
            backoff: Backoff::default(),
            max_retry_after: Duration::from_secs(30),
            rate_limit: None,
        }
    }
}

/// At most `requests` per `per` in total, and `per_method` of them for any
/// one JSON-RPC method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests in any window of length `per`.
    pub requests: u32,
    /// Requests of one method in any window of length `per`.
    pub per_method: Option<u32>,
    /// The window.
    pub per: Duration,
}

impl RateLimit {
    /// Solana's public endpoints allow 100 requests per 10 s per IP and 40
    /// per method; a little is left for other tools on the same address.
    pub const PUBLIC_ENDPOINT: RateLimit = RateLimit {
        requests: 90,
        per_method: Some(36),
        per: Duration::from_secs(10),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monikers_and_public_endpoints() {
        assert_eq!(resolve_url("devnet"), DEVNET_URL);
        assert_eq!(resolve_url("l"), LOCALNET_URL);
        assert_eq!(resolve_url("http://10.0.0.1:8899"), "http://10.0.0.1:8899");
        assert!(is_public_endpoint("https://api.devnet.solana.com/"));
        assert!(is_public_endpoint(MAINNET_URL));
        assert!(!is_public_endpoint(
            "https://devnet.helius-rpc.com/?api-key=x"
        ));
        assert!(!is_public_endpoint(LOCALNET_URL));
        let devnet = RpcConfig::for_url(DEVNET_URL);
        assert_eq!(
            devnet.transport.rate_limit,
            Some(RateLimit::PUBLIC_ENDPOINT)
        );
        assert_eq!(devnet.commitment, CommitmentLevel::Confirmed);
        assert_eq!(RpcConfig::for_url(LOCALNET_URL).transport.rate_limit, None);
        assert_eq!(
            RpcConfig::default().with_compute_unit_price(5).priority_fee,
            PriorityFee::Fixed(5)
        );
    }
}
