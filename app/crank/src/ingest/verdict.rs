//! What ingest answers for one report, and the API codes of its refusals.

use depin_client::report::Rejection;

/// The API's refusal codes beyond [`Rejection::CODES`] (the rules checked
/// before storage): the ones only storage can decide.
pub const STORAGE_CODES: [&str; 2] = ["conflict", "epoch_frozen"];

/// Why ingest refused a report.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A rule of `depin_client::report::check` (storage's own replay check,
    /// which sees reports committed a moment ago, answers as one too).
    #[error(transparent)]
    Rule(#[from] Rejection),
    /// The device signed a different report for the same period: both are
    /// out of the count and kept as evidence.
    #[error(
        "the device signed another report for this period: both are dropped \
         and kept as evidence (conflict {conflict_id})"
    )]
    Conflict { conflict_id: i64 },
    /// The report's epoch is closed: its reports are being or have been
    /// scored. Code `epoch_frozen`, distinct from `late` (a period before the
    /// network's first epoch) so a gateway can tell a closed epoch from a
    /// clock problem.
    #[error("epoch {epoch} is closed to new reports (it is being or has been scored)")]
    EpochFrozen { epoch: u64 },
}

impl Refusal {
    /// Stable and machine-readable: one of [`Rejection::CODES`] or
    /// [`STORAGE_CODES`].
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Rule(rejection) => rejection.code(),
            Refusal::Conflict { .. } => "conflict",
            Refusal::EpochFrozen { .. } => "epoch_frozen",
        }
    }

    /// The API's body: `{"code", "message"}`, plus `conflict_id` for a
    /// conflict.
    pub fn to_json(&self) -> serde_json::Value {
        let mut json = serde_json::json!({ "code": self.code(), "message": self.to_string() });
        if let Refusal::Conflict { conflict_id } = self {
            json["conflict_id"] = (*conflict_id).into();
        }
        json
    }
}

/// Every refusal code, for metrics registered up front.
pub fn all_codes() -> impl Iterator<Item = &'static str> {
    Rejection::CODES.into_iter().chain(STORAGE_CODES)
}

/// The answer for one report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Durably stored. A retry of a stored report gets its first id again.
    Accepted {
        report_id: i64,
    },
    Refused(Refusal),
}

impl Verdict {
    /// The batch endpoint's entry for this report.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Verdict::Accepted { report_id } => {
                serde_json::json!({ "status": "accepted", "report_id": report_id })
            }
            Verdict::Refused(refusal) => {
                let mut json = refusal.to_json();
                json["status"] = "rejected".into();
                json
            }
        }
    }
}
