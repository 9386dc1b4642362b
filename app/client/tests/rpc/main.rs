//! `RpcCluster` against a real `solana-test-validator` (crates/localnet):
//! sends, decoded failures, batched and filtered reads, and a faulty
//! endpoint. Skipped with a note when the validator binary or the SBF builds
//! are missing, unless `DEPIN_REQUIRE_VALIDATOR=1`.

mod errors;
mod expiry;
mod faults;
mod fixture;
mod reads;
mod registry_setup;
mod send;
