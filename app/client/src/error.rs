use std::fmt;

use anchor_lang::prelude::Pubkey;
use solana_instruction::error::InstructionError;
use solana_transaction_error::TransactionError;

/// An Anchor error as the program logged it, e.g. `NotDeviceOwner (6019)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorFailure {
    pub name: String,
    pub number: u32,
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

#[derive(Debug, Clone)]
pub struct TxFailure {
    pub error: TransactionError,
    pub logs: Vec<String>,
    pub anchor: Option<AnchorFailure>,
}

impl TxFailure {
    pub fn new(error: TransactionError, logs: Vec<String>) -> Self {
        let anchor = AnchorFailure::from_logs(&logs);
        TxFailure {
            error,
            logs,
            anchor,
        }
    }

    /// The program's custom error number, if an instruction failed with one.
    pub fn custom_code(&self) -> Option<u32> {
        match &self.error {
            TransactionError::InstructionError(_, InstructionError::Custom(code)) => Some(*code),
            _ => None,
        }
    }
}

impl fmt::Display for TxFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.anchor {
            Some(a) => write!(f, "{}: {} (error {})", a.name, a.message, a.number),
            None => write!(f, "transaction failed: {}", self.error),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("{0}")]
    Transaction(Box<TxFailure>),
    #[error("account {0} does not exist")]
    AccountNotFound(Pubkey),
    #[error("account {address} is not a valid {expected}: {reason}")]
    Decode {
        address: Pubkey,
        expected: &'static str,
        reason: String,
    },
    #[error("cluster: {0}")]
    Cluster(String),
}

impl ClientError {
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

    /// The logs of the failed transaction, for diagnostics.
    pub fn logs(&self) -> &[String] {
        self.tx().map(|f| f.logs.as_slice()).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_anchor_log_line() {
        let logs = vec![
            "Program log: Instruction: TransferDevice".to_string(),
            "Program log: AnchorError thrown in programs/registry/src/state/device.rs:80. Error Code: NotDeviceOwner. Error Number: 6018. Error Message: Only the device owner may do this.".to_string(),
        ];
        let failure = AnchorFailure::from_logs(&logs).unwrap();
        assert_eq!(failure.name, "NotDeviceOwner");
        assert_eq!(failure.number, 6018);
        assert_eq!(failure.message, "Only the device owner may do this");
        assert!(AnchorFailure::from_logs(&["Program log: hi".to_string()]).is_none());
    }
}
