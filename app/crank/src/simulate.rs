//! A fleet of simulated devices that sign work reports and send them to a
//! crank over real HTTP: for tests, the demo and the ingest benchmark.
//!
//! The simulator only signs and sends; registering its device keys on chain
//! (or in a test's device source) is the caller's job ([`Simulator::keys`]).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use depin_client::report::{sign, SignedReport, WorkReport};
use depin_client::{Keypair, Pubkey, Signer};

/// What every device reports for one period.
#[derive(Clone, Copy, Debug)]
pub struct Period {
    /// Unix seconds.
    pub start: i64,
    pub secs: u32,
    pub energy_wh: u64,
    pub uptime_secs: u32,
}

/// How a send went: one entry per report.
#[derive(Clone, Debug, Default)]
pub struct SendSummary {
    pub accepted: usize,
    /// Refusals by code (`replay`, `conflict`, ...).
    pub rejected: BTreeMap<String, usize>,
    /// Reports with no verdict: transport errors and 5xx answers (503 means
    /// nothing was stored), by a short description.
    pub failed: BTreeMap<String, usize>,
    /// The time to answer each request (a batch request counts once).
    pub latencies: Vec<Duration>,
    /// Wall time of the whole send.
    pub elapsed: Duration,
}

impl SendSummary {
    pub fn total(&self) -> usize {
        self.accepted + self.rejected.values().sum::<usize>() + self.failed.values().sum::<usize>()
    }

    /// Reports answered per second of wall time.
    pub fn reports_per_sec(&self) -> f64 {
        self.total() as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    /// The `p`-th percentile (0..=100) of request latency.
    pub fn latency_percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
        sorted[rank.min(sorted.len() - 1)]
    }

    /// Adds `other`'s counts, latencies and wall time to these (sends run
    /// one after the other).
    pub fn merge(&mut self, other: SendSummary) {
        self.accepted += other.accepted;
        for (code, n) in other.rejected {
            *self.rejected.entry(code).or_default() += n;
        }
        for (what, n) in other.failed {
            *self.failed.entry(what).or_default() += n;
        }
        self.latencies.extend(other.latencies);
        self.elapsed += other.elapsed;
    }

    /// Counts one report's verdict: a 202 or batch entry
    /// (`{"status":"accepted"}`) or a refusal (`{"code"}`).
    fn record(&mut self, result: &serde_json::Value) {
        match result["status"].as_str() {
            Some("accepted") => self.accepted += 1,
            _ => {
                let code = result["code"].as_str().unwrap_or("unknown").to_owned();
                *self.rejected.entry(code).or_default() += 1;
            }
        }
    }

    fn fail(&mut self, what: String, reports: usize) {
        *self.failed.entry(what).or_default() += reports;
    }
}

/// Simulated devices and the crank they report to.
pub struct Simulator {
    client: reqwest::Client,
    /// `http://host:port`, no trailing slash.
    base_url: String,
    network: Pubkey,
    devices: Vec<Keypair>,
}

impl Simulator {
    pub fn new(base_url: impl Into<String>, network: Pubkey, devices: Vec<Keypair>) -> Self {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        Simulator {
            client: reqwest::Client::new(),
            base_url,
            network,
            devices,
        }
    }

    /// `count` devices whose keys follow from `seed`: the same seed gives the
    /// same fleet (a demo can register it once and simulate it again).
    pub fn seeded(base_url: impl Into<String>, network: Pubkey, seed: u64, count: usize) -> Self {
        let devices = (0..count as u64)
            .map(|index| {
                let mut secret = [0u8; 32];
                secret[..8].copy_from_slice(&seed.to_le_bytes());
                secret[8..16].copy_from_slice(&index.to_le_bytes());
                secret[16..].copy_from_slice(b"depin-crank-simu");
                Keypair::new_from_array(secret)
            })
            .collect();
        Self::new(base_url, network, devices)
    }

    pub fn devices(&self) -> &[Keypair] {
        &self.devices
    }

    pub fn keys(&self) -> Vec<Pubkey> {
        self.devices.iter().map(|device| device.pubkey()).collect()
    }

    /// Every device's signed report for `period`. Sequence numbers are the
    /// period start, so they increase from one period to the next.
    pub fn reports(&self, period: Period) -> Vec<SignedReport> {
        let sequence = u64::try_from(period.start).unwrap_or(0);
        self.devices
            .iter()
            .map(|device| self.report(device, period, sequence))
            .collect()
    }

