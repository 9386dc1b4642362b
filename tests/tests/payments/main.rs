//! Metered payment sessions integration tests. Native by default;
//! `DEPIN_PROGRAM_MODE=sbf` runs them against target/deploy/*.so.

mod fixture;
mod flow;
mod properties;
mod reclaim;
mod refusals;
mod sessions;
mod settle;
mod tariffs;
