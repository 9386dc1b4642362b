//! A crank served on loopback: real HTTP, SQLite in a temporary directory,
//! a hand-set clock and an in-memory device registry.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use depin_client::depin_registry::state::{DeviceKind, DeviceStatus};
use depin_client::report::{sign, EpochSchedule, RegisteredDevice, SignedReport, WorkReport};
use depin_client::{ClientError, Keypair, Pubkey, Signer};
use depin_crank::http::{self, AppState, Limits};
use depin_crank::ingest::{
    CommitterConfig, CommitterThread, DeviceCache, DeviceCacheConfig, DeviceSource, IngestSetup,
    Ingestor, ManualClock,
};
use depin_crank::metrics::Metrics;
use depin_crank::storage::{
    AcceptOutcome, ConflictEvidence, Key32, ReportRow, SqliteStorage, StepWrite, Storage,
    StorageError, StorageResult, StoredReport,
};
use serde_json::Value;
use tempfile::TempDir;

/// The network's creation: epoch 1 starts here.
pub const ORIGIN: i64 = 1_700_000_000;
pub const EPOCH_SECS: u32 = 86_400;
pub const HOUR: i64 = 3_600;
/// The epoch the clock stands in.
pub const OPEN_EPOCH: u64 = 3;
/// A solar inverter's rated output: at most 6,750 Wh in an hour.
pub const CAPACITY_W: u32 = 5_000;

pub fn schedule() -> EpochSchedule {
    EpochSchedule {
        origin: ORIGIN,
        length_secs: EPOCH_SECS,
    }
}

/// The start of the open epoch.
pub fn epoch_start() -> i64 {
    schedule().window(OPEN_EPOCH).unwrap().start
}

pub fn keypair(seed: u8) -> Keypair {
    Keypair::new_from_array([seed; 32])
}

/// An in-memory registry: devices added and removed at will, lookups
/// counted, and keys whose lookup fails (an RPC outage).
#[derive(Default)]
pub struct FakeDevices {
    devices: Mutex<HashMap<Pubkey, RegisteredDevice>>,
    failing: Mutex<HashSet<Pubkey>>,
    pub lookups: AtomicUsize,
}

impl FakeDevices {
    pub fn add(&self, device: RegisteredDevice) {
        self.devices
            .lock()
            .unwrap()
            .insert(device.device_key, device);
    }

    pub fn fail_lookups_of(&self, key: Pubkey) {
        self.failing.lock().unwrap().insert(key);
    }

    pub fn heal(&self, key: &Pubkey) {
        self.failing.lock().unwrap().remove(key);
    }
}

#[async_trait]
impl DeviceSource for FakeDevices {
    async fn device(
        &self,
        network: &Pubkey,
        device_key: &Pubkey,
    ) -> Result<Option<RegisteredDevice>, ClientError> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        if self.failing.lock().unwrap().contains(device_key) {
            return Err(ClientError::Cluster("the test RPC node is down".into()));
        }
        Ok(self
            .devices
            .lock()
            .unwrap()
            .get(device_key)
            .filter(|device| device.network == *network)
            .copied())
    }
}

/// SQLite storage whose writes can be made to fail (a full disk), slowed
/// down, or made to fail for one poisoned report; it counts the
/// transactions that accept reports.
pub struct TestStorage {
    pub sqlite: SqliteStorage,
    pub fail_writes: AtomicBool,
    /// Added to every `accept_batch` (a slow disk).
    pub commit_delay_ms: AtomicU64,
    /// A batch holding a report with this sequence fails whole.
    pub poison_sequence: AtomicU64,
    pub transactions: AtomicUsize,
}

impl TestStorage {
    pub fn open(path: impl AsRef<std::path::Path>) -> TestStorage {
        TestStorage {
            sqlite: SqliteStorage::open(path).unwrap(),
            fail_writes: AtomicBool::new(false),
            commit_delay_ms: AtomicU64::new(0),
            poison_sequence: AtomicU64::new(u64::MAX),
            transactions: AtomicUsize::new(0),
        }
    }

    fn check_writes(&self) -> StorageResult<()> {
        if self.fail_writes.load(Ordering::SeqCst) {
            return Err(StorageError::Backend("disk full (test)".into()));
        }
        Ok(())
    }
}

