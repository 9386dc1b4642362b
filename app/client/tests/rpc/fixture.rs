//! One `solana-test-validator` for this test binary (with the five SBF
//! programs preloaded), and funded clusters on it.

use std::path::PathBuf;

use depin_client::rpc::{RpcCluster, RpcConfig};
use depin_client::{Keypair, Signer};
use depin_localnet::{sbf_dir, validator_for_tests, SbfProgram, Validator};

pub const SOL: u64 = 1_000_000_000;

/// The five programs (their ids are the program crates' own, so the `.so`
/// files must be built from the same sources).
pub fn programs() -> Vec<SbfProgram> {
    depin_client::PROGRAMS
        .iter()
        .map(|(name, id)| SbfProgram::of(name, id))
        .collect()
}

/// A validator for one test with the five programs, or `None` (skipped with
/// a note) where it cannot run; `DEPIN_REQUIRE_VALIDATOR=1` fails instead.
pub async fn validator() -> Option<Validator> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    validator_for_tests("RPC integration tests", &programs(), &sbf_dir(&repo)).await
}

/// A cluster at `url` paying with a new keypair that the faucet funded with
/// `sol` SOL (funded directly, not through any proxy in `url`).
pub async fn funded(validator: &Validator, url: &str, config: RpcConfig, sol: u64) -> RpcCluster {
    let payer = Keypair::new();
    let direct = RpcCluster::new(&validator.rpc_url(), Keypair::new()).unwrap();
    direct
        .airdrop(&payer.pubkey(), sol * SOL)
        .await
        .unwrap_or_else(|e| panic!("airdrop: {e}"));
    RpcCluster::with_config(url, payer, config).unwrap()
}

/// A cluster talking to the validator directly, its payer holding 10 SOL.
pub async fn cluster(validator: &Validator) -> RpcCluster {
    let url = validator.rpc_url();
    funded(validator, &url, RpcConfig::for_url(&url), 10).await
}
