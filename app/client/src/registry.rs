//! Registry instruction builders and readers, made from the program crate's
//! own `accounts::` and `instruction::` modules.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use depin_registry::state::{
    AttestationKind, Device, DeviceKind, Maker, Member, Network, Platform,
};
use depin_registry::{accounts as accs, attestation, instruction as ixs, pda};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub use depin_registry::instructions::{
    ApproveMakerArgs, CreateNetworkArgs, UpdateDeviceArgs, UpdateNetworkArgs,
};
pub use depin_registry::state::permission;

use anchor_lang::AccountDeserialize;
use anchor_spl::token_interface::{Mint as InterfaceMint, TokenAccount as InterfaceTokenAccount};

use crate::cluster::{fetch, fetch_all, fetch_optional, AccountFilter, Cluster};
use crate::error::ClientError;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::solana_program::system_program::ID;

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: depin_registry::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

fn member_of(network: &Pubkey, authority: &Pubkey) -> Pubkey {
    pda::member(network, authority).0
}

pub fn initialize_platform(payer: &Pubkey) -> Instruction {
    build(
        accs::InitializePlatform {
            payer: *payer,
            platform: pda::platform().0,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::InitializePlatform {},
    )
}

/// `network_id` must be the platform's current `network_count` (read it with
/// [`next_network_id`]).
pub fn create_network(
    payer: &Pubkey,
    creator: &Pubkey,
    network_id: u32,
    reward_mint: &Pubkey,
    args: CreateNetworkArgs,
) -> Instruction {
    let network = pda::network(network_id).0;
    build(
        accs::CreateNetwork {
            payer: *payer,
            creator: *creator,
            platform: pda::platform().0,
            network,
            creator_member: member_of(&network, creator),
            reward_mint: *reward_mint,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::CreateNetwork { args },
    )
}

pub fn update_network(
    authority: &Pubkey,
    network: &Pubkey,
    args: UpdateNetworkArgs,
) -> Instruction {
    build(
        accs::UpdateNetwork {
            authority: *authority,
            member: member_of(network, authority),
            network: *network,
        },
        ixs::UpdateNetwork { args },
    )
}

pub fn set_network_paused(authority: &Pubkey, network: &Pubkey, paused: bool) -> Instruction {
    build(
        accs::SetNetworkPaused {
            authority: *authority,
            member: member_of(network, authority),
            network: *network,
        },
        ixs::SetNetworkPaused { paused },
    )
}

/// `fee = Some((mint, treasury_token_account))`; `amount = 0` turns fees off.
pub fn set_onboarding_fee(
    authority: &Pubkey,
    network: &Pubkey,
    fee: Option<(Pubkey, Pubkey)>,
    amount: u64,
) -> Instruction {
    build(
        accs::SetOnboardingFee {
            authority: *authority,
            member: member_of(network, authority),
            network: *network,
            fee_mint: fee.map(|f| f.0),
            fee_treasury: fee.map(|f| f.1),
        },
        ixs::SetOnboardingFee { amount },
    )
}

pub fn grant_role(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    member: &Pubkey,
    permissions: u16,
) -> Instruction {
    build(
        accs::GrantRole {
            payer: *payer,
            authority: *authority,
            admin: member_of(network, authority),
            network: *network,
            member: member_of(network, member),
            system_program: SYSTEM_PROGRAM,
        },
        ixs::GrantRole {
            args: depin_registry::instructions::GrantRoleArgs {
                member: *member,
                permissions,
            },
        },
    )
}

pub fn revoke_role(
    authority: &Pubkey,
    network: &Pubkey,
    member: &Pubkey,
    permissions: u16,
    rent_receiver: &Pubkey,
) -> Instruction {
    build(
        accs::RevokeRole {
            authority: *authority,
            admin: member_of(network, authority),
            network: *network,
            member: member_of(network, member),
            rent_receiver: *rent_receiver,
        },
        ixs::RevokeRole { permissions },
    )
}

pub fn approve_maker(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    args: ApproveMakerArgs,
) -> Instruction {
    build(
        accs::ApproveMaker {
            payer: *payer,
            authority: *authority,
            member: member_of(network, authority),
            network: *network,
            maker: pda::maker(network, &args.maker_authority).0,
            system_program: SYSTEM_PROGRAM,
        },
        ixs::ApproveMaker { args },
    )
}

pub fn set_maker_quota(
    authority: &Pubkey,
    network: &Pubkey,
    maker_authority: &Pubkey,
    quota: u32,
) -> Instruction {
    build(
        accs::SetMakerQuota {
            authority: *authority,
            member: member_of(network, authority),
            network: *network,
            maker: pda::maker(network, maker_authority).0,
        },
        ixs::SetMakerQuota { quota },
    )
}

pub fn revoke_maker(authority: &Pubkey, network: &Pubkey, maker_authority: &Pubkey) -> Instruction {
    build(
        accs::RevokeMaker {
            authority: *authority,
            member: member_of(network, authority),
            network: *network,
            maker: pda::maker(network, maker_authority).0,
        },
        ixs::RevokeMaker {},
    )
}

/// Accounts paying a network's onboarding fee.
#[derive(Debug, Clone, Copy)]
pub struct FeePayment {
    pub mint: Pubkey,
    /// The payer's token account of `mint`.
    pub source: Pubkey,
    /// Must equal the network's `fee_treasury`.
    pub treasury: Pubkey,
    pub token_program: Pubkey,
}

#[derive(Debug, Clone)]
pub struct NewDevice {
    pub device_key: Pubkey,
    pub owner: Pubkey,
    pub kind: DeviceKind,
    pub location: u64,
    pub capacity: u32,
}

/// Signers: `payer`, the device key and the maker authority.
pub fn register_device(
    payer: &Pubkey,
    network: &Pubkey,
    maker_authority: &Pubkey,
    device: &NewDevice,
    fee: Option<FeePayment>,
) -> Instruction {
    build(
        accs::RegisterDevice {
            payer: *payer,
            device_signer: device.device_key,
            maker_authority: *maker_authority,
            network: *network,
            maker: pda::maker(network, maker_authority).0,
            device: pda::device(network, &device.device_key).0,
            fee_mint: fee.map(|f| f.mint),
            fee_source: fee.map(|f| f.source),
            fee_treasury: fee.map(|f| f.treasury),
            token_program: fee.map(|f| f.token_program),
            system_program: SYSTEM_PROGRAM,
        },
        ixs::RegisterDevice {
            args: depin_registry::instructions::RegisterDeviceArgs {
                owner: device.owner,
                kind: device.kind,
                location: device.location,
                capacity: device.capacity,
            },
        },
    )
}

pub fn update_device(
    signer: &Pubkey,
    network: &Pubkey,
    device_key: &Pubkey,
    args: UpdateDeviceArgs,
) -> Instruction {
    build(
        accs::UpdateDevice {
            signer: *signer,
            network: *network,
            device: pda::device(network, device_key).0,
        },
        ixs::UpdateDevice { args },
    )
}

pub fn transfer_device(
    owner: &Pubkey,
    network: &Pubkey,
    device_key: &Pubkey,
    new_owner: &Pubkey,
) -> Instruction {
    build(
        accs::TransferDevice {
            owner: *owner,
            network: *network,
            device: pda::device(network, device_key).0,
        },
        ixs::TransferDevice {
            new_owner: *new_owner,
        },
    )
}

/// `operator = Pubkey::default()` clears the operator.
pub fn set_device_operator(
    owner: &Pubkey,
    network: &Pubkey,
    device_key: &Pubkey,
    operator: &Pubkey,
) -> Instruction {
    build(
        accs::SetDeviceOperator {
            owner: *owner,
            network: *network,
            device: pda::device(network, device_key).0,
        },
        ixs::SetDeviceOperator {
            operator: *operator,
        },
    )
}

pub fn suspend_device(
    authority: &Pubkey,
    network: &Pubkey,
    device_key: &Pubkey,
    reason: u16,
) -> Instruction {
    build(
        accs::SuspendDevice {
            authority: *authority,
            member: member_of(network, authority),
            network: *network,
            device: pda::device(network, device_key).0,
        },
        ixs::SuspendDevice { reason },
    )
}

pub fn resume_device(authority: &Pubkey, network: &Pubkey, device_key: &Pubkey) -> Instruction {
    build(
        accs::ResumeDevice {
            authority: *authority,
            member: member_of(network, authority),
            network: *network,
            device: pda::device(network, device_key).0,
        },
        ixs::ResumeDevice {},
    )
}

pub fn retire_device(owner: &Pubkey, network: &Pubkey, device_key: &Pubkey) -> Instruction {
    build(
        accs::RetireDevice {
            owner: *owner,
            network: *network,
            device: pda::device(network, device_key).0,
        },
        ixs::RetireDevice {},
    )
}

pub fn close_device(owner: &Pubkey, network: &Pubkey, device_key: &Pubkey) -> Instruction {
    build(
        accs::CloseDevice {
            owner: *owner,
            network: *network,
            device: pda::device(network, device_key).0,
        },
        ixs::CloseDevice {},
    )
}

/// The device registration an attestation is for. Read it with
/// [`attestation_target`]: a closed and re-registered device is a new target,
/// and nothing signed for the old one verifies for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttestationTarget {
    pub network: Pubkey,
    pub device_key: Pubkey,
    pub registration: u32,
}

/// A signed attestation: the Ed25519 precompile instruction carrying the
/// device's signature, then the registry instruction that checks it. Send
/// both, in this order, in one transaction; no extra signer is needed.
#[derive(Debug, Clone)]
pub struct Attestation {
    pub nonce: u32,
    pub kind: AttestationKind,
    pub payload: [u8; 32],
}

impl Attestation {
    pub fn location(nonce: u32, h3_cell: u64) -> Self {
        Attestation {
            nonce,
            kind: AttestationKind::Location,
            payload: depin_registry::state::location_payload(h3_cell),
        }
    }

    pub fn work_report(nonce: u32, report_hash: [u8; 32]) -> Self {
        Attestation {
            nonce,
            kind: AttestationKind::WorkReport,
            payload: report_hash,
        }
    }

    /// The exact bytes the device signs.
    pub fn message(&self, target: &AttestationTarget) -> Vec<u8> {
        let device = pda::device(&target.network, &target.device_key).0;
        attestation::message(
            &device,
            target.registration,
            self.nonce,
            self.kind,
            &self.payload,
        )
        .to_vec()
    }

    /// Signs with the device's keypair (on real hardware the secure element
    /// signs `message()` and [`Self::instructions_with_signature`] is used).
    pub fn sign(&self, target: &AttestationTarget, device: &Keypair) -> [Instruction; 2] {
        let signature = device.sign_message(&self.message(target));
        self.instructions_with_signature(target, signature.as_array())
    }

    pub fn instructions_with_signature(
        &self,
        target: &AttestationTarget,
        signature: &[u8; 64],
    ) -> [Instruction; 2] {
        let (network, device_key) = (&target.network, &target.device_key);
        let message = self.message(target);
        let verify = Instruction {
            program_id: attestation::ED25519_PROGRAM_ID,
            accounts: vec![],
            data: attestation::ed25519_instruction_data(
                &device_key.to_bytes(),
                signature,
                &message,
            ),
        };
        let attest = build(
            accs::AttestDevice {
                network: *network,
                device: pda::device(network, device_key).0,
                instructions_sysvar: attestation::INSTRUCTIONS_SYSVAR_ID,
            },
            ixs::AttestDevice {
                args: depin_registry::instructions::AttestDeviceArgs {
                    nonce: self.nonce,
                    kind: self.kind,
                    payload: self.payload,
                },
            },
        );
        [verify, attest]
    }
}

// ---- readers ----

pub async fn platform(cluster: &impl Cluster) -> Result<Option<Platform>, ClientError> {
    fetch_optional(cluster, &pda::platform().0).await
}

/// The id the next `create_network` will get.
pub async fn next_network_id(cluster: &impl Cluster) -> Result<u32, ClientError> {
    Ok(platform(cluster)
        .await?
        .map(|p| p.network_count)
        .unwrap_or(0))
}

pub async fn network(cluster: &impl Cluster, network: &Pubkey) -> Result<Network, ClientError> {
    fetch(cluster, network).await
}

pub async fn member(
    cluster: &impl Cluster,
    network: &Pubkey,
    authority: &Pubkey,
) -> Result<Option<Member>, ClientError> {
    fetch_optional(cluster, &member_of(network, authority)).await
}

pub async fn maker(
    cluster: &impl Cluster,
    network: &Pubkey,
    maker_authority: &Pubkey,
) -> Result<Maker, ClientError> {
    fetch(cluster, &pda::maker(network, maker_authority).0).await
}

pub async fn device(
    cluster: &impl Cluster,
    network: &Pubkey,
    device_key: &Pubkey,
) -> Result<Device, ClientError> {
    fetch(cluster, &pda::device(network, device_key).0).await
}

pub async fn attestation_target(
    cluster: &impl Cluster,
    network: &Pubkey,
    device_key: &Pubkey,
) -> Result<AttestationTarget, ClientError> {
    let stored = device(cluster, network, device_key).await?;
    Ok(AttestationTarget {
        network: *network,
        device_key: *device_key,
        registration: stored.registration,
    })
}

/// Human names of the permission bits in `bits`, e.g. `["admin", "oracle"]`.
pub fn permission_names(bits: u16) -> Vec<&'static str> {
    permission::NAMES
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| *name)
        .collect()
}

