pub mod deploy;
pub mod fractional;
pub mod init;
pub mod keys;
pub mod network;
pub mod portfolio;
pub mod revenue;
pub mod wallet;
