// Each module exports its own `handler`; the program calls them by path.
#![allow(ambiguous_glob_reexports)]

pub mod approve_maker;
pub mod attest_device;
pub mod close_device;
pub mod create_network;
pub mod grant_role;
pub mod initialize_platform;
pub mod register_device;
pub mod resume_device;
pub mod retire_device;
pub mod revoke_maker;
pub mod revoke_role;
pub mod set_device_operator;
pub mod set_maker_quota;
pub mod set_network_paused;
pub mod set_onboarding_fee;
pub mod suspend_device;
pub mod transfer_device;
pub mod update_device;
pub mod update_network;

pub use approve_maker::*;
pub use attest_device::*;
pub use close_device::*;
pub use create_network::*;
pub use grant_role::*;
pub use initialize_platform::*;
pub use register_device::*;
pub use resume_device::*;
pub use retire_device::*;
pub use revoke_maker::*;
pub use revoke_role::*;
pub use set_device_operator::*;
pub use set_maker_quota::*;
pub use set_network_paused::*;
pub use set_onboarding_fee::*;
pub use suspend_device::*;
pub use transfer_device::*;
pub use update_device::*;
pub use update_network::*;
