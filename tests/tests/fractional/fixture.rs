//! The fractional tests' market (a tokenized battery, a USDC-like mint, a
//! 2.5% market fee): shared with the payments tests, so it lives in the
//! library (`depin_tests::market`).

pub use depin_tests::market::*;
