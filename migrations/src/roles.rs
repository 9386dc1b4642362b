//! A network's first roles: each member gets the permissions it lacks.

use depin_client::registry;
use depin_client::{ClientError, Cluster, Keypair, Pubkey, Signer};

use crate::Outcome;

/// What granting one member its roles did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleStep {
    pub member: Pubkey,
    /// The permission bits asked for.
    pub permissions: u16,
    /// The bits this run granted (those the member lacked).
    pub granted: u16,
    pub outcome: Outcome,
}

/// Grants `member` whichever of `permissions` it does not hold yet;
/// `admin` must hold the admin permission in `network`.
pub async fn ensure_role(
    cluster: &impl Cluster,
    admin: &Keypair,
    network: &Pubkey,
    member: &Pubkey,
    permissions: u16,
) -> Result<RoleStep, ClientError> {
    let held = registry::member(cluster, network, member)
        .await?
        .map(|m| m.permissions)
        .unwrap_or(0);
    let missing = permissions & !held;
    if missing == 0 {
        return Ok(RoleStep {
            member: *member,
            permissions,
            granted: 0,
            outcome: Outcome::AlreadyPresent,
        });
    }
    let ix = registry::grant_role(
        &cluster.payer().pubkey(),
        &admin.pubkey(),
        network,
        member,
        missing,
    );
    cluster.send(&[ix], &[admin]).await?;
    Ok(RoleStep {
        member: *member,
        permissions,
        granted: missing,
        outcome: Outcome::Created,
    })
}
