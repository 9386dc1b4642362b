//! Storage tests, on real SQLite files in temporary directories.

mod accept;
mod crash;
mod durability;
mod epochs;
mod properties;
mod support;
