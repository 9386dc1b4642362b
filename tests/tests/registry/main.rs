//! Registry integration tests. Native by default; `DEPIN_PROGRAM_MODE=sbf`
//! runs them against target/deploy/*.so in the real VM.

mod attestation;
mod devices;
mod fees;
mod lifecycle;
mod makers;
mod network;
mod roles;
mod smoke;
