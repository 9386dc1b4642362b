mod distributor;
mod ledger;

pub use distributor::*;
pub use ledger::*;

#[cfg(test)]
mod properties;
