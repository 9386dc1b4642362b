//! The HTTP transport under `solana-rpc-client`'s typed `RpcClient`: one
//! JSON-RPC call per POST, retried with jittered backoff on 429 (honouring
//! `Retry-After`), 5xx, timeouts and connection resets, paced by an optional
//! client-side rate, and counted.
//!
//! Only retries that cannot apply an effect twice are made: every read is
//! idempotent, and `sendTransaction` of the same signed bytes is too (the
//! runtime refuses a signature twice). `requestAirdrop` is not (the faucet
//! signs a new transfer each time), so it is retried only when the request
//! surely never reached the server (a 429, a refused connection).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::Value;
use solana_rpc_client::rpc_sender::{RpcSender, RpcTransportStats};
use solana_rpc_client_api::client_error::{Error as RpcClientError, ErrorKind};
use solana_rpc_client_api::custom_error::{
    NodeUnhealthyErrorData, JSON_RPC_SERVER_ERROR_NODE_UNHEALTHY,
    JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
};
use solana_rpc_client_api::error_object::RpcErrorObject;
use solana_rpc_client_api::request::{RpcError, RpcRequest, RpcResponseErrorData};
use solana_rpc_client_api::response::RpcSimulateTransactionResult;

use super::backoff::{jitter_unit, parse_retry_after};
use super::config::TransportPolicy;
use super::rate_limit::RateLimiter;

/// What a cluster's RPC traffic was so far (the transport counts requests,
/// the send loop counts re-signs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpcStats {
    /// JSON-RPC calls made (each may take several HTTP requests).
    pub calls: u64,
    /// HTTP requests sent, retries included.
    pub http_requests: u64,
    /// Requests retried after a failure.
    pub retries: u64,
    /// `429 Too Many Requests` answers received.
    pub too_many_requests: u64,
    /// Time spent waiting on the client-side rate and on `Retry-After`.
    pub throttled: Duration,
    /// Calls per JSON-RPC method.
    pub calls_by_method: BTreeMap<String, u64>,
    /// Transactions signed again after their blockhash expired unprocessed.
    pub resigned: u64,
}

/// One HTTP attempt's result.
enum Attempt {
    /// The node's answer (a result or a definitive error).
    Answer(Result<Value, RpcClientError>),
    /// No usable answer; worth another try.
    Retry {
        reason: String,
        retry_after: Option<Duration>,
        /// The server may have acted on the request.
        maybe_processed: bool,
    },
}

/// An [`RpcSender`] over reqwest with the retry and rate policy above.
pub struct RetryingSender {
    client: reqwest::Client,
    url: String,
    policy: TransportPolicy,
    limiter: Option<RateLimiter>,
    next_id: AtomicU64,
    stats: Arc<Mutex<RpcStats>>,
}

impl RetryingSender {
    /// A sender to `url`; `stats` is updated as requests go.
    pub fn new(
        url: &str,
        policy: TransportPolicy,
        stats: Arc<Mutex<RpcStats>>,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(policy.request_timeout)
            .connect_timeout(policy.request_timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(20))
            .build()?;
        Ok(RetryingSender {
            client,
            url: url.to_string(),
            limiter: policy.rate_limit.map(RateLimiter::new),
            policy,
            next_id: AtomicU64::new(1),
            stats,
        })
    }

    fn update(&self, change: impl FnOnce(&mut RpcStats)) {
        change(&mut self.stats.lock().unwrap_or_else(|e| e.into_inner()));
    }

    async fn attempt(&self, body: &str, idempotent: bool) -> Attempt {
        let response = match self
            .client
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
        {
            Ok(response) => response,
            Err(error) if error.is_builder() => return Attempt::Answer(Err(error.into())),
            Err(error) => {
                return Attempt::Retry {
                    reason: describe_reqwest(&error),
                    retry_after: None,
                    maybe_processed: !error.is_connect(),
                }
            }
        };
        let status = response.status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.update(|s| s.too_many_requests = s.too_many_requests.saturating_add(1));
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, SystemTime::now()));
            return Attempt::Retry {
                reason: "HTTP 429 Too Many Requests".into(),
                retry_after,
                maybe_processed: false,
            };
        }
        if status.is_server_error() {
            return Attempt::Retry {
                reason: format!("HTTP {status}"),
                retry_after: None,
                maybe_processed: true,
            };
        }
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            let text: String = text.chars().take(200).collect();
            return Attempt::Answer(Err(RpcError::RpcRequestError(format!(
                "HTTP {status}: {text}"
            ))
            .into()));
        }
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(error) => {
                return Attempt::Retry {
                    reason: describe_reqwest(&error),
                    retry_after: None,
                    maybe_processed: true,
                }
            }
        };
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(json) => json_rpc_answer(json, idempotent),
            // A cut or garbled body: the server may have acted.
            Err(error) => Attempt::Retry {
                reason: format!("unreadable response: {error}"),
                retry_after: None,
                maybe_processed: true,
            },
        }
    }
}

