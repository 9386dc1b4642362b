//! Group commit: one thread commits every report waiting at once.
//!
//! A durable commit is an fsync (about 270 a second here), while a
//! transaction of hundreds of reports costs barely more than one. Requests
//! queue their reports on a channel; the committer thread takes everything
//! queued (up to [`CommitterConfig::max_rows`]), commits it with one
//! [`Storage::accept_batch`], and only then answers each request. So a
//! request is answered after its reports are durable, and while one fsync
//! runs the next batch fills up by itself.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use crate::metrics::{Counter, Histogram, Metrics};
use crate::storage::{AcceptOutcome, ReportRow, Storage, StorageError, StorageResult};

#[derive(Clone, Copy, Debug)]
pub struct CommitterConfig {
    /// Rows per transaction; a request's rows are never split, so one
    /// transaction may exceed this by less than a request's size.
    pub max_rows: usize,
    /// Requests that may wait for the committer before senders wait too.
    pub queue: usize,
}

impl Default for CommitterConfig {
    fn default() -> Self {
        CommitterConfig {
            max_rows: 1_000,
            queue: 16_384,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error("the report store failed; nothing was stored: {0}")]
    Storage(#[from] StorageError),
    #[error("the committer has stopped")]
    Stopped,
}

struct Job {
    rows: Vec<ReportRow>,
    reply: oneshot::Sender<StorageResult<Vec<AcceptOutcome>>>,
}

/// The committer's metrics.
#[derive(Clone)]
struct CommitMetrics {
    batch_size: Histogram,
    commit_seconds: Histogram,
    failures: Counter,
}

impl CommitMetrics {
    fn register(metrics: &Metrics) -> Self {
        CommitMetrics {
            batch_size: metrics.histogram(
                "depin_crank_ingest_commit_batch_size",
                "Reports committed per storage transaction (group commit).",
                &[],
                &[
                    1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0,
                ],
            ),
            commit_seconds: metrics.histogram(
                "depin_crank_ingest_commit_seconds",
                "Duration of one group commit, fsync included.",
                &[],
                &[0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0],
            ),
            failures: metrics.counter(
                "depin_crank_ingest_commit_failures_total",
                "Group commits the storage refused (their reports answered 503).",
                &[],
            ),
        }
    }
}

/// The senders' side; cheap to clone. The committer thread stops once every
/// clone is dropped and the queue is empty.
#[derive(Clone)]
pub struct GroupCommitter {
    jobs: mpsc::Sender<Job>,
}

/// The committer thread; [`Self::join`] waits for it to drain and stop.
pub struct CommitterThread(JoinHandle<()>);

impl CommitterThread {
    pub fn join(self) {
        if self.0.join().is_err() {
            warn!("the committer thread panicked");
        }
    }
}

impl GroupCommitter {
    pub fn start(
        storage: Arc<dyn Storage>,
        config: CommitterConfig,
        metrics: &Metrics,
    ) -> std::io::Result<(Self, CommitterThread)> {
        let (jobs, queue) = mpsc::channel(config.queue.max(1));
        let metrics = CommitMetrics::register(metrics);
        let max_rows = config.max_rows.max(1);
        let thread = std::thread::Builder::new()
            .name("group-commit".into())
            .spawn(move || run(storage.as_ref(), queue, max_rows, &metrics))?;
        Ok((GroupCommitter { jobs }, CommitterThread(thread)))
    }

    /// Commits `rows` (with whatever else is waiting) and gives their
    /// outcomes in order, once durable. On `Err` none of them was stored.
    pub async fn commit(&self, rows: Vec<ReportRow>) -> Result<Vec<AcceptOutcome>, CommitError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { rows, reply })
            .await
            .map_err(|_| CommitError::Stopped)?;
        Ok(answer.await.map_err(|_| CommitError::Stopped)??)
    }
}

fn run(
    storage: &dyn Storage,
    mut queue: mpsc::Receiver<Job>,
    max_rows: usize,
    metrics: &CommitMetrics,
) {
    while let Some(first) = queue.blocking_recv() {
        let mut rows_waiting = first.rows.len();
        let mut jobs = vec![first];
        while rows_waiting < max_rows {
            match queue.try_recv() {
                Ok(job) => {
                    rows_waiting += job.rows.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        commit_group(storage, jobs, metrics);
    }
    debug!("group committer stopped: every sender is gone");
}

/// Commits the jobs in one transaction. If that fails, each job is retried
/// alone, so a report the storage refuses fails only its own request.
fn commit_group(storage: &dyn Storage, jobs: Vec<Job>, metrics: &CommitMetrics) {
    let sizes: Vec<usize> = jobs.iter().map(|job| job.rows.len()).collect();
    let mut replies = Vec::with_capacity(jobs.len());
    let mut rows = Vec::with_capacity(sizes.iter().sum());
    for job in jobs {
        rows.extend(job.rows);
        replies.push(job.reply);
    }
    match timed_commit(storage, &rows, metrics) {
        Ok(outcomes) => {
            let mut outcomes = outcomes.into_iter();
            for (reply, size) in replies.into_iter().zip(sizes) {
                let _ = reply.send(Ok(outcomes.by_ref().take(size).collect()));
            }
        }
        Err(error) if replies.len() == 1 => {
            warn!(%error, rows = rows.len(), "group commit failed");
            metrics.failures.inc();
            let _ = replies.pop().expect("one reply").send(Err(error));
        }
        Err(error) => {
            warn!(%error, jobs = replies.len(), "group commit failed; committing its requests one by one");
            let mut rows = rows.into_iter();
            for (reply, size) in replies.into_iter().zip(sizes) {
                let own: Vec<ReportRow> = rows.by_ref().take(size).collect();
                let result = timed_commit(storage, &own, metrics);
                if let Err(error) = &result {
                    warn!(%error, rows = own.len(), "commit failed");
                    metrics.failures.inc();
                }
                let _ = reply.send(result);
            }
        }
    }
}

fn timed_commit(
    storage: &dyn Storage,
    rows: &[ReportRow],
    metrics: &CommitMetrics,
) -> StorageResult<Vec<AcceptOutcome>> {
    let started = Instant::now();
    let outcomes = storage.accept_batch(rows)?;
    // A storage bug. The rows may be stored though the answer is 503: that
    // is safe, since a retry of a stored report is answered as accepted.
    if outcomes.len() != rows.len() {
        return Err(StorageError::Malformed(format!(
            "a batch of {} reports gave {} outcomes",
            rows.len(),
            outcomes.len()
        )));
    }
    metrics
        .commit_seconds
        .observe(started.elapsed().as_secs_f64());
    metrics.batch_size.observe(rows.len() as f64);
    Ok(outcomes)
}
