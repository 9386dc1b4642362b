//! What went wrong, said plainly: a failed transaction names the instruction,
//! the program and the program's own error (its name and message, never a
//! bare `Custom(6003)`), with the logs that explain it.

mod logs;
mod programs;

use std::fmt;

use anchor_lang::prelude::Pubkey;
use solana_instruction::error::InstructionError;
use solana_signature::Signature;
use solana_transaction_error::TransactionError;

pub use programs::{known_program_error, program_name};

/// An Anchor error as the program logged it, e.g. `NotDeviceOwner (6019)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorFailure {
    /// The variant's name in the program's error enum.
    pub name: String,
    /// The error number (6000 + the variant's position for program errors).
    pub number: u32,
    /// The variant's `#[msg]`.
    pub message: String,
}

impl AnchorFailure {
    /// Reads Anchor's own log line (`... Error Code: X. Error Number: N.
    /// Error Message: M.`), which names errors of every program and of the
    /// framework itself, so no code tables are kept here.
    pub fn from_logs(logs: &[String]) -> Option<Self> {
        logs.iter().rev().find_map(|line| {
            let rest = &line[line.find("Error Code: ")? + "Error Code: ".len()..];
            let (name, rest) = rest.split_once(". Error Number: ")?;
            let (number, message) = rest.split_once(". Error Message: ")?;
            Some(AnchorFailure {
                name: name.to_string(),
                number: number.parse().ok()?,
                message: message.trim_end_matches('.').to_string(),
            })
        })
    }
}

/// A program error with its name: from Anchor's log line, or from the tables
/// of well-known non-Anchor programs (SPL Token, Token-2022, System, ATA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedError {
    /// The program that raised it (the innermost failing one, for CPIs).
    pub program_id: Option<Pubkey>,
    /// The error's name, e.g. `NotDeviceOwner` or `InsufficientFunds`.
    pub name: String,
    /// The custom error number.
    pub number: u32,
    /// What it means.
    pub message: String,
}

/// Whether a failure was caught before sending or after the transaction landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureStage {
    /// The simulation failed: nothing was sent, no fee was paid.
    Simulation,
    /// The transaction was executed by the cluster and failed (its fee was paid).
    Execution,
}

/// The instruction that failed, numbered as the caller passed them (compute
/// budget instructions a sender prepends are not counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedInstruction {
    /// Position in the caller's instruction list; `None` when the failure was
    /// in an instruction the sender added (a compute budget instruction).
    pub index: Option<usize>,
    /// The instruction's program.
    pub program_id: Option<Pubkey>,
}

/// A transaction that failed, decoded.
#[derive(Debug, Clone)]
pub struct TxFailure {
    /// The cluster's error (instruction indexes count every instruction of
    /// the message, prepended compute budget instructions included).
    pub error: TransactionError,
    /// Every log line of the transaction.
    pub logs: Vec<String>,
    /// Anchor's logged error, if a program logged one.
    pub anchor: Option<AnchorFailure>,
    /// The program error with its name, from Anchor's log or a known table.
    pub named: Option<NamedError>,
    /// The failing instruction, when the error is an instruction error.
    pub instruction: Option<FailedInstruction>,
    /// Before sending (simulation) or after landing (execution).
    pub stage: FailureStage,
    /// The landed transaction's signature (execution failures over RPC).
    pub signature: Option<Signature>,
}

/// How many of the failing instruction's log lines a failure shows.
const SHOWN_LOG_LINES: usize = 12;

impl TxFailure {
    /// Decodes a failure from the cluster's error and the logs alone.
    pub fn new(error: TransactionError, logs: Vec<String>) -> Self {
        let anchor = AnchorFailure::from_logs(&logs);
        let instruction = match &error {
            TransactionError::InstructionError(index, _) => Some(FailedInstruction {
                index: Some(usize::from(*index)),
                program_id: logs::top_level_program(&logs, usize::from(*index)),
            }),
            _ => None,
        };
        let mut failure = TxFailure {
            error,
            logs,
            anchor,
            named: None,
            instruction,
            stage: FailureStage::Execution,
            signature: None,
        };
        failure.named = failure.decode_named();
        failure
    }

    /// Says whether the failure was caught in simulation or on chain.
    pub fn at(mut self, stage: FailureStage) -> Self {
        self.stage = stage;
        self
    }

