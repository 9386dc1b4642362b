pub mod deploy;
pub mod init;
pub mod keys;
