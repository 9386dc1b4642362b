//! Post-deploy bootstrap, in Rust (no deploy.ts). Every step checks the chain
//! first and does nothing if its work is already there, so the whole
//! sequence can be re-run after a partial failure or on every deploy
//! ([`bootstrap`] runs them all: platform, reward mint, network, roles).

mod bootstrap;
mod mint;
mod roles;

pub use bootstrap::{bootstrap, BootstrapError, BootstrapReport, BootstrapSpec, RewardMint, Step};
pub use mint::{ensure_reward_mint, reward_mint_address};
pub use roles::{ensure_role, RoleStep};

use depin_client::registry::{self, CreateNetworkArgs};
use depin_client::{ClientError, Cluster, Keypair, Pubkey, Signer};
use depin_registry::pda;
use depin_registry::state::Network;

/// What a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    AlreadyPresent,
}

impl Outcome {
    /// `created` or `already-present` (stable, for JSON output).
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::AlreadyPresent => "already-present",
        }
    }
}

/// Creates the platform account (network id counter) if it is missing.
pub async fn ensure_platform(cluster: &impl Cluster) -> Result<Outcome, ClientError> {
    if registry::platform(cluster).await?.is_some() {
        return Ok(Outcome::AlreadyPresent);
    }
    let ix = registry::initialize_platform(&cluster.payer().pubkey());
    cluster.send(&[ix], &[]).await?;
    Ok(Outcome::Created)
}

/// The network a deployment should have.
#[derive(Debug, Clone)]
pub struct NetworkSpec {
    pub name: String,
    pub reward_mint: Pubkey,
    pub epoch_length_secs: u32,
    pub min_operator_bond: u64,
}

/// `creator`'s network named `name`, if there is one. Networks are few, so
/// a scan of ids is fine.
pub async fn find_network(
    cluster: &impl Cluster,
    creator: &Pubkey,
    name: &str,
) -> Result<Option<(Pubkey, Network)>, ClientError> {
    let count = registry::next_network_id(cluster).await?;
    for id in 0..count {
        let address = pda::network(id).0;
        let network = registry::network(cluster, &address).await?;
        if network.creator == *creator && network.name() == name {
            return Ok(Some((address, network)));
        }
    }
    Ok(None)
}

/// Finds `creator`'s network named `spec.name`, or creates it (and the
/// platform, if needed).
pub async fn ensure_network(
    cluster: &impl Cluster,
    creator: &Keypair,
    spec: &NetworkSpec,
) -> Result<(Pubkey, Outcome), ClientError> {
    ensure_platform(cluster).await?;
    if let Some((address, _)) = find_network(cluster, &creator.pubkey(), &spec.name).await? {
        return Ok((address, Outcome::AlreadyPresent));
    }
    let count = registry::next_network_id(cluster).await?;
    let args = CreateNetworkArgs {
        name: spec.name.clone(),
        epoch_length_secs: spec.epoch_length_secs,
        min_operator_bond: spec.min_operator_bond,
    };
    let payer = cluster.payer().pubkey();
    let ix = registry::create_network(&payer, &creator.pubkey(), count, &spec.reward_mint, args);
    cluster.send(&[ix], &[creator]).await?;
    Ok((pda::network(count).0, Outcome::Created))
}

#[cfg(test)]
mod tests {
    use super::*;
    use depin_client::local::LocalCluster;
    use depin_client::token;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bootstrap_is_idempotent() {
        let cluster = LocalCluster::start().await;
        let creator = Keypair::new();
        cluster
            .airdrop(&creator.pubkey(), 1_000_000_000)
            .await
            .unwrap();
        let reward_mint = token::create_mint(&cluster, &creator.pubkey(), 6)
            .await
            .unwrap();
        let spec = NetworkSpec {
            name: "berlin".into(),
            reward_mint,
            epoch_length_secs: 3_600,
            min_operator_bond: 0,
        };

        assert_eq!(ensure_platform(&cluster).await.unwrap(), Outcome::Created);
        assert_eq!(
            ensure_platform(&cluster).await.unwrap(),
            Outcome::AlreadyPresent
        );
        let (first, outcome) = ensure_network(&cluster, &creator, &spec).await.unwrap();
        assert_eq!(outcome, Outcome::Created);
        let (again, outcome) = ensure_network(&cluster, &creator, &spec).await.unwrap();
        assert_eq!((again, outcome), (first, Outcome::AlreadyPresent));

        // Same name, other creator: a different network.
        let other = Keypair::new();
        cluster
            .airdrop(&other.pubkey(), 1_000_000_000)
            .await
            .unwrap();
        let (second, outcome) = ensure_network(&cluster, &other, &spec).await.unwrap();
        assert_eq!(outcome, Outcome::Created);
        assert_ne!(second, first);
        assert_eq!(registry::next_network_id(&cluster).await.unwrap(), 2);
        let stored = registry::network(&cluster, &first).await.unwrap();
        assert_eq!(
            (stored.name(), stored.epoch_length_secs),
            ("berlin".to_string(), 3_600)
        );
    }
}