/// Reads a JSON-RPC response, decoding error objects as `HttpSender` does
/// (so `RpcClient` sees the same error data).
fn json_rpc_answer(mut json: Value, idempotent: bool) -> Attempt {
    if !json.is_object() {
        return Attempt::Answer(Err(RpcError::RpcRequestError(format!(
            "RPC response is not a JSON object: {json}"
        ))
        .into()));
    }
    if !json["error"].is_object() {
        return Attempt::Answer(Ok(json["result"].take()));
    }
    let error = match serde_json::from_value::<RpcErrorObject>(json["error"].clone()) {
        Ok(error) => error,
        Err(e) => {
            return Attempt::Answer(Err(RpcError::RpcRequestError(format!(
                "undecodable RPC error {}: {e}",
                json["error"]
            ))
            .into()))
        }
    };
    let data_json = json["error"]["data"].take();
    let data = match error.code {
        JSON_RPC_SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE => {
            serde_json::from_value::<RpcSimulateTransactionResult>(data_json)
                .map(RpcResponseErrorData::SendTransactionPreflightFailure)
                .unwrap_or(RpcResponseErrorData::Empty)
        }
        JSON_RPC_SERVER_ERROR_NODE_UNHEALTHY => {
            if idempotent {
                return Attempt::Retry {
                    reason: format!("node unhealthy: {}", error.message),
                    retry_after: None,
                    maybe_processed: true,
                };
            }
            serde_json::from_value::<NodeUnhealthyErrorData>(data_json)
                .map(|d| RpcResponseErrorData::NodeUnhealthy {
                    num_slots_behind: d.num_slots_behind,
                })
                .unwrap_or(RpcResponseErrorData::Empty)
        }
        _ => RpcResponseErrorData::Empty,
    };
    Attempt::Answer(Err(RpcError::RpcResponseError {
        code: error.code,
        message: error.message,
        data,
    }
    .into()))
}

fn describe_reqwest(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    match error.source() {
        Some(source) => format!("{kind}: {source}"),
        None => format!("{kind}: {error}"),
    }
}

/// Whether repeating the request can do no harm (see the module's comment).
fn is_idempotent(request: RpcRequest) -> bool {
    !matches!(request, RpcRequest::RequestAirdrop)
}

/// A transport failure after the retries: `Io` kind, which the cluster
/// reports as "no usable answer", unlike a node's error.
fn gave_up(reason: String, attempts: u32) -> RpcClientError {
    ErrorKind::Io(std::io::Error::other(format!(
        "{reason} (gave up after {attempts} attempts)"
    )))
    .into()
}

#[async_trait]
impl RpcSender for RetryingSender {
    async fn send(&self, request: RpcRequest, params: Value) -> Result<Value, RpcClientError> {
        let method = request.to_string();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = request.build_request_json(id, params).to_string();
        let idempotent = is_idempotent(request);
        self.update(|s| {
            s.calls = s.calls.saturating_add(1);
            let count = s.calls_by_method.entry(method.clone()).or_default();
            *count = count.saturating_add(1);
        });
        let mut retries = 0u32;
        loop {
            if let Some(limiter) = &self.limiter {
                let waited = limiter.acquire(&method).await;
                self.update(|s| s.throttled = s.throttled.saturating_add(waited));
            }
            self.update(|s| s.http_requests = s.http_requests.saturating_add(1));
            let (reason, retry_after, maybe_processed) = match self.attempt(&body, idempotent).await
            {
                Attempt::Answer(answer) => return answer,
                Attempt::Retry {
                    reason,
                    retry_after,
                    maybe_processed,
                } => (reason, retry_after, maybe_processed),
            };
            let attempts = retries.saturating_add(1);
            if retries >= self.policy.max_retries || (maybe_processed && !idempotent) {
                return Err(gave_up(format!("{method}: {reason}"), attempts));
            }
            let delay = self.policy.backoff.delay_after(
                retries,
                retry_after,
                self.policy.max_retry_after,
                jitter_unit(),
            );
            self.update(|s| {
                s.retries = s.retries.saturating_add(1);
                if retry_after.is_some() {
                    s.throttled = s.throttled.saturating_add(delay);
                }
            });
            tokio::time::sleep(delay).await;
            retries = attempts;
        }
    }

    fn get_transport_stats(&self) -> RpcTransportStats {
        let stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        RpcTransportStats {
            request_count: usize::try_from(stats.http_requests).unwrap_or(usize::MAX),
            elapsed_time: Duration::ZERO,
            rate_limited_time: stats.throttled,
        }
    }

    fn url(&self) -> String {
        self.url.clone()
    }
}

#[cfg(test)]
mod tests;
