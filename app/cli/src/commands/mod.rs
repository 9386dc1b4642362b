pub mod deploy;
pub mod device;
pub mod init;
pub mod keys;
pub mod maker;
pub mod network;
pub mod wallet;
