//! The network's reward mint, at an address derived from its creator and the
//! network's name, so a rerun finds the mint an interrupted run made instead
//! of making a second one.

use anchor_spl::token::spl_token;
use depin_client::token::TOKEN_PROGRAM_ID;
use depin_client::{ClientError, Cluster, Keypair, Pubkey, Signer};
use solana_sha256_hasher::hash;

use crate::Outcome;

const MINT_LEN: usize = 82;

/// `create_with_seed` seeds are at most 32 bytes: a prefix and a hash of the
/// network's name (names may be 32 bytes themselves).
fn seed(network_name: &str) -> String {
    let digest = hash(network_name.as_bytes()).to_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("depin-reward-{}", &hex[..19])
}

/// Where [`ensure_reward_mint`] puts `creator`'s reward mint for `network_name`.
pub fn reward_mint_address(creator: &Pubkey, network_name: &str) -> Pubkey {
    Pubkey::create_with_seed(creator, &seed(network_name), &TOKEN_PROGRAM_ID)
        .expect("a 32-byte seed is valid")
}

/// Creates the reward mint (mint authority `creator`) unless it exists.
pub async fn ensure_reward_mint(
    cluster: &impl Cluster,
    creator: &Keypair,
    network_name: &str,
    decimals: u8,
) -> Result<(Pubkey, Outcome), ClientError> {
    let address = reward_mint_address(&creator.pubkey(), network_name);
    if let Some(account) = cluster.get_account(&address).await? {
        if account.owner != TOKEN_PROGRAM_ID || account.data.len() != MINT_LEN {
            return Err(ClientError::Cluster(format!(
                "{address} (the reward mint's address) holds something that is not a mint"
            )));
        }
        return Ok((address, Outcome::AlreadyPresent));
    }
    let lamports = cluster.minimum_balance(MINT_LEN).await?;
    let create = anchor_lang::solana_program::system_instruction::create_account_with_seed(
        &cluster.payer().pubkey(),
        &address,
        &creator.pubkey(),
        &seed(network_name),
        lamports,
        MINT_LEN as u64,
        &TOKEN_PROGRAM_ID,
    );
    let init = spl_token::instruction::initialize_mint2(
        &TOKEN_PROGRAM_ID,
        &address,
        &creator.pubkey(),
        None,
        decimals,
    )
    .map_err(|e| ClientError::Cluster(e.to_string()))?;
    cluster.send(&[create, init], &[creator]).await?;
    Ok((address, Outcome::Created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_fit_and_differ_by_name() {
        assert_eq!(seed("a").len(), 32);
        assert_eq!(seed(&"x".repeat(32)).len(), 32);
        let creator = Pubkey::new_unique();
        assert_ne!(
            reward_mint_address(&creator, "berlin"),
            reward_mint_address(&creator, "paris")
        );
        assert_ne!(
            reward_mint_address(&creator, "berlin"),
            reward_mint_address(&Pubkey::new_unique(), "berlin")
        );
    }
}
