//! Report ingest: the rules of `depin_client::report::check`, the device
//! registry (cached), and a durable group commit, behind one call
//! ([`Ingestor::ingest_batch`]) that the HTTP layer and tests use alike.
//!
//! A report goes through, in order:
//! 1. the rules on what the crank knows (shape, signature, network, device,
//!    epoch window, plausibility);
//! 2. the group commit, which decides what only storage can: retries
//!    (answered as accepted, same id), conflicts, replays, and late reports
//!    for frozen epochs.
//!
//! Replay is left to storage on purpose, though `check` could test the
//! stored last sequence first: storage judges a retry of a stored report,
//! and a second report for a stored period, before the sequence, so a
//! retry gets its 202 again and a conflicting copy is kept as evidence
//! whatever its sequence. A replay check in front would refuse both as
//! replays. Storage also sees the reports still waiting in the commit queue.
//!
//! The epoch window a report is judged against is that of the epoch its
//! period starts in: a period must end inside that epoch and before "now";
//! a period before the network's first epoch is `late`. Once the epoch
//! pipeline freezes an epoch, storage refuses its reports (`epoch_frozen`).

mod clock;
mod devices;
mod group_commit;
mod verdict;

use std::sync::Arc;

use depin_client::report::{
    check, EpochSchedule, EpochWindow, IngestContext, RegisteredDevice, Rejection, SignedReport,
};
use depin_client::{ClientError, Pubkey};
use tracing::warn;

use crate::metrics::{Counter, Metrics};
use crate::storage::{AcceptOutcome, Rejection as StorageRejection, ReportRow, Storage};

pub use clock::{Clock, ManualClock, SystemClock};
pub use devices::{
    load_schedule, read_device, ChainDevices, DeviceCache, DeviceCacheConfig, DeviceSource,
};
pub use group_commit::{CommitError, CommitterConfig, CommitterThread, GroupCommitter};
pub use verdict::{all_codes, Refusal, Verdict, STORAGE_CODES};

/// Ingest could not decide: nothing of the request was stored, and the
/// client should retry (HTTP 503).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Commit(#[from] CommitError),
    #[error("looking the device up on chain failed: {0}")]
    Devices(#[from] ClientError),
    #[error("an ingest task was cancelled or panicked")]
    TaskFailed,
}

/// What [`Ingestor::start`] needs.
pub struct IngestSetup {
    /// The network account this crank serves.
    pub network: Pubkey,
    pub schedule: EpochSchedule,
    pub storage: Arc<dyn Storage>,
    /// Must be for `network`.
    pub devices: Arc<DeviceCache>,
    pub clock: Arc<dyn Clock>,
    pub committer: CommitterConfig,
}

/// Ingest's counters, registered on the shared [`Metrics`].
#[derive(Clone)]
struct IngestMetrics {
    accepted: Counter,
    duplicates: Counter,
    /// By code, every code registered (at 0) up front.
    rejected: Vec<(&'static str, Counter)>,
    unavailable: Counter,
}

impl IngestMetrics {
    fn register(metrics: &Metrics) -> Self {
        IngestMetrics {
            accepted: metrics.counter(
                "depin_crank_reports_accepted_total",
                "Reports stored and counted for their epoch.",
                &[],
            ),
            duplicates: metrics.counter(
                "depin_crank_reports_duplicate_total",
                "Retries of stored reports (answered as accepted, nothing stored).",
                &[],
            ),
            rejected: all_codes()
                .map(|code| {
                    let counter = metrics.counter(
                        "depin_crank_reports_rejected_total",
                        "Reports refused, by reason.",
                        &[("reason", code)],
                    );
                    (code, counter)
                })
                .collect(),
            unavailable: metrics.counter(
                "depin_crank_ingest_unavailable_total",
                "Reports answered 503 (storage or chain unavailable; nothing stored).",
                &[],
            ),
        }
    }

    fn count_refusal(&self, code: &str) {
        if let Some((_, counter)) = self.rejected.iter().find(|(c, _)| *c == code) {
            counter.inc();
        }
    }
}

/// The ingest service for one network.
pub struct Ingestor {
    network: Pubkey,
    schedule: EpochSchedule,
    storage: Arc<dyn Storage>,
    devices: Arc<DeviceCache>,
    clock: Arc<dyn Clock>,
    committer: GroupCommitter,
    metrics: IngestMetrics,
}

/// A report after the rules, before the commit.
enum Checked {
    Refused(Refusal),
    /// The device is not cached: every rule before the device passed.
    NeedsDevice,
    Passed(ReportRow),
}

impl Ingestor {
    /// Starts the group committer and returns the service with its thread
    /// (join it after the last `Ingestor` clone is dropped, at shutdown).
    pub fn start(
        setup: IngestSetup,
        metrics: &Metrics,
    ) -> std::io::Result<(Self, CommitterThread)> {
        assert_eq!(
            setup.devices.network(),
            setup.network,
            "the device cache serves another network"
        );
        let (committer, thread) =
            GroupCommitter::start(Arc::clone(&setup.storage), setup.committer, metrics)?;
        let ingestor = Ingestor {
            network: setup.network,
            schedule: setup.schedule,
            storage: setup.storage,
            devices: setup.devices,
            clock: setup.clock,
            committer,
            metrics: IngestMetrics::register(metrics),
        };
        Ok((ingestor, thread))
    }

