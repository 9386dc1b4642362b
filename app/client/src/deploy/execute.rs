//! Carrying out a plan: extension, buffer, writes, deploy or upgrade.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_loader_v3_interface::instruction as loader;
use solana_loader_v3_interface::state::UpgradeableLoaderState;
use solana_signer::Signer;

use super::{
    keyfile, write, Action, BufferStep, DeployError, Options, Plan, Program, Progress, Report,
};
use crate::cluster::{Cluster, Sent};
use crate::error::{ClientError, FailureStage};

/// Counts what is sent, and the fees the cluster reports.
pub(crate) struct Sender<'a, C> {
    pub(crate) cluster: &'a C,
    transactions: AtomicU64,
    fees: AtomicU64,
    fees_known: AtomicBool,
}

impl<'a, C: Cluster> Sender<'a, C> {
    fn new(cluster: &'a C) -> Self {
        Sender {
            cluster,
            transactions: AtomicU64::new(0),
            fees: AtomicU64::new(0),
            fees_known: true.into(),
        }
    }

    pub(crate) async fn send(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, ClientError> {
        let result = self.cluster.send(ixs, signers).await;
        match &result {
            Ok(sent) => {
                self.transactions.fetch_add(1, Ordering::Relaxed);
                match sent.fee {
                    Some(fee) => self.fees.fetch_add(fee, Ordering::Relaxed),
                    None => {
                        self.fees_known.store(false, Ordering::Relaxed);
                        0
                    }
                };
            }
            // A transaction that failed on chain was sent, and paid for
            // (one refused by simulation was not).
            Err(ClientError::Transaction(failure)) if failure.stage == FailureStage::Execution => {
                self.transactions.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {}
        }
        result
    }
}

/// Carries out `plan` (made by [`plan`] for the same program and options).
pub async fn execute(
    cluster: &impl Cluster,
    program: &Program,
    plan: Plan,
    options: &Options<'_>,
    progress: &impl Progress,
) -> Result<Report, DeployError> {
    let started = Instant::now();
    let name = program.name.as_str();
    let payer = cluster.payer().pubkey();
    let balance_before = cluster.get_balance(&payer).await?;
    let sender = Sender::new(cluster);
    let authority = options.upgrade_authority;
    let address = program.address();

    if let Action::Upgrade { extend_by } = plan.action {
        if extend_by > 0 {
            progress.step(name, "extending programdata");
            let ix = loader::extend_program(&address, Some(&payer), extend_by as u32);
            send_loader(&sender, name, &[ix], &[]).await?;
        }
    }

    let buffer = match plan.buffer {
        BufferStep::None => None,
        BufferStep::RemoveFile => {
            keyfile::remove(&program.buffer_keypair_path)?;
            None
        }
        BufferStep::CloseLeftover { keypair, .. } => {
            progress.step(name, "closing old buffer");
            close_buffer(&sender, &keypair, authority).await?;
            keyfile::remove(&program.buffer_keypair_path)?;
            None
        }
        BufferStep::Resume { keypair, .. } => Some(keypair),
        BufferStep::CreateAt(keypair) => {
            progress.step(name, "creating buffer");
            create_buffer(&sender, &keypair, authority, plan.elf_len).await?;
            Some(keypair)
        }
        BufferStep::Replace { old, .. } => {
            progress.step(name, "closing old buffer");
            close_buffer(&sender, &old, authority).await?;
            keyfile::remove(&program.buffer_keypair_path)?;
            Some(new_buffer(&sender, program, authority, plan.elf_len, progress).await?)
        }
        BufferStep::Create => {
            Some(new_buffer(&sender, program, authority, plan.elf_len, progress).await?)
        }
    };

    let mut chunks_written = 0;
    if let Some(buffer) = &buffer {
        progress.step(name, "writing");
        let chunks = write::Chunks {
            program: name,
            elf: &program.elf,
            chunk_len: plan.chunk_len,
            buffer: buffer.pubkey(),
            authority,
            concurrency: options.concurrency,
        };
        chunks_written = chunks
            .write(&sender, plan.pending.clone(), progress)
            .await?;
    }

    let finalize = options
        .finalize
        .then(|| loader::set_upgrade_authority(&address, &authority.pubkey(), None));
    match (plan.action, &buffer) {
        (Action::Deploy { max_len }, Some(buffer)) => {
            progress.step(name, "deploying");
            let program_rent = cluster
                .minimum_balance(UpgradeableLoaderState::size_of_program())
                .await?;
            let mut ixs = loader::deploy_with_max_program_len(
                &payer,
                &address,
                &buffer.pubkey(),
                &authority.pubkey(),
                program_rent,
                max_len,
            )
            .map_err(|e| ClientError::Cluster(e.to_string()))?;
            ixs.extend(finalize);
            send_loader(&sender, name, &ixs, &[&program.keypair, authority]).await?;
        }
        (Action::Upgrade { .. }, Some(buffer)) => {
            progress.step(name, "upgrading");
            let mut ixs = vec![loader::upgrade(
                &address,
                &buffer.pubkey(),
                &authority.pubkey(),
                &payer,
            )];
            ixs.extend(finalize);
            send_loader(&sender, name, &ixs, &[authority]).await?;
        }
        (Action::Finalize, _) => {
            progress.step(name, "finalizing");
            send_loader(&sender, name, &Vec::from_iter(finalize), &[authority]).await?;
        }
        _ => {}
    }
    if buffer.is_some() {
        // The loader closed the buffer (its lamports went back to the payer).
        keyfile::remove(&program.buffer_keypair_path)?;
    }

    let balance_after = cluster.get_balance(&payer).await?;
    let skipped = if buffer.is_some() {
        plan.chunks_total - chunks_written.min(plan.chunks_total)
    } else {
        0
    };
    Ok(Report {
        program: name.into(),
        address,
        action: plan.action,
        elf_len: plan.elf_len,
        chunks_total: plan.chunks_total,
        chunks_written,
        chunks_skipped: skipped,
        transactions: sender.transactions.load(Ordering::Relaxed),
        lamports_spent: i128::from(balance_before) - i128::from(balance_after),
        fees_reported: sender
            .fees_known
            .load(Ordering::Relaxed)
            .then(|| sender.fees.load(Ordering::Relaxed)),
        elapsed: started.elapsed(),
        estimate: plan.cost,
    })
}

/// A buffer at a new address, its keypair saved before it holds any
/// lamports: a run that stops after this can always find the buffer again.
async fn new_buffer(
    sender: &Sender<'_, impl Cluster>,
    program: &Program,
    authority: &Keypair,
    elf_len: usize,
    progress: &impl Progress,
) -> Result<Keypair, DeployError> {
    let keypair = Keypair::new();
    keyfile::write_new(&program.buffer_keypair_path, &keypair)?;
    progress.step(&program.name, "creating buffer");
    create_buffer(sender, &keypair, authority, elf_len).await?;
    Ok(keypair)
}

async fn create_buffer(
    sender: &Sender<'_, impl Cluster>,
    buffer: &Keypair,
    authority: &Keypair,
    elf_len: usize,
) -> Result<(), DeployError> {
    let rent = sender
        .cluster
        .minimum_balance(UpgradeableLoaderState::size_of_buffer(elf_len))
        .await?;
    let ixs = loader::create_buffer(
        &sender.cluster.payer().pubkey(),
        &buffer.pubkey(),
        &authority.pubkey(),
        rent,
        elf_len,
    )
    .map_err(|e| ClientError::Cluster(e.to_string()))?;
    sender.send(&ixs, &[buffer]).await?;
    Ok(())
}

async fn close_buffer(
    sender: &Sender<'_, impl Cluster>,
    buffer: &Keypair,
    authority: &Keypair,
) -> Result<(), DeployError> {
    let ix = loader::close(
        &buffer.pubkey(),
        &sender.cluster.payer().pubkey(),
        &authority.pubkey(),
    );
    sender.send(&[ix], &[authority]).await?;
    Ok(())
}

/// Sends a deploy, upgrade, extension or authority change; says so plainly
/// when the loader refuses because the program changed in this slot.
async fn send_loader(
    sender: &Sender<'_, impl Cluster>,
    program: &str,
    ixs: &[Instruction],
    signers: &[&Keypair],
) -> Result<(), DeployError> {
    match sender.send(ixs, signers).await {
        Ok(_) => Ok(()),
        Err(error)
            if error
                .logs()
                .iter()
                .any(|line| line.contains("in this block already")) =>
        {
            Err(DeployError::SameSlot {
                program: program.into(),
            })
        }
        Err(error) => Err(error.into()),
    }
}