    /// Records the landed transaction's signature.
    pub fn with_signature(mut self, signature: Signature) -> Self {
        self.signature = Some(signature);
        self
    }

    /// Names the failing instruction from the message's programs
    /// (`message_programs[i]` is instruction i's program) and renumbers it in
    /// the caller's terms: the first `prepended` instructions were added by
    /// the sender.
    pub fn with_programs(mut self, message_programs: &[Pubkey], prepended: usize) -> Self {
        if let TransactionError::InstructionError(index, _) = &self.error {
            let index = usize::from(*index);
            self.instruction = Some(FailedInstruction {
                index: index.checked_sub(prepended),
                program_id: message_programs.get(index).copied(),
            });
            self.named = self.decode_named();
        }
        self
    }

    /// The program's custom error number, if an instruction failed with one.
    pub fn custom_code(&self) -> Option<u32> {
        match &self.error {
            TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(*code),
            _ => None,
        }
    }

    /// The program that raised the error: the innermost failing program from
    /// the logs (a token CPI's error surfaces under the calling program's
    /// instruction), else the failing instruction's program.
    pub fn failing_program(&self) -> Option<Pubkey> {
        logs::innermost_failing_program(&self.logs)
            .or_else(|| self.instruction.as_ref().and_then(|i| i.program_id))
    }

    /// The failing instruction's own log lines (the last few), where a
    /// program says why it refused.
    pub fn relevant_logs(&self) -> &[String] {
        let own = logs::last_top_level_invocation(&self.logs);
        &own[own.len().saturating_sub(SHOWN_LOG_LINES)..]
    }

    fn decode_named(&self) -> Option<NamedError> {
        let program_id = self.failing_program();
        if let Some(anchor) = &self.anchor {
            return Some(NamedError {
                program_id,
                name: anchor.name.clone(),
                number: anchor.number,
                message: anchor.message.clone(),
            });
        }
        let code = self.custom_code()?;
        let (name, message) = known_program_error(&program_id?, code)?;
        Some(NamedError {
            program_id,
            name,
            number: code,
            message,
        })
    }

    fn describe_instruction(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(instruction) = &self.instruction else {
            return Ok(());
        };
        match instruction.index {
            Some(index) => write!(f, "instruction {index}")?,
            None => write!(f, "a compute budget instruction")?,
        }
        if let Some(program) = instruction.program_id {
            match program_name(&program) {
                Some(name) => write!(f, " ({name})")?,
                None => write!(f, " (program {program})")?,
            }
        }
        write!(f, ": ")
    }
}

impl fmt::Display for TxFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.stage, &self.signature) {
            (FailureStage::Simulation, _) => write!(f, "simulation failed, nothing was sent: ")?,
            (FailureStage::Execution, Some(signature)) => {
                write!(f, "transaction {signature} failed: ")?
            }
            (FailureStage::Execution, None) => {}
        }
        self.describe_instruction(f)?;
        match &self.named {
            Some(named) => {
                write!(
                    f,
                    "{}: {} (error {}",
                    named.name, named.message, named.number
                )?;
                if let Some(program) = named.program_id {
                    let raised_elsewhere = self
                        .instruction
                        .as_ref()
                        .is_some_and(|i| i.program_id != Some(program));
                    if raised_elsewhere {
                        match program_name(&program) {
                            Some(name) => write!(f, " from {name}")?,
                            None => write!(f, " from program {program}")?,
                        }
                    }
                }
                write!(f, ")")?;
            }
            None => match self.instruction_error() {
                Some(InstructionError::Custom(code)) => write!(
                    f,
                    "custom program error {code} ({code:#x}) of {}",
                    self.failing_program()
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "an unknown program".into())
                )?,
                Some(error) => write!(f, "{error}")?,
                None => write!(f, "{}", self.error)?,
            },
        }
        for line in self.shown_logs() {
            write!(f, "\n    {line}")?;
        }
        Ok(())
    }
}

impl TxFailure {
    fn instruction_error(&self) -> Option<&InstructionError> {
        match &self.error {
            TransactionError::InstructionError(_, error) => Some(error),
            _ => None,
        }
    }

    /// The program's own log lines, minus Anchor's error line (already said).
    fn shown_logs(&self) -> impl Iterator<Item = &str> {
        self.relevant_logs()
            .iter()
            .filter(|line| line.starts_with("Program log: ") && !line.contains("Error Code: "))
            .map(String::as_str)
    }
}