// ---- listers (getProgramAccounts) ----

/// Byte offsets of [`Device`] fields in a device account's data: Anchor's
/// 8-byte discriminator, then the fields in declaration (Borsh) order. For
/// `getProgramAccounts` memcmp filters; a unit test pins them against a
/// serialized `Device`.
pub mod device_layout {
    /// `device_key: Pubkey`.
    pub const DEVICE_KEY: usize = 8;
    /// `owner: Pubkey`.
    pub const OWNER: usize = DEVICE_KEY + 32;
    /// `operator: Pubkey`.
    pub const OPERATOR: usize = OWNER + 32;
    /// `network_id: u32` (little endian).
    pub const NETWORK_ID: usize = OPERATOR + 32;
    /// `maker_id: u32` (little endian).
    pub const MAKER_ID: usize = NETWORK_ID + 4;
}

/// Byte offsets of [`Maker`] fields in a maker account's data (after the
/// discriminator, in Borsh order); pinned by a unit test like
/// [`device_layout`].
pub mod maker_layout {
    /// `network: Pubkey`.
    pub const NETWORK: usize = 8;
    /// `authority: Pubkey`.
    pub const AUTHORITY: usize = NETWORK + 32;
    /// `maker_id: u32` (little endian).
    pub const MAKER_ID: usize = AUTHORITY + 32;
}

