//! The epoch pipeline on the in-process bank: a primary crank runs epochs
//! end to end, survives a crash at every step, and a verifier crank
//! approves only the root it recomputes.

mod crash;
mod primary;
mod proofs;
mod service;
mod support;
mod verifier;
#[path = "../common/world.rs"]
mod world;