impl Storage for TestStorage {
    fn accept_batch(&self, reports: &[ReportRow]) -> StorageResult<Vec<AcceptOutcome>> {
        self.transactions.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(
            self.commit_delay_ms.load(Ordering::SeqCst),
        ));
        self.check_writes()?;
        let poison = self.poison_sequence.load(Ordering::SeqCst);
        if reports.iter().any(|report| report.sequence == poison) {
            return Err(StorageError::Malformed("poisoned report (test)".into()));
        }
        self.sqlite.accept_batch(reports)
    }
    fn last_sequence(&self, network: &Key32, device: &Key32) -> StorageResult<Option<u64>> {
        self.sqlite.last_sequence(network, device)
    }
    fn reports_for_epoch(&self, network: &Key32, epoch: u64) -> StorageResult<Vec<StoredReport>> {
        self.sqlite.reports_for_epoch(network, epoch)
    }
    fn conflicts(&self, network: &Key32, epoch: u64) -> StorageResult<Vec<ConflictEvidence>> {
        self.sqlite.conflicts(network, epoch)
    }
    fn freeze_epoch(&self, network: &Key32, epoch: u64) -> StorageResult<bool> {
        self.check_writes()?;
        self.sqlite.freeze_epoch(network, epoch)
    }
    fn is_frozen(&self, network: &Key32, epoch: u64) -> StorageResult<bool> {
        self.sqlite.is_frozen(network, epoch)
    }
    fn record_step(&self, write: &StepWrite) -> StorageResult<()> {
        self.check_writes()?;
        self.sqlite.record_step(write)
    }
    fn completed_steps(&self, network: &Key32, epoch: u64) -> StorageResult<Vec<String>> {
        self.sqlite.completed_steps(network, epoch)
    }
    fn step_result(
        &self,
        network: &Key32,
        epoch: u64,
        step: &str,
    ) -> StorageResult<Option<Vec<u8>>> {
        self.sqlite.step_result(network, epoch, step)
    }
    fn put_state(&self, network: &Key32, key: &str, value: &[u8]) -> StorageResult<()> {
        self.check_writes()?;
        self.sqlite.put_state(network, key, value)
    }
    fn get_state(&self, network: &Key32, key: &str) -> StorageResult<Option<Vec<u8>>> {
        self.sqlite.get_state(network, key)
    }
}

pub struct Options {
    pub negative_ttl: Duration,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            negative_ttl: Duration::from_secs(2),
            limits: Limits::default(),
        }
    }
}

/// A running crank and handles on everything behind it.
pub struct Crank {
    pub url: String,
    pub network: Pubkey,
    pub clock: Arc<ManualClock>,
    pub devices: Arc<FakeDevices>,
    pub storage: Arc<TestStorage>,
    client: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    committer: Option<CommitterThread>,
    _dir: TempDir,
}

