//! depin-crank: the oracle and automation service that runs a network
//! (issue 11): durable storage, report ingest over HTTP, a metrics registry
//! and a device simulator.

pub mod http;
pub mod ingest;
pub mod metrics;
pub mod simulate;
pub mod storage;
