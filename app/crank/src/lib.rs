//! depin-crank: the oracle and automation service that runs a network
//! (issue 11). This first piece is its durable storage.

pub mod storage;
