//! The upgradeable loader's accounts as the chain holds them. Their layout
//! (bincode of `UpgradeableLoaderState`) is fixed: a u32 tag, the fields,
//! and the bytes from a fixed offset on.

use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_loader_v3_interface::get_program_data_address;
use solana_loader_v3_interface::state::UpgradeableLoaderState;

use crate::cluster::Cluster;
use crate::error::ClientError;

pub const LOADER_ID: Pubkey = anchor_lang::solana_program::bpf_loader_upgradeable::ID;

const TAG_BUFFER: u32 = 1;
const TAG_PROGRAM: u32 = 2;
const TAG_PROGRAM_DATA: u32 = 3;

/// What lives at a program's address.
#[derive(Debug, Clone)]
pub enum ProgramAccount {
    Missing,
    Upgradeable(DeployedProgram),
    /// Something else: another loader's program, a funded system account...
    Other {
        owner: Pubkey,
    },
}

#[derive(Debug, Clone)]
pub struct DeployedProgram {
    /// The slot of the last deploy, upgrade or extension: the code runs
    /// from the next slot on.
    pub slot: u64,
    pub programdata_lamports: u64,
    pub upgrade_authority: Option<Pubkey>,
    /// The programdata's room for code (its max data length).
    pub capacity: usize,
    /// The code region, `capacity` bytes (the ELF, then zeros).
    pub code: Vec<u8>,
}

impl DeployedProgram {
    /// Whether the code region holds exactly `elf` (zeros after it).
    pub fn holds(&self, elf: &[u8]) -> bool {
        self.code.len() >= elf.len()
            && self.code[..elf.len()] == *elf
            && self.code[elf.len()..].iter().all(|b| *b == 0)
    }
}

/// A buffer account: its authority and its bytes after the metadata.
#[derive(Debug, Clone)]
pub struct Buffer {
    pub authority: Option<Pubkey>,
    pub lamports: u64,
    pub data: Vec<u8>,
}

fn tag(data: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(..4)?.try_into().ok()?))
}

/// Reads bincode's `Option<Pubkey>` at `at`: a 0/1 byte, then 32 bytes.
fn optional_key(data: &[u8], at: usize) -> Option<Option<Pubkey>> {
    match *data.get(at)? {
        0 => Some(None),
        1 => Some(Some(Pubkey::new_from_array(
            data.get(at + 1..at + 33)?.try_into().ok()?,
        ))),
        _ => None,
    }
}

pub async fn program_account(
    cluster: &impl Cluster,
    address: &Pubkey,
) -> Result<ProgramAccount, ClientError> {
    let Some(account) = cluster.get_account(address).await? else {
        return Ok(ProgramAccount::Missing);
    };
    let other = ProgramAccount::Other {
        owner: account.owner,
    };
    if account.owner != LOADER_ID || tag(&account.data) != Some(TAG_PROGRAM) {
        return Ok(other);
    }
    let programdata = get_program_data_address(address);
    let Some(data_account) = cluster.get_account(&programdata).await? else {
        return Ok(other);
    };
    Ok(parse_programdata(data_account)
        .map(ProgramAccount::Upgradeable)
        .unwrap_or(other))
}

fn parse_programdata(account: Account) -> Option<DeployedProgram> {
    let offset = UpgradeableLoaderState::size_of_programdata_metadata();
    if tag(&account.data)? != TAG_PROGRAM_DATA || account.data.len() < offset {
        return None;
    }
    // tag (4) + slot (8), then the authority.
    let upgrade_authority = optional_key(&account.data, 12)?;
    Some(DeployedProgram {
        slot: u64::from_le_bytes(account.data.get(4..12)?.try_into().ok()?),
        programdata_lamports: account.lamports,
        upgrade_authority,
        capacity: account.data.len() - offset,
        code: account.data[offset..].to_vec(),
    })
}

/// The slot of the cluster's clock (at the cluster's commitment).
pub async fn current_slot(cluster: &impl Cluster) -> Result<u64, ClientError> {
    use anchor_lang::solana_program::sysvar::SysvarId;
    let clock = anchor_lang::prelude::Clock::id();
    let account = cluster
        .get_account(&clock)
        .await?
        .ok_or(ClientError::AccountNotFound(clock))?;
    // The Clock sysvar starts with its slot.
    account
        .data
        .get(..8)
        .and_then(|bytes| bytes.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or_else(|| ClientError::Cluster("the Clock sysvar is too short".into()))
}

/// The buffer at `address`; `Ok(None)` when there is no account,
/// `Err(description)` inside when the account is not a buffer.
pub async fn buffer(
    cluster: &impl Cluster,
    address: &Pubkey,
) -> Result<Option<Result<Buffer, String>>, ClientError> {
    let Some(account) = cluster.get_account(address).await? else {
        return Ok(None);
    };
    Ok(Some(parse_buffer(account)))
}

fn parse_buffer(account: Account) -> Result<Buffer, String> {
    let offset = UpgradeableLoaderState::size_of_buffer_metadata();
    if account.owner != LOADER_ID
        || tag(&account.data) != Some(TAG_BUFFER)
        || account.data.len() < offset
    {
        return Err(format!("is not a loader buffer (owner {})", account.owner));
    }
    let authority = optional_key(&account.data, 4).ok_or("has a corrupt header")?;
    Ok(Buffer {
        authority,
        lamports: account.lamports,
        data: account.data[offset..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_programdata_and_buffers() {
        let authority = Pubkey::new_unique();
        let mut data = TAG_PROGRAM_DATA.to_le_bytes().to_vec();
        data.extend_from_slice(&7u64.to_le_bytes());
        data.push(1);
        data.extend_from_slice(authority.as_ref());
        data.extend_from_slice(b"elf\0\0");
        let account = Account {
            lamports: 10,
            data,
            owner: LOADER_ID,
            executable: false,
            rent_epoch: 0,
        };
        let parsed = parse_programdata(account).unwrap();
        assert_eq!(parsed.upgrade_authority, Some(authority));
        assert_eq!(parsed.slot, 7);
        assert_eq!(parsed.capacity, 5);
        assert!(parsed.holds(b"elf"));
        assert!(!parsed.holds(b"el"));
        assert!(!parsed.holds(b"elf\0\0\0"));

        let mut data = TAG_BUFFER.to_le_bytes().to_vec();
        data.push(0);
        data.resize(37, 0);
        data.extend_from_slice(b"abc");
        let account = Account {
            lamports: 3,
            data,
            owner: LOADER_ID,
            executable: false,
            rent_epoch: 0,
        };
        let parsed = parse_buffer(account).unwrap();
        assert_eq!(
            (parsed.authority, parsed.data.as_slice()),
            (None, &b"abc"[..])
        );
    }
}
