//! depin-crank: the oracle and automation service that runs a network:
//! durable storage, report ingest over HTTP, the epoch pipeline (score,
//! root, funding, push claims, upkeep) with its crash points, the proofs
//! API, metrics, a device simulator, and the service that runs them.

pub mod config;
pub mod epoch;
pub mod fault;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod proofs;
pub mod proofs_api;
pub mod runner;
pub mod service;
pub mod simulate;
pub mod solana_pay;
pub mod storage;
