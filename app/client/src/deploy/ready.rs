//! A program deployed or upgraded in slot S runs from slot S+1 on; until
//! the cluster's slot (at its commitment) passes S, a call, or its
//! simulation, fails with "Unsupported program id".

use std::time::Duration;

use anchor_lang::prelude::Pubkey;

use super::chain;
use crate::cluster::Cluster;
use crate::error::ClientError;

const POLL: Duration = Duration::from_millis(200);

/// Waits until `program`'s latest deploy is in the past at the cluster's
/// commitment, at most `timeout`; `Ok(false)` when it is still not, or
/// when there is no upgradeable program there. For real clusters: an
/// in-process bank only moves its slot when told to.
pub async fn wait_until_runnable(
    cluster: &impl Cluster,
    program: &Pubkey,
    timeout: Duration,
) -> Result<bool, ClientError> {
    let chain::ProgramAccount::Upgradeable(deployed) =
        chain::program_account(cluster, program).await?
    else {
        return Ok(false);
    };
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if chain::current_slot(cluster).await? > deployed.slot {
            return Ok(true);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(POLL).await;
    }
}
