// Each module exports its own `handler`; the program calls them by path.
#![allow(ambiguous_glob_reexports)]

pub mod bond;
pub mod claim_rewards;
pub mod create_pool;
pub mod expire_lockup;
pub mod extend_lockup;
pub mod fund_rewards;
pub mod request_unstake;
pub mod slash;
pub mod stake;
pub mod withdraw;

pub use bond::*;
pub use claim_rewards::*;
pub use create_pool::*;
pub use expire_lockup::*;
pub use extend_lockup::*;
pub use fund_rewards::*;
pub use request_unstake::*;
pub use slash::*;
pub use stake::*;
pub use withdraw::*;