/// The devices of network `network_id`, optionally only those of `owner`
/// and/or of maker `maker_id` (one `getProgramAccounts` with memcmp filters;
/// the in-process cluster cannot scan). Unordered.
pub async fn devices(
    cluster: &impl Cluster,
    network_id: u32,
    owner: Option<&Pubkey>,
    maker_id: Option<u32>,
) -> Result<Vec<(Pubkey, Device)>, ClientError> {
    let mut filters = vec![AccountFilter::Memcmp {
        offset: device_layout::NETWORK_ID,
        bytes: network_id.to_le_bytes().to_vec(),
    }];
    if let Some(owner) = owner {
        filters.push(AccountFilter::Memcmp {
            offset: device_layout::OWNER,
            bytes: owner.to_bytes().to_vec(),
        });
    }
    if let Some(maker_id) = maker_id {
        filters.push(AccountFilter::Memcmp {
            offset: device_layout::MAKER_ID,
            bytes: maker_id.to_le_bytes().to_vec(),
        });
    }
    fetch_all::<Device>(cluster, &depin_registry::ID, &filters).await
}

/// The makers of `network` (approved and revoked), unordered.
pub async fn makers(
    cluster: &impl Cluster,
    network: &Pubkey,
) -> Result<Vec<(Pubkey, Maker)>, ClientError> {
    let filter = AccountFilter::Memcmp {
        offset: maker_layout::NETWORK,
        bytes: network.to_bytes().to_vec(),
    };
    fetch_all::<Maker>(cluster, &depin_registry::ID, &[filter]).await
}

