// Each module exports its own `handler`; the program calls them by path.
#![allow(ambiguous_glob_reexports)]

pub mod buy;
pub mod cancel_offering;
pub mod close_offering;
pub mod configure_market;
pub mod create_asset;
pub mod create_offering;
pub mod deliver_purchase;
pub mod refund;
pub mod retain_shares;
pub mod retire_asset;
pub mod set_allowlist;
pub mod set_asset_operator;
pub mod transfer_asset;

pub use buy::*;
pub use cancel_offering::*;
pub use close_offering::*;
pub use configure_market::*;
pub use create_asset::*;
pub use create_offering::*;
pub use deliver_purchase::*;
pub use refund::*;
pub use retain_shares::*;
pub use retire_asset::*;
pub use set_allowlist::*;
pub use set_asset_operator::*;
pub use transfer_asset::*;
