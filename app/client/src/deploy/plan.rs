//! Reading the chain and pricing a deployment before anything is sent.

use anchor_lang::prelude::Pubkey;
use solana_loader_v3_interface::instruction::MINIMUM_EXTEND_PROGRAM_BYTES;
use solana_loader_v3_interface::state::UpgradeableLoaderState;
use solana_signer::Signer;

use super::{
    chain, check_sbf, chunks, keyfile, required_balance, Action, BufferStep, Cost, DeployError,
    Options, Plan, Program, MAX_ACCOUNT_LEN,
};
use crate::cluster::Cluster;

/// Reads the chain and prices the deployment of `program`.
pub async fn plan(
    cluster: &impl Cluster,
    program: &Program,
    options: &Options<'_>,
) -> Result<Plan, DeployError> {
    check_sbf(&program.name, &program.elf)?;
    let name = program.name.as_str();
    let address = program.address();
    let elf_len = program.elf.len();
    let authority = options.upgrade_authority.pubkey();
    let authority_signs = u64::from(authority != cluster.payer().pubkey());
    let chunk_len = chunks::chunk_len(authority_signs == 0);
    let chunks_total = chunks::ranges(elf_len, chunk_len).len();

    let deployed = match chain::program_account(cluster, &address).await? {
        chain::ProgramAccount::Missing => None,
        chain::ProgramAccount::Upgradeable(deployed) => Some(deployed),
        chain::ProgramAccount::Other { owner } => {
            return Err(DeployError::NotUpgradeableProgram {
                program: name.into(),
                address,
                owner,
            })
        }
    };
    let action = choose_action(program, options, deployed.as_ref())?;
    let needs_buffer = matches!(action, Action::Deploy { .. } | Action::Upgrade { .. });
    let (buffer, written) =
        buffer_step(cluster, program, &authority, needs_buffer, elf_len).await?;
    let pending = if needs_buffer {
        chunks::pending(&program.elf, &written, chunk_len)
    } else {
        vec![]
    };

    let mut cost = Cost::default();
    // Closing a buffer: payer and buffer authority sign.
    if let BufferStep::Replace { lamports, .. } | BufferStep::CloseLeftover { lamports, .. } =
        &buffer
    {
        cost.transaction(1 + authority_signs);
        cost.return_buffer(*lamports, true);
    }
    if let Action::Upgrade { extend_by } = action {
        if extend_by > 0 {
            let deployed = deployed.as_ref().expect("an upgrade has a program");
            let grown = UpgradeableLoaderState::size_of_programdata(deployed.capacity + extend_by);
            let rent = cluster.minimum_balance(grown).await?;
            cost.transaction(1);
            cost.lock_rent(rent.saturating_sub(deployed.programdata_lamports));
        }
    }
    let buffer_rent = cluster
        .minimum_balance(UpgradeableLoaderState::size_of_buffer(elf_len))
        .await?;
    if matches!(
        buffer,
        BufferStep::Create | BufferStep::CreateAt(_) | BufferStep::Replace { .. }
    ) {
        // Payer and the new buffer sign.
        cost.transaction(2);
        cost.fund_buffer(buffer_rent);
    }
    for _ in &pending {
        cost.transaction(1 + authority_signs);
    }
    let (buffer_lamports, funded_earlier) = match &buffer {
        BufferStep::Resume { lamports, .. } => (*lamports, true),
        _ => (buffer_rent, false),
    };
    match action {
        Action::Deploy { max_len } => {
            // Payer, program keypair, authority; the program account is paid
            // before the loader hands the buffer back and takes the programdata's rent.
            cost.transaction(2 + authority_signs);
            cost.lock_rent(
                cluster
                    .minimum_balance(UpgradeableLoaderState::size_of_program())
                    .await?,
            );
            cost.return_buffer(buffer_lamports, funded_earlier);
            cost.lock_rent(
                cluster
                    .minimum_balance(UpgradeableLoaderState::size_of_programdata(max_len))
                    .await?,
            );
        }
        Action::Upgrade { .. } => {
            cost.transaction(1 + authority_signs);
            cost.return_buffer(buffer_lamports, funded_earlier);
        }
        Action::Finalize => cost.transaction(1 + authority_signs),
        Action::Unchanged => {}
    }

    Ok(Plan {
        program: name.into(),
        address,
        action,
        elf_len,
        chunks_total,
        chunks_to_write: pending.len(),
        cost,
        resuming: matches!(buffer, BufferStep::Resume { .. }),
        buffer,
        pending,
        chunk_len,
    })
}

