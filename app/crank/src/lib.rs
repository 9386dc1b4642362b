//! depin-crank: the oracle and automation service that runs a network:
//! durable storage, the epoch pipeline (score, root, funding, push claims)
//! and its crash points.

pub mod config;
pub mod epoch;
pub mod fault;
pub mod proofs;
pub mod storage;
