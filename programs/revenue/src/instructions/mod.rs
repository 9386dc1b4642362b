// Each module exports its own `handler`; the program calls them by path.
#![allow(ambiguous_glob_reexports)]

pub mod claim_revenue;
pub mod create_pool;
pub mod deposit_revenue;
pub mod deposit_shares;
pub mod issuer_credit;
pub mod issuer_dissolve;
pub mod issuer_transfer;
pub mod open_holding;
pub mod withdraw_shares;

pub use claim_revenue::*;
pub use create_pool::*;
pub use deposit_revenue::*;
pub use deposit_shares::*;
pub use issuer_credit::*;
pub use issuer_dissolve::*;
pub use issuer_transfer::*;
pub use open_holding::*;
pub use withdraw_shares::*;
