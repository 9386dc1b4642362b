//! `depin balance` and `depin airdrop`: what a deployer needs before
//! `depin deploy` (the faucet answers on localnet, devnet and testnet).
//!
//! JSON shapes: balance `{"address", "lamports", "sol"}`; airdrop
//! `{"recipient", "lamports", "signature", "balance_lamports"}`.

use anyhow::{bail, Result};
use depin_client::rpc::RpcCluster;
use depin_client::{Cluster, Pubkey};
use serde_json::json;

use crate::output::{sol, OutputFormat};

/// "1.5" SOL as lamports, exactly (at most nine decimals).
pub fn parse_sol(text: &str) -> Result<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let valid = digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty());
    if !valid || fraction.len() > 9 {
        bail!("{text:?} is not an amount of SOL (e.g. 2 or 0.5, at most nine decimals)");
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse()? };
    let fraction: u64 = format!("{fraction:0<9}").parse()?;
    whole
        .checked_mul(1_000_000_000)
        .and_then(|l| l.checked_add(fraction))
        .ok_or_else(|| anyhow::anyhow!("{text} SOL is too much"))
}

pub async fn balance(cluster: &RpcCluster, address: &Pubkey, output: OutputFormat) -> Result<()> {
    let lamports = cluster.get_balance(address).await?;
    let json =
        json!({ "address": address.to_string(), "lamports": lamports, "sol": sol(lamports) });
    output.print(&json, || format!("{} SOL", sol(lamports)));
    Ok(())
}

pub async fn airdrop(
    cluster: &RpcCluster,
    recipient: &Pubkey,
    lamports: u64,
    output: OutputFormat,
) -> Result<()> {
    let signature = cluster.airdrop(recipient, lamports).await.map_err(|e| {
        anyhow::anyhow!(
            "{e}\nthe faucet of {} refused or failed; on devnet use https://faucet.solana.com \
             (its limits are per day), on a local validator ask for less",
            cluster.url()
        )
    })?;
    let balance = cluster.get_balance(recipient).await?;
    let json = json!({
        "recipient": recipient.to_string(),
        "lamports": lamports,
        "signature": signature.to_string(),
        "balance_lamports": balance,
    });
    output.print(&json, || {
        format!(
            "Signature {signature}\n{} SOL now at {recipient}",
            sol(balance)
        )
    });
    Ok(())
}

/// The latest blockhash: every offline signer of one transaction uses it
/// (it stays valid for about a minute).
pub async fn blockhash(cluster: &RpcCluster, output: OutputFormat) -> Result<()> {
    let (hash, last_valid_block_height) = cluster
        .rpc()
        .get_latest_blockhash_with_commitment(cluster.commitment())
        .await
        .map_err(|e| anyhow::anyhow!("getLatestBlockhash on {}: {e}", cluster.url()))?;
    let json = json!({ "blockhash": hash.to_string(), "last_valid_block_height": last_valid_block_height });
    output.print(&json, || hash.to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_sol;

    #[test]
    fn sol_amounts_are_exact() {
        assert_eq!(parse_sol("2").unwrap(), 2_000_000_000);
        assert_eq!(parse_sol("0.5").unwrap(), 500_000_000);
        assert_eq!(parse_sol(".000000001").unwrap(), 1);
        assert_eq!(parse_sol("1.25").unwrap(), 1_250_000_000);
        assert!(parse_sol("1.0000000001").is_err());
        assert!(parse_sol("abc").is_err());
        assert!(parse_sol("").is_err());
        assert!(parse_sol("-1").is_err());
        assert!(parse_sol("1.x").is_err());
        assert!(parse_sol(".").is_err());
    }
}
