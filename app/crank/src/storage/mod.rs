//! The crank's durable state behind one small interface.
//!
//! Ingest and the epoch pipeline speak only to [`Storage`]; SQLite
//! ([`SqliteStorage`]) is the default backend and a Postgres one (several
//! ingest replicas) can be added later without touching either of them.
//!
//! The trait is synchronous on purpose: SQLite's API blocks, and a durable
//! commit is an fsync that must stay off an async runtime's workers anyway.
//! The HTTP layer runs a whole accept (or a batch of them, see
//! [`Storage::accept_batch`]) inside one `spawn_blocking`, which keeps each
//! storage call one transaction with no `.await` points inside it where a
//! cancellation could leave it half done.
//!
//! Rules every backend keeps (the tests in `tests/` hold them):
//! - a call that returns `Ok` has committed durably; one that returns `Err`
//!   has changed nothing;
//! - a report is counted at most once per (network, device, period), and a
//!   device's accepted sequence numbers only increase;
//! - a pipeline step's results and its completion mark commit together.

mod migrations;
mod sqlite;

pub use migrations::{Migration, MIGRATIONS, SCHEMA_VERSION};
pub use sqlite::SqliteStorage;

/// A 32-byte ed25519 public key or account address (network, device).
pub type Key32 = [u8; 32];

/// An ed25519 signature over a report's signed message.
pub type Signature64 = [u8; 64];

/// A device's work report as the crank stores it: the fields the pipeline
/// scores, plus the exact signed bytes and signature so anyone (a verifier
/// crank, a slashing proposal) can check it again later.
///
/// Storage does not verify the signature or the ingest rules: its caller has
/// done so. It also trusts `message` to encode the fields beside it; two
/// reports are the same report exactly when their `message` bytes are equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRow {
    pub network: Key32,
    pub device: Key32,
    /// Unix seconds; one report per device and `period_start`.
    pub period_start: i64,
    pub period_secs: u32,
    /// Per device, strictly increasing over the accepted reports.
    pub sequence: u64,
    pub energy_wh: u64,
    pub uptime_secs: u32,
    /// The epoch the period falls in, computed by the caller from the
    /// network's epoch length.
    pub epoch: u64,
    /// The signed report message, byte for byte.
    pub message: Vec<u8>,
    pub signature: Signature64,
    /// Unix seconds at which the crank received the report.
    pub received_at: i64,
}

/// A report counted for its epoch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReport {
    pub id: i64,
    pub report: ReportRow,
}

/// What became of one report handed to [`Storage::accept_report`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AcceptOutcome {
    /// Stored durably and counted for its epoch (the HTTP 202).
    Accepted { report_id: i64 },
    /// The byte-identical report was accepted before (a gateway retry):
    /// nothing changed, and the caller answers as for `Accepted`. This is not
    /// a rejection, so a retry after a lost answer never fails.
    Duplicate { report_id: i64 },
    /// Refused; see the reason.
    Rejected(Rejection),
}

/// Why a report was refused. Each is a machine-readable rejection reason of
/// the ingest API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The sequence number is not above the device's last accepted one.
    Replay { last_sequence: u64 },
    /// A different report for the same device and period exists: both are
    /// out of the count and kept as evidence. A retry of either report gets
    /// this answer again.
    Conflict { conflict_id: i64 },
    /// The report's epoch is frozen: its reports are being or have been
    /// scored, so a late one would never be counted.
    EpochFrozen { epoch: u64 },
}

impl Rejection {
    /// The machine-readable reason (API answers, metrics labels).
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Replay { .. } => "replay",
            Rejection::Conflict { .. } => "conflict",
            Rejection::EpochFrozen { .. } => "epoch_frozen",
        }
    }
}

impl ReportRow {
    /// A checked report as storage keeps it: its exact signed bytes, the
    /// epoch its period falls in and when it was received.
    pub fn of(signed: &depin_client::report::SignedReport, epoch: u64, received_at: i64) -> Self {
        let report = &signed.report;
        ReportRow {
            network: report.network.to_bytes(),
            device: report.device_key.to_bytes(),
            period_start: report.period_start,
            period_secs: report.period_secs,
            sequence: report.sequence,
            energy_wh: report.energy_wh,
            uptime_secs: report.uptime_secs,
            epoch,
            message: signed.message().to_vec(),
            signature: signed.signature.into(),
            received_at,
        }
    }
}

/// One signed copy of a report held as conflict evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCopy {
    pub sequence: u64,
    pub message: Vec<u8>,
    pub signature: Signature64,
    pub received_at: i64,
}

