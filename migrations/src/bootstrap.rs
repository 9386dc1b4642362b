//! The whole bootstrap of a fresh deployment (what `depin init` runs):
//! platform, reward mint, network, first roles. Each step looks before it
//! acts, so a rerun after a partial failure does only what is missing.

use depin_client::registry::{self, CreateNetworkArgs};
use depin_client::{ClientError, Cluster, Keypair, Pubkey, Signer};
use depin_registry::pda;

use crate::{ensure_platform, ensure_reward_mint, ensure_role, find_network, Outcome, RoleStep};

/// Where the network's reward token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewardMint {
    /// A mint that exists already.
    Existing(Pubkey),
    /// A new mint (mint authority: the network's creator).
    Create { decimals: u8 },
}

#[derive(Debug, Clone)]
pub struct BootstrapSpec {
    pub network_name: String,
    pub epoch_length_secs: u32,
    pub min_operator_bond: u64,
    pub reward_mint: RewardMint,
    /// Members and the permission bits each should hold.
    pub grants: Vec<(Pubkey, u16)>,
}

/// One account a step made or found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub address: Pubkey,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
pub struct BootstrapReport {
    pub platform: Step,
    pub reward_mint: Step,
    pub network: Step,
    pub network_id: u32,
    pub roles: Vec<RoleStep>,
}

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(
        "network {name:?} of {creator} exists already with reward mint {has}, not {given}; \
         leave out --reward-mint, or choose another network name"
    )]
    RewardMintMismatch {
        name: String,
        creator: Pubkey,
        has: Pubkey,
        given: Pubkey,
    },
    #[error(transparent)]
    Client(#[from] ClientError),
}

/// Runs every step; `creator` creates the network and grants the roles.
pub async fn bootstrap(
    cluster: &impl Cluster,
    creator: &Keypair,
    spec: &BootstrapSpec,
) -> Result<BootstrapReport, BootstrapError> {
    let platform = Step {
        address: pda::platform().0,
        outcome: ensure_platform(cluster).await?,
    };
    let existing = find_network(cluster, &creator.pubkey(), &spec.network_name).await?;
    let (reward_mint, network, network_id) = match existing {
        Some((address, network)) => {
            if let RewardMint::Existing(given) = spec.reward_mint {
                if given != network.reward_mint {
                    return Err(BootstrapError::RewardMintMismatch {
                        name: spec.network_name.clone(),
                        creator: creator.pubkey(),
                        has: network.reward_mint,
                        given,
                    });
                }
            }
            let present = |address| Step {
                address,
                outcome: Outcome::AlreadyPresent,
            };
            (
                present(network.reward_mint),
                present(address),
                network.network_id,
            )
        }
        None => {
            let reward_mint = match spec.reward_mint {
                RewardMint::Existing(address) => Step {
                    address,
                    outcome: Outcome::AlreadyPresent,
                },
                RewardMint::Create { decimals } => {
                    let (address, outcome) =
                        ensure_reward_mint(cluster, creator, &spec.network_name, decimals).await?;
                    Step { address, outcome }
                }
            };
            let (network, id) =
                create_network(cluster, creator, spec, &reward_mint.address).await?;
            (
                reward_mint,
                Step {
                    address: network,
                    outcome: Outcome::Created,
                },
                id,
            )
        }
    };
    let mut roles = Vec::with_capacity(spec.grants.len());
    for (member, permissions) in &spec.grants {
        roles.push(ensure_role(cluster, creator, &network.address, member, *permissions).await?);
    }
    Ok(BootstrapReport {
        platform,
        reward_mint,
        network,
        network_id,
        roles,
    })
}

async fn create_network(
    cluster: &impl Cluster,
    creator: &Keypair,
    spec: &BootstrapSpec,
    reward_mint: &Pubkey,
) -> Result<(Pubkey, u32), ClientError> {
    let id = registry::next_network_id(cluster).await?;
    let args = CreateNetworkArgs {
        name: spec.network_name.clone(),
        epoch_length_secs: spec.epoch_length_secs,
        min_operator_bond: spec.min_operator_bond,
    };
    let ix = registry::create_network(
        &cluster.payer().pubkey(),
        &creator.pubkey(),
        id,
        reward_mint,
        args,
    );
    cluster.send(&[ix], &[creator]).await?;
    Ok((pda::network(id).0, id))
}
