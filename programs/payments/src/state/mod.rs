mod session;
mod split;
mod tariff;

pub use session::*;
pub use split::*;
pub use tariff::*;
