//! The verifier's steps: pull the primary's signed reports for an epoch,
//! check every one itself (signature, registry, sequence, window,
//! plausibility, conflicts: the same rules and storage a primary uses), and
//! approve the primary's root only if it is the one computed here.

use depin_client::report::{check, IngestContext, SignedReport};
use depin_client::rewards::{self, hex32, ProposalStatus};
use depin_client::{Cluster, Signer};
use serde::{Deserialize, Serialize};

use super::records::TreeRecord;
use super::{Pipeline, PipelineError, PipelineResult, Role, StepOutcome};
use crate::storage::{AcceptOutcome, ReportRow, Storage};

/// An epoch's reports as the primary serves them.
#[derive(Clone, Debug)]
pub struct EpochReports {
    /// The primary froze the epoch: the list is final.
    pub frozen: bool,
    /// Every signed report it stored for the epoch, conflicting copies too.
    pub reports: Vec<SignedReport>,
}

/// Where a verifier gets the primary's reports (its HTTP API, or anything
/// else in tests).
#[async_trait::async_trait]
pub trait ReportSource: Send + Sync {
    async fn epoch_reports(&self, epoch: u64) -> Result<EpochReports, String>;
}

/// What the verifier did with an epoch's root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum VerifierVerdict {
    /// The proposed root is the one computed here: approved on chain.
    Approved { root: String },
    /// Approved before (a rerun), or already active.
    AlreadyApproved,
    /// This epoch paid nobody anything new: there is nothing to approve.
    NothingToApprove,
    /// The proposed root differs: not approved. An alert for a person.
    Refused {
        proposed: TreeRecord,
        computed: TreeRecord,
    },
}

/// The primary's reports read from its storage directly: a verifier in the
/// same process (tests, the demo). A remote verifier uses the primary's
/// `GET /v1/epochs/{n}/reports`.
pub struct StorageSource {
    pub storage: std::sync::Arc<dyn Storage>,
    pub network: depin_client::Pubkey,
}

#[async_trait::async_trait]
impl ReportSource for StorageSource {
    async fn epoch_reports(&self, epoch: u64) -> Result<EpochReports, String> {
        // The very listing the primary serves over HTTP, parsed the same way.
        let body =
            crate::http::epochs::epoch_json(self.storage.as_ref(), &self.network.to_bytes(), epoch)
                .map_err(|e| e.to_string())?;
        parse_epoch_reports(&body)
    }
}

/// A primary's reports over its HTTP API (`GET /v1/epochs/{n}/reports`).
pub struct HttpSource {
    client: reqwest::Client,
    base_url: String,
}

