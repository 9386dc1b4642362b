//! Deploying and upgrading programs through the upgradeable BPF loader
//! (loader-v3), over any [`Cluster`]: the in-process bank in tests, RPC on a
//! real cluster. No `solana` or `anchor` CLI involved.
//!
//! One program at a time: [`plan`] reads what is on chain (nothing there, an
//! older version, the same code, an unfinished buffer) and prices every step;
//! [`execute`] then writes the program into a buffer (chunks sent in
//! parallel), and deploys it (programdata sized to the ELF unless told
//! otherwise) or upgrades the program (growing its programdata first if
//! needed), optionally making it final.
//!
//! Resuming: the buffer's keypair is saved to a file before the buffer is
//! funded. A run that stops leaves the buffer and the file; the next run
//! reads the buffer back and writes only the chunks it lacks. Success closes
//! the buffer (the loader hands its lamports back) and removes the file.

mod chain;
mod chunks;
mod cost;
mod elf;
mod error;
mod execute;
pub mod keyfile;
mod plan;
mod progress;
mod ready;
mod write;

use std::path::PathBuf;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub use chain::LOADER_ID;
pub use chunks::chunk_len;
pub use cost::{required_balance, Cost, LAMPORTS_PER_SIGNATURE};
pub use elf::{check_program_id, check_sbf, embeds_id};
pub use error::DeployError;
pub use execute::execute;
pub(crate) use execute::Sender;
pub use plan::{check_funds, plan, Funds};
pub use progress::Progress;
pub use ready::wait_until_runnable;

/// The largest account (and so programdata) the runtime allows.
const MAX_ACCOUNT_LEN: usize = 10 * 1024 * 1024;

/// A program to deploy: its build and its keys.
pub struct Program {
    /// Its name in messages (the crate's lib name, e.g. `depin_registry`).
    pub name: String,
    pub elf: Vec<u8>,
    /// The program's keypair: its address, and the signer a first deploy needs.
    pub keypair: Keypair,
    /// Where the buffer keypair of an unfinished deploy is kept.
    pub buffer_keypair_path: PathBuf,
}

impl Program {
    pub fn address(&self) -> Pubkey {
        self.keypair.pubkey()
    }
}

pub struct Options<'a> {
    /// Signs upgrades and owns the buffer; the program's upgrade authority.
    pub upgrade_authority: &'a Keypair,
    /// Programdata room for code; default: the ELF's size.
    pub max_len: Option<usize>,
    /// Leave the program without upgrade authority: it can never change.
    pub finalize: bool,
    /// Buffer writes in flight at once.
    pub concurrency: usize,
}

/// Buffer writes in flight at once, unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A first deploy, with room for `max_len` bytes of code.
    Deploy { max_len: usize },
    /// A new version; the programdata grows by `extend_by` bytes first.
    Upgrade { extend_by: usize },
    /// The same code is deployed: nothing to send.
    Unchanged,
    /// The same code is deployed; only its upgrade authority is removed.
    Finalize,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Deploy { .. } => "deploy",
            Action::Upgrade { .. } => "upgrade",
            Action::Unchanged => "unchanged",
            Action::Finalize => "finalize",
        }
    }
}

/// What the buffer step will do.
pub(crate) enum BufferStep {
    /// No buffer is needed.
    None,
    /// A new buffer with a new keypair.
    Create,
    /// The saved keypair's buffer is gone (another cluster, or closed): a
    /// new buffer at the same address.
    CreateAt(Keypair),
    /// The saved buffer is for another size of program: close it, start anew.
    Replace { old: Keypair, lamports: u64 },
    /// Continue filling the saved buffer.
    Resume { keypair: Keypair, lamports: u64 },
    /// The code is already deployed; close the leftover buffer.
    CloseLeftover { keypair: Keypair, lamports: u64 },
    /// Only the saved keypair file is left over: remove it.
    RemoveFile,
}

/// What one program's deployment will do and cost.
pub struct Plan {
    pub program: String,
    pub address: Pubkey,
    pub action: Action,
    pub elf_len: usize,
    pub chunks_total: usize,
    /// Chunks to send (all-zero chunks and those an earlier run wrote are not).
    pub chunks_to_write: usize,
    pub cost: Cost,
    pub resuming: bool,
    pub(crate) buffer: BufferStep,
    pub(crate) pending: Vec<usize>,
    pub(crate) chunk_len: usize,
}

/// What one program's deployment did.
#[derive(Debug, Clone)]
pub struct Report {
    pub program: String,
    pub address: Pubkey,
    pub action: Action,
    pub elf_len: usize,
    pub chunks_total: usize,
    pub chunks_written: usize,
    /// Chunks not sent: already in a resumed buffer, or all zeros.
    pub chunks_skipped: usize,
    pub transactions: u64,
    /// The payer's balance before minus after (negative when it gained).
    pub lamports_spent: i128,
    /// Fees as the cluster reported them (base and priority), when it does.
    pub fees_reported: Option<u64>,
    pub elapsed: Duration,
    pub estimate: Cost,
}
