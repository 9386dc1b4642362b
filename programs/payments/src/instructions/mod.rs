// Each module exports its own `handler`; the program calls them by path.
#![allow(ambiguous_glob_reexports)]

pub mod open_session;
pub mod reclaim;
pub mod set_tariff;
pub mod set_tariff_paused;
pub mod settle;

pub use open_session::*;
pub use reclaim::*;
pub use set_tariff::*;
pub use set_tariff_paused::*;
pub use settle::*;
