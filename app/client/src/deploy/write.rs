//! Writing a program into its buffer: chunks sent in parallel (bounded),
//! then the buffer read back; chunks that are not there are sent again.

use std::cell::Cell;

use anchor_lang::prelude::Pubkey;
use futures_util::stream::{self, StreamExt};
use solana_keypair::Keypair;
use solana_loader_v3_interface::instruction as loader;
use solana_signer::Signer;

use super::chain;
use super::chunks;
use super::error::DeployError;
use super::progress::Progress;
use super::Sender;
use crate::cluster::Cluster;
use crate::error::ClientError;

/// Read-back rounds before giving up: one normally, more only when sends
/// failed or a confirmed write is not in the buffer.
const ROUNDS: usize = 3;

pub(super) struct Chunks<'a> {
    pub program: &'a str,
    pub elf: &'a [u8],
    pub chunk_len: usize,
    pub buffer: Pubkey,
    pub authority: &'a Keypair,
    pub concurrency: usize,
}

impl Chunks<'_> {
    /// Writes `pending` chunks until the buffer holds the whole program;
    /// returns how many writes landed.
    pub async fn write(
        &self,
        sender: &Sender<'_, impl Cluster>,
        mut pending: Vec<usize>,
        progress: &impl Progress,
    ) -> Result<usize, DeployError> {
        let total = chunks::ranges(self.elf.len(), self.chunk_len).len();
        progress.writing(self.program, total, total - pending.len());
        let mut written = 0;
        let mut last_error = String::from("a confirmed write was not in the buffer");
        for round in 1..=ROUNDS {
            if !pending.is_empty() {
                match self.send_all(sender, &pending, progress).await {
                    (landed, None) => written += landed,
                    (landed, Some(error)) => {
                        written += landed;
                        // A refused write (wrong authority, closed buffer)
                        // fails the same way every time.
                        if let ClientError::Transaction(_) = error {
                            return Err(error.into());
                        }
                        last_error = error.to_string();
                    }
                }
            }
            pending = self.read_back_pending(sender.cluster).await?;
            if pending.is_empty() {
                return Ok(written);
            }
            if round == ROUNDS {
                break;
            }
        }
        Err(DeployError::WriteIncomplete {
            program: self.program.to_string(),
            left: pending.len(),
            total,
            rounds: ROUNDS,
            last_error,
        })
    }

    /// Sends the writes, at most `concurrency` at a time. After a failure no
    /// new write starts, but those in flight are waited for (they may land
    /// either way; the read-back tells).
    async fn send_all(
        &self,
        sender: &Sender<'_, impl Cluster>,
        pending: &[usize],
        progress: &impl Progress,
    ) -> (usize, Option<ClientError>) {
        let ranges = chunks::ranges(self.elf.len(), self.chunk_len);
        let stop = Cell::new(false);
        let writes = pending.iter().take_while(|_| !stop.get()).map(|&index| {
            let range = ranges[index].clone();
            let ix = loader::write(
                &self.buffer,
                &self.authority.pubkey(),
                range.start as u32,
                self.elf[range].to_vec(),
            );
            async move { sender.send(&[ix], &[self.authority]).await }
        });
        let mut sends = stream::iter(writes).buffer_unordered(self.concurrency.max(1));
        let mut landed = 0;
        let mut first_error = None;
        while let Some(result) = sends.next().await {
            match result {
                Ok(_) => {
                    landed += 1;
                    progress.chunk_written();
                }
                Err(error) => {
                    stop.set(true);
                    first_error.get_or_insert(error);
                }
            }
        }
        (landed, first_error)
    }

    /// The chunks the buffer does not hold yet.
    async fn read_back_pending(&self, cluster: &impl Cluster) -> Result<Vec<usize>, DeployError> {
        match chain::buffer(cluster, &self.buffer).await? {
            Some(Ok(buffer)) => Ok(chunks::pending(self.elf, &buffer.data, self.chunk_len)),
            Some(Err(reason)) => {
                Err(ClientError::Cluster(format!("buffer {} {reason}", self.buffer)).into())
            }
            None => Err(ClientError::AccountNotFound(self.buffer).into()),
        }
    }
}