    pub fn network(&self) -> Pubkey {
        self.network
    }

    pub fn schedule(&self) -> EpochSchedule {
        self.schedule
    }

    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    /// One report; see [`Self::ingest_batch`].
    pub async fn ingest(&self, report: SignedReport) -> Result<Verdict, IngestError> {
        let mut verdicts = self.ingest_batch(vec![report]).await?;
        verdicts.pop().ok_or(IngestError::TaskFailed)
    }

    /// Judges and stores `reports`, answering for each in order once its
    /// commit is durable. On `Err` nothing of the batch was stored.
    pub async fn ingest_batch(
        &self,
        reports: Vec<SignedReport>,
    ) -> Result<Vec<Verdict>, IngestError> {
        let count = reports.len();
        let result = self.judge_and_commit(reports).await;
        match &result {
            Ok(verdicts) => self.count_refusals(verdicts),
            Err(error) => {
                warn!(%error, reports = count, "ingest unavailable");
                self.metrics.unavailable.add(count as u64);
            }
        }
        result
    }

    /// Counts a report refused before ingest saw it (the body did not parse).
    pub fn count_malformed(&self) {
        self.metrics.count_refusal("malformed");
    }

    async fn judge_and_commit(
        &self,
        reports: Vec<SignedReport>,
    ) -> Result<Vec<Verdict>, IngestError> {
        let now = self.clock.now();
        let reports = Arc::new(reports);
        let rules = Arc::new(self.rules(now));
        let all = Arc::clone(&reports);
        let checker = Arc::clone(&rules);
        let mut checked = off_the_runtime(reports.len(), move || {
            all.iter()
                .map(|signed| checker.check_cached(signed))
                .collect::<Vec<_>>()
        })
        .await?;

        let missing: Vec<usize> = (0..checked.len())
            .filter(|&i| matches!(checked[i], Checked::NeedsDevice))
            .collect();
        if !missing.is_empty() {
            let found = self.look_up(&reports, &missing).await?;
            let all = Arc::clone(&reports);
            let rechecked = off_the_runtime(missing.len(), move || {
                missing
                    .into_iter()
                    .zip(found)
                    .map(|(i, device)| (i, rules.check_with(&all[i], device)))
                    .collect::<Vec<_>>()
            })
            .await?;
            for (i, outcome) in rechecked {
                checked[i] = outcome;
            }
        }

        let mut passed = Vec::new();
        let mut verdicts = Vec::with_capacity(checked.len());
        for (i, outcome) in checked.into_iter().enumerate() {
            verdicts.push(match outcome {
                Checked::Refused(refusal) => Some(Verdict::Refused(refusal)),
                Checked::Passed(row) => {
                    passed.push((i, row));
                    None
                }
                Checked::NeedsDevice => unreachable!("every missing device was looked up"),
            });
        }
        let (indices, rows): (Vec<usize>, Vec<ReportRow>) = passed.into_iter().unzip();
        let outcomes = self.committer.commit(rows).await?;
        for (i, outcome) in indices.into_iter().zip(outcomes) {
            match outcome {
                AcceptOutcome::Accepted { .. } => self.metrics.accepted.inc(),
                AcceptOutcome::Duplicate { .. } => self.metrics.duplicates.inc(),
                AcceptOutcome::Rejected(_) => {}
            }
            verdicts[i] = Some(verdict_of(outcome, reports[i].report.sequence));
        }
        Ok(verdicts
            .into_iter()
            .map(|verdict| verdict.expect("every report has a verdict"))
            .collect())
    }

    /// The devices at `indices`, from the chain (through the cache, which
    /// shares one lookup per key), concurrently.
    async fn look_up(
        &self,
        reports: &[SignedReport],
        indices: &[usize],
    ) -> Result<Vec<Option<RegisteredDevice>>, IngestError> {
        let mut tasks = tokio::task::JoinSet::new();
        for (slot, &i) in indices.iter().enumerate() {
            let devices = Arc::clone(&self.devices);
            let key = reports[i].report.device_key;
            tasks.spawn(async move { (slot, devices.device(&key).await) });
        }
        let mut found = vec![None; indices.len()];
        while let Some(joined) = tasks.join_next().await {
            let (slot, device) = joined.map_err(|_| IngestError::TaskFailed)?;
            found[slot] = device?;
        }
        Ok(found)
    }

