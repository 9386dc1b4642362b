//! One `solana-test-validator` for this test binary (with the five SBF
//! programs preloaded), and funded clusters on it.

use std::path::PathBuf;
use std::time::Duration;

use depin_client::rpc::{RpcCluster, RpcConfig};
use depin_client::{Keypair, Pubkey, Signer};
use depin_localnet::{Validator, ValidatorOptions};

pub const SOL: u64 = 1_000_000_000;

/// The programs and their ids (the ids are the program crates' own, so the
/// `.so` files must be built from the same sources).
fn programs() -> [(&'static str, Pubkey); 5] {
    [
        ("depin_registry", depin_client::depin_registry::ID),
        ("depin_rewards", depin_client::depin_rewards::ID),
        ("depin_staking", depin_client::depin_staking::ID),
        ("depin_revenue", depin_client::depin_revenue::ID),
        ("depin_fractional", depin_client::depin_fractional::ID),
    ]
}

fn sbf_dir() -> PathBuf {
    std::env::var_os("SBF_OUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/deploy"))
}

/// Why these tests cannot run here, if they cannot: no validator binary, or
/// no SBF build matching the program ids. Set `DEPIN_REQUIRE_VALIDATOR=1`
/// (CI does) to fail instead of skipping.
fn missing_prerequisite() -> Option<String> {
    if std::env::var_os("DEPIN_SKIP_VALIDATOR_TESTS").is_some() {
        return Some("DEPIN_SKIP_VALIDATOR_TESTS is set (scripts/test.sh runs them later)".into());
    }
    if let Err(e) = depin_localnet::validator_binary() {
        return Some(e.to_string());
    }
    for (name, id) in programs() {
        let so = sbf_dir().join(format!("{name}.so"));
        let Ok(elf) = std::fs::read(&so) else {
            return Some(format!(
                "{} is missing: run scripts/build-sbf",
                so.display()
            ));
        };
        if !elf.windows(32).any(|w| w == id.as_ref()) {
            return Some(format!(
                "{} was built for another program id than {id}: run scripts/build-sbf",
                so.display()
            ));
        }
    }
    None
}

/// A validator for one test, or `None` (with a note on stderr) when the
/// tests must be skipped. One per test, not one per binary: the harness
/// kills a validator when the thread that started it exits
/// (`PR_SET_PDEATHSIG` follows the thread), and each test has its own.
pub async fn validator() -> Option<Validator> {
    if let Some(reason) = missing_prerequisite() {
        assert!(
            std::env::var_os("DEPIN_REQUIRE_VALIDATOR").is_none(),
            "RPC integration tests cannot run: {reason}"
        );
        eprintln!("SKIPPED (RPC integration tests): {reason}");
        return None;
    }
    let options = ValidatorOptions {
        programs: programs()
            .iter()
            .map(|(name, id)| (id.to_string(), sbf_dir().join(format!("{name}.so"))))
            .collect(),
        startup_timeout: Some(Duration::from_secs(120)),
    };
    let started = std::time::Instant::now();
    let validator = Validator::start_with(options)
        .await
        .unwrap_or_else(|e| panic!("starting the validator: {e}"));
    eprintln!("validator healthy after {:?}", started.elapsed());
    Some(validator)
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
