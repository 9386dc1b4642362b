// Each module exports its own `handler`; the program calls them by path.
#![allow(ambiguous_glob_reexports)]

pub mod activate_root;
pub mod claim;
pub mod clawback;
pub mod close_ledger_page;
pub mod create_distributor;
pub mod create_ledger_page;
pub mod fund;
pub mod post_root;
pub mod push_claim;
pub mod set_guards;
pub mod set_paused;
pub mod veto_root;

pub use activate_root::*;
pub use claim::*;
pub use clawback::*;
pub use close_ledger_page::*;
pub use create_distributor::*;
pub use create_ledger_page::*;
pub use fund::*;
pub use post_root::*;
pub use push_claim::*;
pub use set_guards::*;
pub use set_paused::*;
pub use veto_root::*;
