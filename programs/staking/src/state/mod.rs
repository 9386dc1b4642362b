mod boost_end;
mod params;
mod pool;
mod position;

pub use boost_end::*;
pub use params::*;
pub use pool::*;
pub use position::*;

#[cfg(test)]
mod properties;
