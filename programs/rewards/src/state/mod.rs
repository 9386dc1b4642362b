mod distributor;
mod guards;
mod ledger;
mod proposal;

pub use distributor::*;
pub use guards::*;
pub use ledger::*;
pub use proposal::*;

#[cfg(test)]
mod properties;