    /// One device's signed report, with an explicit sequence number.
    pub fn report(&self, device: &Keypair, period: Period, sequence: u64) -> SignedReport {
        let report = WorkReport {
            network: self.network,
            device_key: device.pubkey(),
            period_start: period.start,
            period_secs: period.secs,
            energy_wh: period.energy_wh,
            uptime_secs: period.uptime_secs,
            sequence,
        };
        sign(&report, device)
    }

    /// Sends each report in its own `POST /v1/reports`, at most
    /// `concurrency` requests in flight.
    pub async fn send_each(&self, reports: &[SignedReport], concurrency: usize) -> SendSummary {
        let requests = reports
            .iter()
            .map(|r| (to_value(r).to_string(), 1))
            .collect();
        self.run(Endpoint::One, requests, concurrency).await
    }

    /// Sends the reports in `POST /v1/reports/batch` requests of up to
    /// `batch_size`, at most `concurrency` requests in flight.
    pub async fn send_batches(
        &self,
        reports: &[SignedReport],
        batch_size: usize,
        concurrency: usize,
    ) -> SendSummary {
        let requests = reports
            .chunks(batch_size.max(1))
            .map(|chunk| {
                let array: Vec<serde_json::Value> = chunk.iter().map(to_value).collect();
                (serde_json::Value::from(array).to_string(), chunk.len())
            })
            .collect();
        self.run(Endpoint::Batch, requests, concurrency).await
    }

    /// `concurrency` workers take the next request until none is left.
    async fn run(
        &self,
        endpoint: Endpoint,
        requests: Vec<(String, usize)>,
        concurrency: usize,
    ) -> SendSummary {
        let started = Instant::now();
        let requests = Arc::new(requests);
        let next = Arc::new(AtomicUsize::new(0));
        let url = format!("{}{}", self.base_url, endpoint.path());
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..concurrency.max(1) {
            let (requests, next, client, url) = (
                Arc::clone(&requests),
                Arc::clone(&next),
                self.client.clone(),
                url.clone(),
            );
            workers.spawn(async move {
                let mut summary = SendSummary::default();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some((body, reports)) = requests.get(index) else {
                        break;
                    };
                    let started = Instant::now();
                    let answer = post(&client, &url, body.clone()).await;
                    summary.latencies.push(started.elapsed());
                    endpoint.record(&mut summary, answer, *reports);
                }
                summary
            });
        }
        let mut total = SendSummary::default();
        while let Some(worker) = workers.join_next().await {
            match worker {
                Ok(summary) => total.merge(summary),
                Err(error) => total.fail(format!("worker failed: {error}"), 0),
            }
        }
        total.elapsed = started.elapsed();
        total
    }
}

#[derive(Clone, Copy)]
enum Endpoint {
    One,
    Batch,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::One => "/v1/reports",
            Endpoint::Batch => "/v1/reports/batch",
        }
    }

    /// Counts one answer for its `reports` reports.
    fn record(
        self,
        summary: &mut SendSummary,
        answer: Result<(reqwest::StatusCode, serde_json::Value), String>,
        reports: usize,
    ) {
        let (status, json) = match answer {
            Ok(answer) => answer,
            Err(failure) => return summary.fail(failure, reports),
        };
        match self {
            _ if status.is_server_error() => {
                summary.fail(format!("HTTP {status}: {}", json["code"]), reports)
            }
            Endpoint::One => summary.record(&json),
            Endpoint::Batch => match json["results"].as_array() {
                Some(results) if status.is_success() => {
                    results.iter().for_each(|result| summary.record(result))
                }
                _ => summary.fail(format!("HTTP {status}: {}", json["code"]), reports),
            },
        }
    }
}

fn to_value(signed: &SignedReport) -> serde_json::Value {
    serde_json::to_value(signed).expect("a signed report always serializes")
}

/// POSTs `body`; the answer's status and JSON, or a description of the
/// failure.
async fn post(
    client: &reqwest::Client,
    url: &str,
    body: String,
) -> Result<(reqwest::StatusCode, serde_json::Value), String> {
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|error| format!("transport: {error}"))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|error| format!("reading the answer: {error}"))?;
    let json = serde_json::from_slice(&bytes)
        .map_err(|error| format!("HTTP {status}, answer not JSON: {error}"))?;
    Ok((status, json))
}