fn choose_action(
    program: &Program,
    options: &Options<'_>,
    deployed: Option<&chain::DeployedProgram>,
) -> Result<Action, DeployError> {
    let elf_len = program.elf.len();
    let bad_max_len = |max_len| DeployError::BadMaxLen {
        program: program.name.clone(),
        max_len,
        elf_len,
    };
    let wanted = options.max_len.unwrap_or(elf_len);
    if wanted < elf_len || UpgradeableLoaderState::size_of_programdata(wanted) > MAX_ACCOUNT_LEN {
        return Err(bad_max_len(wanted));
    }
    let Some(deployed) = deployed else {
        return Ok(Action::Deploy { max_len: wanted });
    };
    let same_code = deployed.holds(&program.elf);
    let authority = options.upgrade_authority.pubkey();
    match deployed.upgrade_authority {
        None if same_code => Ok(Action::Unchanged),
        None => Err(DeployError::Final {
            program: program.name.clone(),
            address: program.address(),
        }),
        Some(_) if same_code && !options.finalize => Ok(Action::Unchanged),
        Some(current) if current != authority => Err(DeployError::WrongAuthority {
            program: program.name.clone(),
            address: program.address(),
            authority: current,
            given: authority,
        }),
        Some(_) if same_code => Ok(Action::Finalize),
        Some(_) => {
            let needed = wanted.saturating_sub(deployed.capacity);
            // The loader grows programdata by at least 10 KiB at a time
            // (unless that would pass the account size limit).
            let headroom = (MAX_ACCOUNT_LEN
                - UpgradeableLoaderState::size_of_programdata(deployed.capacity))
            .min(u32::MAX as usize);
            let extend_by = match needed {
                0 => 0,
                _ if needed > headroom => return Err(bad_max_len(wanted)),
                _ => needed
                    .max(MINIMUM_EXTEND_PROGRAM_BYTES as usize)
                    .min(headroom),
            };
            Ok(Action::Upgrade { extend_by })
        }
    }
}

/// Looks for an unfinished deploy's buffer; returns the step and the bytes
/// the buffer already holds.
async fn buffer_step(
    cluster: &impl Cluster,
    program: &Program,
    authority: &Pubkey,
    needs_buffer: bool,
    elf_len: usize,
) -> Result<(BufferStep, Vec<u8>), DeployError> {
    let path = &program.buffer_keypair_path;
    if !path.exists() {
        let step = if needs_buffer {
            BufferStep::Create
        } else {
            BufferStep::None
        };
        return Ok((step, vec![]));
    }
    let keypair = keyfile::read(path)?;
    let conflict = |reason: String| DeployError::BufferConflict {
        program: program.name.clone(),
        address: keypair.pubkey(),
        path: path.clone(),
        reason,
    };
    let buffer = match chain::buffer(cluster, &keypair.pubkey()).await? {
        None if needs_buffer => return Ok((BufferStep::CreateAt(keypair), vec![])),
        None => return Ok((BufferStep::RemoveFile, vec![])),
        Some(Err(reason)) => return Err(conflict(reason)),
        Some(Ok(buffer)) => buffer,
    };
    if buffer.authority != Some(*authority) {
        return Err(conflict(match buffer.authority {
            Some(other) => format!("belongs to authority {other}, not {authority}"),
            None => "is immutable".into(),
        }));
    }
    let lamports = buffer.lamports;
    Ok(match () {
        _ if !needs_buffer => (BufferStep::CloseLeftover { keypair, lamports }, vec![]),
        _ if buffer.data.len() != elf_len => (
            BufferStep::Replace {
                old: keypair,
                lamports,
            },
            vec![],
        ),
        _ => (BufferStep::Resume { keypair, lamports }, buffer.data),
    })
}

/// What the payer has and what the planned deployments need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Funds {
    pub balance: u64,
    /// The peak of the plans carried out one after the other, plus the
    /// payer's own rent-exempt minimum (it must keep that, or nothing).
    pub needed: u64,
}

/// Refuses, before anything is sent, when the payer cannot fund `plans`.
pub async fn check_funds(cluster: &impl Cluster, plans: &[Plan]) -> Result<Funds, DeployError> {
    let payer = cluster.payer().pubkey();
    let balance = cluster.get_balance(&payer).await?;
    let peak = required_balance(plans.iter().map(|plan| &plan.cost));
    let needed = match peak {
        0 => 0,
        _ => peak + cluster.minimum_balance(0).await?,
    };
    if balance < needed {
        return Err(DeployError::InsufficientFunds {
            payer,
            needed,
            balance,
        });
    }
    Ok(Funds { balance, needed })
}