// ---- onboarding fee ----

/// A network's onboarding fee as one payer would pay it.
#[derive(Debug, Clone, Copy)]
pub struct OnboardingFee {
    /// Base units of the fee mint per registration.
    pub amount: u64,
    pub decimals: u8,
    /// What [`register_device`] needs; `source` is the payer's account.
    pub payment: FeePayment,
    /// What `source` holds now.
    pub source_balance: u64,
}

/// The fee `network` charges for a registration paid by `payer` (the
/// program takes it from a token account the payer owns), or `None` when it
/// charges none. The payer's account is `source` when given, else its
/// associated token account of the fee mint, else any token account of that
/// mint it owns; an error names the mint when it has none.
pub async fn onboarding_fee(
    cluster: &impl Cluster,
    network: &Network,
    payer: &Pubkey,
    source: Option<Pubkey>,
) -> Result<Option<OnboardingFee>, ClientError> {
    if !network.charges_fee() {
        return Ok(None);
    }
    let mint = network.fee_mint;
    let mint_account = cluster
        .get_account(&mint)
        .await?
        .ok_or(ClientError::AccountNotFound(mint))?;
    let token_program = mint_account.owner;
    let decimals = InterfaceMint::try_deserialize(&mut mint_account.data.as_slice())
        .map_err(|e| ClientError::Decode {
            address: mint,
            expected: "Mint",
            reason: e.to_string(),
        })?
        .decimals;
    let read = |address: Pubkey, data: &[u8]| {
        InterfaceTokenAccount::try_deserialize(&mut &data[..]).map_err(|e| ClientError::Decode {
            address,
            expected: "TokenAccount",
            reason: e.to_string(),
        })
    };
    let (source, account) = match source {
        Some(source) => {
            let account = cluster
                .get_account(&source)
                .await?
                .ok_or(ClientError::AccountNotFound(source))?;
            (source, read(source, &account.data)?)
        }
        None => {
            let ata = crate::token::associated_address_for(payer, &mint, &token_program);
            match cluster.get_account(&ata).await? {
                Some(account) => (ata, read(ata, &account.data)?),
                None => {
                    let mut filters = vec![
                        AccountFilter::Memcmp {
                            offset: 0,
                            bytes: mint.to_bytes().to_vec(),
                        },
                        AccountFilter::Memcmp {
                            offset: 32,
                            bytes: payer.to_bytes().to_vec(),
                        },
                    ];
                    if token_program == anchor_spl::token::ID {
                        filters.push(AccountFilter::DataSize(165));
                    }
                    let found = cluster
                        .get_program_accounts(&token_program, &filters)
                        .await?;
                    let (address, account) = found.into_iter().next().ok_or_else(|| {
                        ClientError::Cluster(format!(
                            "{payer} owns no token account of the onboarding fee's mint {mint}"
                        ))
                    })?;
                    let decoded = read(address, &account.data)?;
                    (address, decoded)
                }
            }
        }
    };
    if account.mint != mint || account.owner != *payer {
        return Err(ClientError::Cluster(format!(
            "token account {source} (mint {}, owner {}) cannot pay the onboarding fee: it must be \
             of mint {mint} and owned by the payer {payer}",
            account.mint, account.owner
        )));
    }
    Ok(Some(OnboardingFee {
        amount: network.onboarding_fee,
        decimals,
        payment: FeePayment {
            mint,
            source,
            treasury: network.fee_treasury,
            token_program,
        },
        source_balance: account.amount,
    }))
}

