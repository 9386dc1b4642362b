mod params;
mod pool;
mod position;

pub use params::*;
pub use pool::*;
pub use position::*;

#[cfg(test)]
mod properties;