/// Every error the client reports.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A transaction failed, in simulation or on chain: see [`TxFailure`].
    #[error("{0}")]
    Transaction(Box<TxFailure>),
    /// A read found no account where one was expected.
    #[error("account {0} does not exist")]
    AccountNotFound(Pubkey),
    /// An account's data does not decode as the expected type.
    #[error("account {address} is not a valid {expected}: {reason}")]
    Decode {
        /// The account read.
        address: Pubkey,
        /// The type it should hold.
        expected: &'static str,
        /// Why it does not decode.
        reason: String,
    },
    /// The node answered a JSON-RPC request with an error.
    #[error("RPC {method} failed: {reason}")]
    Rpc {
        /// The JSON-RPC method.
        method: String,
        /// The node's error.
        reason: String,
    },
    /// No usable answer from the endpoint after the retries (timeouts,
    /// connection resets, 429s, 5xx).
    #[error("RPC {method}: no answer from the endpoint: {reason}")]
    Transport {
        /// The JSON-RPC method.
        method: String,
        /// The last failure (timeout, reset, HTTP status).
        reason: String,
    },
    /// No signature landed: each one's blockhash expired and a history
    /// lookup confirmed it was not processed. Nothing was applied, so
    /// sending again is safe.
    #[error(
        "transaction not confirmed: {attempts} signatures expired unprocessed \
         (the last was {last}); nothing was applied"
    )]
    NotConfirmed {
        /// Signatures made (the first and the re-signs).
        attempts: u32,
        /// The last of them.
        last: Signature,
    },
    /// The outcome of a sent transaction could not be established (the RPC
    /// endpoint stopped answering). It may still land: look the signature up
    /// before sending again.
    #[error("outcome of transaction {signature} unknown: {reason}; look it up before resending")]
    OutcomeUnknown {
        /// The signature to look up.
        signature: Signature,
        /// Why the outcome is unknown.
        reason: String,
    },
    /// The transaction needs a signature from this key, which was not given.
    #[error("the transaction needs a signature from {0}, which was not given")]
    MissingSigner(Pubkey),
    /// A signature made elsewhere does not sign this transaction's message.
    #[error(
        "the signature given for {0} does not sign this transaction: every party must run the \
         same command with the same arguments, fee payer, --blockhash and compute budget flags"
    )]
    BadSignature(Pubkey),
    /// A signature was given for a key the transaction does not need.
    #[error("a signature was given for {0}, which does not sign this transaction")]
    NotASigner(Pubkey),
    /// A transaction signed elsewhere outlived its blockhash unprocessed;
    /// nothing was applied.
    #[error(
        "blockhash {0} expired before the transaction landed (nothing was applied): \
         sign again with a fresh --blockhash"
    )]
    BlockhashExpired(solana_hash::Hash),
    /// The cluster cannot do this (e.g. listing program accounts in the
    /// in-process bank).
    #[error("{what} is not supported by {cluster}")]
    Unsupported {
        /// The operation.
        what: &'static str,
        /// The kind of cluster.
        cluster: &'static str,
    },
    /// Anything else the cluster reported.
    #[error("cluster: {0}")]
    Cluster(String),
}

impl ClientError {
    /// The failed transaction, if this is one.
    pub fn tx(&self) -> Option<&TxFailure> {
        match self {
            ClientError::Transaction(failure) => Some(failure),
            _ => None,
        }
    }

    /// The program's custom error number (Anchor's `u32::from(MyError::X)`).
    pub fn custom_code(&self) -> Option<u32> {
        self.tx().and_then(TxFailure::custom_code)
    }

    /// The name of the program error, e.g. `NotDeviceOwner`.
    pub fn error_name(&self) -> Option<&str> {
        self.tx()
            .and_then(|f| f.named.as_ref())
            .map(|n| n.name.as_str())
    }

    /// The logs of the failed transaction, for diagnostics.
    pub fn logs(&self) -> &[String] {
        self.tx().map(|f| f.logs.as_slice()).unwrap_or(&[])
    }
}

impl From<TxFailure> for ClientError {
    fn from(failure: TxFailure) -> Self {
        ClientError::Transaction(Box::new(failure))
    }
}

#[cfg(test)]
mod tests;
