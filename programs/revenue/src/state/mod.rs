mod holding;
mod pool;

pub use holding::*;
pub use pool::*;