impl Crank {
    pub async fn start() -> Crank {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Crank {
        let dir = tempfile::tempdir().unwrap();
        let storage = Arc::new(TestStorage::open(dir.path().join("crank.db")));
        let network = Pubkey::new_from_array([42; 32]);
        let devices = Arc::new(FakeDevices::default());
        let cache = DeviceCache::new(
            devices.clone(),
            network,
            DeviceCacheConfig {
                negative_ttl: options.negative_ttl,
                ..DeviceCacheConfig::default()
            },
        );
        // Five hours into the open epoch.
        let clock = Arc::new(ManualClock::new(epoch_start() + 5 * HOUR));
        Self::serve(
            dir,
            network,
            devices,
            storage,
            Arc::new(cache),
            clock,
            schedule(),
            options.limits,
        )
        .await
    }

    /// Serves ingest over `cache` on a fresh loopback port.
    #[allow(clippy::too_many_arguments)]
    pub async fn serve(
        dir: TempDir,
        network: Pubkey,
        devices: Arc<FakeDevices>,
        storage: Arc<TestStorage>,
        cache: Arc<DeviceCache>,
        clock: Arc<ManualClock>,
        schedule: EpochSchedule,
        limits: Limits,
    ) -> Crank {
        let metrics = Arc::new(Metrics::new());
        let (ingestor, committer) = Ingestor::start(
            IngestSetup {
                network,
                schedule,
                storage: storage.clone(),
                devices: cache,
                clock: clock.clone(),
                committer: CommitterConfig::default(),
            },
            &metrics,
        )
        .unwrap();
        let state = AppState {
            ingestor: Arc::new(ingestor),
            metrics,
            limits,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(http::serve(listener, http::router(state), async {
            let _ = stop.await;
        }));
        Crank {
            url,
            network,
            clock,
            devices,
            storage,
            client: reqwest::Client::new(),
            shutdown: Some(shutdown),
            server: Some(server),
            committer: Some(committer),
            _dir: dir,
        }
    }

    /// Stops the server, then waits for the committer to drain and stop.
    pub async fn stop(mut self) {
        let _ = self.shutdown.take().unwrap().send(());
        self.server.take().unwrap().await.unwrap().unwrap();
        let committer = self.committer.take().unwrap();
        tokio::task::spawn_blocking(move || committer.join())
            .await
            .unwrap();
    }

    /// Registers `key` as an active solar inverter.
    pub fn register(&self, key: &Keypair) {
        self.register_as(key, DeviceStatus::Active);
    }

    pub fn register_as(&self, key: &Keypair, status: DeviceStatus) {
        self.devices.add(RegisteredDevice {
            network: self.network,
            device_key: key.pubkey(),
            kind: DeviceKind::SolarInverter,
            capacity: CAPACITY_W,
            status,
        });
    }

    /// A registered device of its own.
    pub fn device(&self, seed: u8) -> Keypair {
        let key = keypair(seed);
        self.register(&key);
        key
    }

    /// `device`'s signed report for hour `hour` of the open epoch.
    pub fn report(
        &self,
        device: &Keypair,
        hour: i64,
        sequence: u64,
        energy_wh: u64,
    ) -> SignedReport {
        sign(&self.work(device, hour, sequence, energy_wh), device)
    }

    pub fn work(&self, device: &Keypair, hour: i64, sequence: u64, energy_wh: u64) -> WorkReport {
        WorkReport {
            network: self.network,
            device_key: device.pubkey(),
            period_start: epoch_start() + hour * HOUR,
            period_secs: HOUR as u32,
            energy_wh,
            uptime_secs: HOUR as u32,
            sequence,
        }
    }

    pub async fn post(&self, path: &str, body: impl Into<String>) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.into())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("HTTP {status} answered non-JSON {body:?}: {e}"));
        (status, json)
    }

    pub async fn post_report(&self, signed: &SignedReport) -> (u16, Value) {
        self.post("/v1/reports", serde_json::to_string(signed).unwrap())
            .await
    }

    pub async fn post_batch(&self, reports: &[SignedReport]) -> (u16, Value) {
        self.post("/v1/reports/batch", serde_json::to_string(reports).unwrap())
            .await
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let (status, body) = self.get_text(path).await;
        (status, serde_json::from_str(&body).unwrap())
    }

    /// The counted reports of the open epoch, from storage directly.
    pub fn stored(&self) -> Vec<StoredReport> {
        self.storage
            .reports_for_epoch(&self.network.to_bytes(), OPEN_EPOCH)
            .unwrap()
    }

    /// A counter's value in `GET /metrics`, e.g.
    /// `depin_crank_reports_rejected_total{reason="late"}`.
    pub async fn metric(&self, series: &str) -> u64 {
        self.metric_value(series).await.parse().unwrap()
    }

    /// A series' value as written (sums are floats).
    pub async fn metric_value(&self, series: &str) -> String {
        let (status, text) = self.get_text("/metrics").await;
        assert_eq!(status, 200);
        text.lines()
            .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
            .unwrap_or_else(|| panic!("{series} not in /metrics:\n{text}"))
            .to_owned()
    }
}

/// Asserts a 422 refusal with `code`.
pub fn assert_refused(answer: &(u16, Value), code: &str) {
    assert_eq!(answer.0, 422, "{}", answer.1);
    assert_eq!(answer.1["code"], code, "{}", answer.1);
    assert!(answer.1["message"].as_str().is_some_and(|m| !m.is_empty()));
}

/// Asserts a 202 and returns the report id.
pub fn assert_accepted(answer: &(u16, Value)) -> i64 {
    assert_eq!(answer.0, 202, "{}", answer.1);
    assert_eq!(answer.1["status"], "accepted");
    answer.1["report_id"].as_i64().expect("a report id")
}
