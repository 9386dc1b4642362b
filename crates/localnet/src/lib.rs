//! `depin-localnet`: what end-to-end tests need around a real cluster.
//!
//! * [`Validator`]: a `solana-test-validator` on 127.0.0.1 with its own free
//!   ports and ledger directory, started and waited for (`getHealth`), and
//!   always stopped by its pid: on drop, on panic, and (through
//!   `PR_SET_PDEATHSIG`) when the thread that started it dies.
//! * [`FaultProxy`]: a JSON-RPC proxy on loopback that drops requests, drops
//!   responses after the validator processed them, delays, and answers 429 to
//!   a share of requests, so tests can prove a client applies every effect
//!   exactly once.
//!
//! The binary comes from `scripts/install-validator.sh` (built once per
//! machine, cached outside the clone); [`validator_binary`] finds it.

mod http;
mod ports;
mod programs;
mod proxy;
mod validator;

pub use programs::{missing_prerequisite, sbf_dir, validator_for_tests, SbfProgram};
pub use proxy::{FaultCounts, FaultProxy, Faults};
pub use validator::{validator_binary, Validator, ValidatorOptions};

/// Why the harness could not do its job (always with what to do about it).
#[derive(Debug)]
pub struct HarnessError(pub String);

impl std::fmt::Display for HarnessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HarnessError {}

pub type Result<T> = std::result::Result<T, HarnessError>;

fn err(message: impl Into<String>) -> HarnessError {
    HarnessError(message.into())
}
