pub mod deploy;
pub mod init;
pub mod keys;
pub mod network;
pub mod rewards;
pub mod staking;
pub mod wallet;
