mod asset;
mod market;
mod offering;

pub use asset::*;
pub use market::*;
pub use offering::*;