impl HttpSource {
    pub fn new(base_url: &str) -> Self {
        HttpSource {
            client: reqwest::Client::new(),
            base_url: base_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait::async_trait]
impl ReportSource for HttpSource {
    async fn epoch_reports(&self, epoch: u64) -> Result<EpochReports, String> {
        let url = format!("{}/v1/epochs/{epoch}/reports", self.base_url);
        let fail = |what: String| format!("{url}: {what}");
        let response = self
            .client
            .get(&url)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if !response.status().is_success() {
            return Err(fail(format!("answered {}", response.status())));
        }
        let body: serde_json::Value = response.json().await.map_err(|e| fail(e.to_string()))?;
        parse_epoch_reports(&body).map_err(fail)
    }
}

/// The primary's `{"frozen", "reports": [...], "conflicts": [{"first",
/// "second", ..}]}` as every signed report it holds.
pub fn parse_epoch_reports(body: &serde_json::Value) -> Result<EpochReports, String> {
    let frozen = body["frozen"].as_bool().ok_or("no \"frozen\" flag")?;
    let parse = |value: &serde_json::Value| {
        serde_json::from_value::<SignedReport>(value.clone()).map_err(|e| e.to_string())
    };
    let mut reports = vec![];
    for report in body["reports"].as_array().ok_or("no \"reports\" list")? {
        reports.push(parse(report)?);
    }
    for conflict in body["conflicts"]
        .as_array()
        .ok_or("no \"conflicts\" list")?
    {
        reports.push(parse(&conflict["first"])?);
        reports.push(parse(&conflict["second"])?);
    }
    Ok(EpochReports { frozen, reports })
}

impl<C: Cluster> Pipeline<C> {
    /// Pulls and ingests the epoch's reports once the primary froze it.
    pub(crate) async fn pull(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let Role::Verifier { source } = &self.role else {
            return Err(PipelineError::Invalid {
                epoch,
                message: "only a verifier pulls reports".into(),
            });
        };
        let pulled = source
            .epoch_reports(epoch)
            .await
            .map_err(|message| PipelineError::Invalid { epoch, message })?;
        if !pulled.frozen {
            return Ok(StepOutcome::Wait(
                "the primary has not frozen the epoch yet".into(),
            ));
        }
        let window = self.window(epoch)?;
        // As of the moment the primary froze the epoch: every period inside
        // the epoch had ended.
        let as_of = window.end + i64::from(self.config.grace_secs);
        let network = self.config.network;
        let mut rejected: std::collections::BTreeMap<&'static str, u32> = Default::default();
        let mut accepted = 0u32;
        for signed in &pulled.reports {
            // A read failure stops the step (retried next tick): counting it
            // as an unknown device would change the root.
            let device =
                crate::ingest::read_device(&self.cluster, &network, &signed.report.device_key)
                    .await?;
            let last_sequence = self
                .storage
                .last_sequence(&network.to_bytes(), &signed.report.device_key.to_bytes())?;
            let context = IngestContext {
                network,
                device,
                last_sequence,
                epoch: window,
                now: as_of,
            };
            if let Err(rejection) = check(signed, &context) {
                *rejected.entry(rejection.code()).or_default() += 1;
                continue;
            }
            let row = ReportRow::of(signed, epoch, as_of);
            match self.storage.accept_report(&row)? {
                AcceptOutcome::Accepted { .. } | AcceptOutcome::Duplicate { .. } => accepted += 1,
                AcceptOutcome::Rejected(rejection) => {
                    *rejected.entry(rejection.code()).or_default() += 1
                }
            }
        }
        Ok(StepOutcome::done(serde_json::json!({
            "pulled": pulled.reports.len(),
            "accepted": accepted,
            "rejected": rejected,
        })))
    }

    /// Approves the primary's root for the epoch if it is the computed one.
    pub(crate) async fn approve(&self, epoch: u64) -> PipelineResult<StepOutcome> {
        let computed: TreeRecord = self.recorded(epoch, "tree")?;
        let Some(args) = computed.post_root_args()? else {
            return Ok(verdict(VerifierVerdict::NothingToApprove, false));
        };
        let cluster = &self.cluster;
        let address = self.config.distributor;
        let distributor = rewards::distributor(cluster, &address).await?;
        if distributor.epoch >= epoch {
            return Ok(verdict(VerifierVerdict::AlreadyApproved, false));
        }
        let proposal = rewards::root_proposal(cluster, &address).await?;
        let open = matches!(
            proposal.status,
            ProposalStatus::Pending | ProposalStatus::Approved
        );
        if !open || proposal.content.epoch < epoch {
            return Ok(StepOutcome::Wait(format!(
                "the primary has not proposed epoch {epoch}'s root yet"
            )));
        }
        if proposal.content != args.content() {
            let proposed = TreeRecord {
                epoch: proposal.content.epoch,
                root: Some(hex32(&proposal.content.root)),
                cumulative_total: proposal.content.cumulative_total,
                recipient_count: proposal.content.recipient_count,
            };
            tracing::error!(
                epoch,
                proposed = ?proposed,
                computed = ?computed,
                "ALERT: the proposed root differs from the recomputed one; not approving"
            );
            return Ok(verdict(
                VerifierVerdict::Refused { proposed, computed },
                false,
            ));
        }
        let oracle = &self.keys.oracle;
        if proposal.has_approved(&oracle.pubkey()) || proposal.status == ProposalStatus::Approved {
            return Ok(verdict(VerifierVerdict::AlreadyApproved, false));
        }
        let ix = rewards::post_root(&oracle.pubkey(), &self.config.network, &address, args);
        cluster.send(&[ix], &[oracle]).await?;
        let root = computed.root.clone().unwrap_or_default();
        Ok(verdict(VerifierVerdict::Approved { root }, true))
    }
}

fn verdict(verdict: VerifierVerdict, sent: bool) -> StepOutcome {
    StepOutcome::Done {
        result: serde_json::to_value(verdict).expect("serializes"),
        state: vec![],
        sent,
    }
}