    fn rules(&self, now: i64) -> Rules {
        Rules {
            network: self.network,
            schedule: self.schedule,
            devices: Arc::clone(&self.devices),
            now,
        }
    }

    /// Accepted reports are counted at their commit, where a duplicate is
    /// still told apart from a new report.
    fn count_refusals(&self, verdicts: &[Verdict]) {
        for verdict in verdicts {
            if let Verdict::Refused(refusal) = verdict {
                self.metrics.count_refusal(refusal.code());
            }
        }
    }
}

/// A duplicate (a retry) is answered exactly as its first acceptance.
fn verdict_of(outcome: AcceptOutcome, sequence: u64) -> Verdict {
    match outcome {
        AcceptOutcome::Accepted { report_id } | AcceptOutcome::Duplicate { report_id } => {
            Verdict::Accepted { report_id }
        }
        AcceptOutcome::Rejected(StorageRejection::Replay { last_sequence }) => {
            Verdict::Refused(Refusal::Rule(Rejection::Replay {
                last: last_sequence,
                got: sequence,
            }))
        }
        AcceptOutcome::Rejected(StorageRejection::Conflict { conflict_id }) => {
            Verdict::Refused(Refusal::Conflict { conflict_id })
        }
        AcceptOutcome::Rejected(StorageRejection::EpochFrozen { epoch }) => {
            Verdict::Refused(Refusal::EpochFrozen { epoch })
        }
    }
}

/// Reports checked in place; more go to the blocking pool. An ed25519
/// verification takes tens of microseconds in a release build, which an
/// async worker can afford for a few reports but not for a gateway's batch.
const CHECKED_IN_PLACE: usize = 8;

/// Runs `work` (checking `reports` reports) in place or on the blocking pool.
async fn off_the_runtime<T: Send + 'static>(
    reports: usize,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, IngestError> {
    if reports <= CHECKED_IN_PLACE {
        return Ok(work());
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| IngestError::TaskFailed)
}

/// The rules with what they read, movable to a blocking thread.
struct Rules {
    network: Pubkey,
    schedule: EpochSchedule,
    devices: Arc<DeviceCache>,
    now: i64,
}

impl Rules {
    /// Judges `signed` with the cached device, or says the device must be
    /// looked up (only once every rule before the device has passed, so bad
    /// signatures and other networks never cost a chain lookup).
    fn check_cached(&self, signed: &SignedReport) -> Checked {
        let key = signed.report.device_key;
        if let Some(device) = self.devices.cached(&key) {
            return self.check_with(signed, device);
        }
        match check(signed, &self.context(signed, None)) {
            Err(Rejection::UnknownDevice { .. }) => Checked::NeedsDevice,
            Err(rejection) => Checked::Refused(rejection.into()),
            Ok(()) => unreachable!("check refuses a report without a device"),
        }
    }

    fn check_with(&self, signed: &SignedReport, device: Option<RegisteredDevice>) -> Checked {
        if let Err(rejection) = check(signed, &self.context(signed, device)) {
            return Checked::Refused(rejection.into());
        }
        match self.row(signed) {
            Ok(row) => Checked::Passed(row),
            Err(rejection) => Checked::Refused(rejection.into()),
        }
    }

    /// No last sequence: storage judges replays (see the module comment).
    fn context(&self, signed: &SignedReport, device: Option<RegisteredDevice>) -> IngestContext {
        IngestContext {
            network: self.network,
            device,
            last_sequence: None,
            epoch: self.window_of(signed.report.period_start),
            now: self.now,
        }
    }

    /// The window of the epoch the period starts in; before the first epoch,
    /// the first epoch's (so the report is `late`).
    fn window_of(&self, period_start: i64) -> EpochWindow {
        let epoch = self.schedule.epoch_at(period_start).unwrap_or(1);
        self.schedule.window(epoch).unwrap_or(EpochWindow {
            // Past i64 time: no period fits, the report is early.
            start: period_start,
            end: period_start,
        })
    }

    /// The row storage keeps. Refuses, as malformed, numbers storage cannot
    /// keep (above i64::MAX): one such row would fail a whole group commit.
    fn row(&self, signed: &SignedReport) -> Result<ReportRow, Rejection> {
        let report = &signed.report;
        let too_big = |field: &str, value: u64| {
            Rejection::Malformed(format!(
                "{field} {value} is above the largest value the crank stores (i64::MAX)"
            ))
        };
        if i64::try_from(report.sequence).is_err() {
            return Err(too_big("sequence", report.sequence));
        }
        if i64::try_from(report.energy_wh).is_err() {
            return Err(too_big("energy_wh", report.energy_wh));
        }
        let epoch = self
            .schedule
            .epoch_at(report.period_start)
            .ok_or_else(|| Rejection::Malformed("the period is before the network".into()))?;
        Ok(ReportRow::of(signed, epoch, self.now))
    }
}