/// Two different reports a device signed for the same period: proof of a
/// misbehaving device, usable for slashing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictEvidence {
    pub id: i64,
    pub network: Key32,
    pub device: Key32,
    pub period_start: i64,
    pub epoch: u64,
    /// The report accepted first (now out of the count).
    pub first: SignedCopy,
    /// The different report that revealed the conflict.
    pub second: SignedCopy,
}

/// A pipeline step's completion together with everything it produced,
/// committed in one transaction by [`Storage::record_step`]: after a crash
/// either the step is done and its results are there, or neither.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepWrite {
    pub network: Key32,
    pub epoch: u64,
    /// A name from the pipeline's fixed list of steps, e.g. `"score"`.
    pub step: String,
    /// The step's own record (say the posted root), read back with
    /// [`Storage::step_result`].
    pub result: Vec<u8>,
    /// Network state the step replaces (say the cumulative ledger), as
    /// [`Storage::put_state`] would write it.
    pub state: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error(
        "the database's schema is version {found}, newer than this crank knows ({known}); \
         run a newer depin-crank, or restore a backup taken before the upgrade"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("{field} = {value} is above the largest value storage keeps (i64::MAX)")]
    OutOfRange { field: &'static str, value: u64 },
    #[error("step {step:?} of epoch {epoch} is already recorded; its results were kept")]
    StepAlreadyRecorded { step: String, epoch: u64 },
    #[error("stored data is malformed: {0}")]
    Malformed(String),
    #[error("storage backend: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StorageResult<T> = Result<T, StorageError>;

/// The crank's storage. See the module comment for the rules it keeps.
pub trait Storage: Send + Sync {
    /// Stores `report` or says why not, in one transaction. In order:
    /// a retry of a stored report gets its first answer again (`Duplicate`,
    /// or `Conflict` if it has since been found conflicting); a report for a
    /// frozen epoch is refused; a different report for a stored period is a
    /// conflict, whatever its sequence number, since two signed reports for
    /// one period are evidence either way; a sequence not above the device's
    /// last one is a replay; anything else is accepted. Every report that is
    /// accepted or found conflicting raises the device's last sequence to
    /// its own, never lowers it.
    fn accept_report(&self, report: &ReportRow) -> StorageResult<AcceptOutcome> {
        let mut outcomes = self.accept_batch(std::slice::from_ref(report))?;
        outcomes
            .pop()
            .ok_or_else(|| StorageError::Malformed("a batch of one gave no outcome".into()))
    }

    /// [`Self::accept_report`] for each report in order, all in one
    /// transaction (one fsync): each report sees the ones before it, so the
    /// outcomes are those of accepting them one by one. A gateway's batch and
    /// the HTTP layer's group commit use it.
    fn accept_batch(&self, reports: &[ReportRow]) -> StorageResult<Vec<AcceptOutcome>>;

    /// The device's last accepted sequence number, if it has any.
    fn last_sequence(&self, network: &Key32, device: &Key32) -> StorageResult<Option<u64>>;

    /// The epoch's counted reports (conflicted ones excluded), ordered by
    /// device then period so that every crank scores them in the same order.
    fn reports_for_epoch(&self, network: &Key32, epoch: u64) -> StorageResult<Vec<StoredReport>>;

    /// The conflicts found among the epoch's reports, oldest first.
    fn conflicts(&self, network: &Key32, epoch: u64) -> StorageResult<Vec<ConflictEvidence>>;

    /// Closes the epoch to new reports. Returns false if it already was.
    fn freeze_epoch(&self, network: &Key32, epoch: u64) -> StorageResult<bool>;

    fn is_frozen(&self, network: &Key32, epoch: u64) -> StorageResult<bool>;

    /// Marks `write.step` done and writes its results, atomically. A step
    /// already recorded is refused with
    /// [`StorageError::StepAlreadyRecorded`] and nothing is written.
    fn record_step(&self, write: &StepWrite) -> StorageResult<()>;

    /// The epoch's recorded steps, in the order they were recorded.
    fn completed_steps(&self, network: &Key32, epoch: u64) -> StorageResult<Vec<String>>;

    /// What a recorded step produced; `None` if it is not recorded.
    fn step_result(
        &self,
        network: &Key32,
        epoch: u64,
        step: &str,
    ) -> StorageResult<Option<Vec<u8>>>;

    /// Replaces the network's state blob under `key`.
    fn put_state(&self, network: &Key32, key: &str, value: &[u8]) -> StorageResult<()>;

    fn get_state(&self, network: &Key32, key: &str) -> StorageResult<Option<Vec<u8>>>;
}