#[cfg(test)]
mod layout_tests {
    use super::*;
    use anchor_lang::AccountSerialize;
    use depin_registry::state::DeviceStatus;

    #[test]
    fn device_filter_offsets_match_the_serialized_account() {
        let (key, owner, operator) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let device = Device {
            device_key: key,
            owner,
            operator,
            network_id: 0x0102_0304,
            maker_id: 0x0a0b_0c0d,
            location: 7,
            capacity: 8,
            registered_at: 9,
            registration: 10,
            attestation_nonce: 11,
            kind: DeviceKind::Battery,
            status: DeviceStatus::Active,
            bump: 255,
        };
        let mut data = vec![];
        device.try_serialize(&mut data).unwrap();
        assert_eq!(data.len(), Device::SIZE);
        let at = |offset: usize, len: usize| &data[offset..offset + len];
        assert_eq!(at(device_layout::DEVICE_KEY, 32), key.as_ref());
        assert_eq!(at(device_layout::OWNER, 32), owner.as_ref());
        assert_eq!(at(device_layout::OPERATOR, 32), operator.as_ref());
        assert_eq!(
            at(device_layout::NETWORK_ID, 4),
            0x0102_0304u32.to_le_bytes()
        );
        assert_eq!(at(device_layout::MAKER_ID, 4), 0x0a0b_0c0du32.to_le_bytes());
        assert_eq!(
            (
                device_layout::OWNER,
                device_layout::NETWORK_ID,
                device_layout::MAKER_ID
            ),
            (40, 104, 108)
        );
    }

    #[test]
    fn maker_filter_offsets_match_the_serialized_account() {
        let (network, authority) = (Pubkey::new_unique(), Pubkey::new_unique());
        let maker = Maker {
            network,
            authority,
            maker_id: 0x0102_0304,
            quota: 5,
            devices_onboarded: 1,
            active: true,
            bump: 255,
            name: [0; 32],
        };
        let mut data = vec![];
        maker.try_serialize(&mut data).unwrap();
        let at = |offset: usize, len: usize| &data[offset..offset + len];
        assert_eq!(at(maker_layout::NETWORK, 32), network.as_ref());
        assert_eq!(at(maker_layout::AUTHORITY, 32), authority.as_ref());
        assert_eq!(at(maker_layout::MAKER_ID, 4), 0x0102_0304u32.to_le_bytes());
    }
}
