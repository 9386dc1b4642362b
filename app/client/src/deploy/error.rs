use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;

use crate::error::ClientError;

fn sol(lamports: u64) -> String {
    format!("{:.9} SOL", lamports as f64 / 1e9)
}

/// Why a deployment did not start or did not finish; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("{program}: not an SBF program (an ELF for eBPF); build it with scripts/build-sbf")]
    NotSbf { program: String },

    #[error("{}", id_mismatch(.program, .keypair_id, .source_id, *.elf_built_for_source, *.elf_matches))]
    IdMismatch {
        program: String,
        keypair_id: Pubkey,
        source_id: Option<Pubkey>,
        elf_built_for_source: bool,
        elf_matches: bool,
    },

    #[error(
        "the payer {payer} has {} but the deployment needs {} at its peak; \
         fund it (e.g. `solana airdrop` on devnet, or from another wallet) and run it again",
        sol(*.balance),
        sol(*.needed)
    )]
    InsufficientFunds {
        payer: Pubkey,
        needed: u64,
        balance: u64,
    },

    #[error(
        "{program}: {address} holds an account owned by {owner}, not an upgradeable program; \
         deploy to another address (new keypair, `depin keys sync`, rebuild)"
    )]
    NotUpgradeableProgram {
        program: String,
        address: Pubkey,
        owner: Pubkey,
    },

    #[error("{program}: {address} was deployed final (no upgrade authority); it can never change")]
    Final { program: String, address: Pubkey },

    #[error(
        "{program}: the upgrade authority of {address} is {authority}, not {given}; \
         pass --upgrade-authority with its keypair"
    )]
    WrongAuthority {
        program: String,
        address: Pubkey,
        authority: Pubkey,
        given: Pubkey,
    },

    #[error(
        "{program}: max data length {max_len} is smaller than the program ({elf_len} bytes) \
         or larger than an account can be (10 MiB)"
    )]
    BadMaxLen {
        program: String,
        max_len: usize,
        elf_len: usize,
    },

    #[error(
        "{program}: the unfinished deploy's buffer {address} (keypair {}) {reason}; \
         delete that file to start over with a new buffer",
        .path.display()
    )]
    BufferConflict {
        program: String,
        address: Pubkey,
        path: PathBuf,
        reason: String,
    },

    #[error(
        "{program}: {left} of {total} chunks are still not in the buffer after {rounds} rounds \
         ({last_error}); run the same command again: it resumes where it stopped"
    )]
    WriteIncomplete {
        program: String,
        left: usize,
        total: usize,
        rounds: usize,
        last_error: String,
    },

    #[error(
        "{program}: the program changed in this slot already (a deploy or an extension); \
         run the command again (with --commitment confirmed or finalized this cannot happen)"
    )]
    SameSlot { program: String },

    #[error("keypair file {}: {reason}", .path.display())]
    Keyfile { path: PathBuf, reason: String },

    #[error(transparent)]
    Client(#[from] ClientError),
}

fn id_mismatch(
    program: &str,
    keypair_id: &Pubkey,
    source_id: &Option<Pubkey>,
    elf_built_for_source: bool,
    elf_matches: bool,
) -> String {
    match source_id {
        Some(source) if source != keypair_id => format!(
            "{program}: its keypair is {keypair_id} but declare_id! says {source}{}; \
             run `depin keys sync`, then rebuild the programs (scripts/build-sbf) and the CLI",
            if elf_built_for_source {
                " (and the build is for that id)"
            } else {
                ""
            }
        ),
        _ if !elf_matches => format!(
            "{program}: the build was not made for its keypair's id {keypair_id} \
             (a stale build, or one from other sources); rebuild it (scripts/build-sbf){}",
            if source_id.is_none() {
                ", after `depin keys sync` if declare_id! differs"
            } else {
                ""
            }
        ),
        _ => format!("{program}: program id mismatch"),
    }
}
