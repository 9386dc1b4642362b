mod device;
mod maker;
mod member;
mod network;
mod platform;

pub use device::*;
pub use maker::*;
pub use member::*;
pub use network::*;
pub use platform::*;
