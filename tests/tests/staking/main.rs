//! Staking integration tests. Native by default; `DEPIN_PROGRAM_MODE=sbf`
//! runs them against target/deploy/*.so.

mod apply_boost_ends;
mod backlog;
mod bond;
mod boost_ends;
mod claims;
mod create_pool;
mod extend_lockup;
mod fixture;
mod flow;
mod fund;
mod lock_end;
mod overflow;
mod properties;
mod slash;
mod stake;
mod unstake;
