//! Ingest over real HTTP on loopback, against SQLite in temporary
//! directories: every answer of the API, the chain-backed device source on
//! an in-process bank, Solana Pay transaction requests against a bank, and
//! (ignored by default) the throughput benchmark.

mod batch;
mod bench;
mod chain;
mod epochs;
mod group_commit;
mod ops;
mod pay;
mod reports;
mod simulator;
mod support;
// The set-up of the pipeline tests; only the network and a device are used.
#[allow(dead_code)]
#[path = "../common/world.rs"]
mod world;
