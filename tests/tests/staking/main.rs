//! Staking integration tests. Native by default; `DEPIN_PROGRAM_MODE=sbf`
//! runs them against target/deploy/*.so.

mod bond;
mod claims;
mod create_pool;
mod extend_lockup;
mod fixture;
mod flow;
mod fund;
mod overflow;
mod properties;
mod slash;
mod stake;
mod unstake;
