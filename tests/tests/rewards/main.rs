//! Rewards (compressed claims) integration tests. Native by default;
//! `DEPIN_PROGRAM_MODE=sbf` runs them against target/deploy/*.so.

mod admin;
mod approvals;
mod attacks;
mod breaker;
mod challenge;
mod claims;
mod events;
mod fixture;
mod flow;
mod guards;
mod properties;
mod push;
mod rent;
mod roots;
mod setup;
