//! Fractional ownership and revenue share integration tests. Native by
//! default; `DEPIN_PROGRAM_MODE=sbf` runs them against target/deploy/*.so.

mod fixture;
mod flow;
