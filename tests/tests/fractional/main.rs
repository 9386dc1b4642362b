//! Fractional ownership and revenue share integration tests. Native by
//! default; `DEPIN_PROGRAM_MODE=sbf` runs them against target/deploy/*.so.

mod assets;
mod buying;
mod closing;
mod control;
mod fixture;
mod flow;
mod market;
mod offerings;
mod properties;
mod refunds;
mod revenue;
