//! A fresh `solana-test-validator` per test, a funded payer with its
//! keypair on disk, the `depin` binary run against it, and an `RpcCluster`
//! for the checks. Everything stops with the test (by pid, panic included).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use depin_client::rpc::RpcCluster;
use depin_client::{Keypair, Pubkey, Signer};
use depin_localnet::{Validator, ValidatorOptions};
use serde_json::Value;

pub const SOL: u64 = 1_000_000_000;

/// The repository root (keys/localnet, target/deploy).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The SBF builds `scripts/build-sbf` made.
pub fn deploy_dir() -> PathBuf {
    repo().join("target/deploy")
}

/// The six programs as (lib name, program id, .so path).
pub fn programs() -> Vec<(&'static str, Pubkey, PathBuf)> {
    [
        ("depin_registry", depin_client::depin_registry::ID),
        ("depin_rewards", depin_client::depin_rewards::ID),
        ("depin_staking", depin_client::depin_staking::ID),
        ("depin_revenue", depin_client::depin_revenue::ID),
        ("depin_fractional", depin_client::depin_fractional::ID),
        ("depin_payments", depin_client::depin_payments::ID),
    ]
    .into_iter()
    .map(|(name, id)| (name, id, deploy_dir().join(format!("{name}.so"))))
    .collect()
}

pub struct Localnet {
    pub validator: Validator,
    pub payer_file: PathBuf,
    /// Keeps the payer file and the CLI's empty config dir alive.
    dir: tempfile::TempDir,
}

impl Localnet {
    /// A validator with no depin program on it (they are deployed by the test).
    pub async fn empty() -> Localnet {
        Self::start(ValidatorOptions::default()).await
    }

    /// A validator with the five programs loaded at genesis.
    pub async fn with_programs() -> Localnet {
        let programs = programs()
            .into_iter()
            .map(|(_, id, so)| {
                assert!(
                    so.exists(),
                    "{} is missing: run scripts/build-sbf",
                    so.display()
                );
                (id.to_string(), so)
            })
            .collect();
        Self::start(ValidatorOptions {
            programs,
            ..ValidatorOptions::default()
        })
        .await
    }

    async fn start(options: ValidatorOptions) -> Localnet {
        let validator = Validator::start_with(options)
            .await
            .unwrap_or_else(|e| panic!("starting the validator: {e}"));
        let dir = tempfile::tempdir().unwrap();
        let payer = Keypair::new();
        let payer_file = dir.path().join("payer.json");
        std::fs::write(&payer_file, format!("{:?}", payer.to_bytes().to_vec())).unwrap();
        let localnet = Localnet {
            validator,
            payer_file,
            dir,
        };
        let cluster = localnet.cluster(payer);
        cluster
            .airdrop(&cluster_payer(&cluster), 500 * SOL)
            .await
            .expect("airdrop to the payer");
        localnet
    }

    pub fn url(&self) -> String {
        self.validator.rpc_url()
    }

    /// The payer's keypair (read back from its file).
    pub fn payer(&self) -> Keypair {
        let bytes: Vec<u8> =
            serde_json::from_str(&std::fs::read_to_string(&self.payer_file).unwrap()).unwrap();
        Keypair::try_from(bytes.as_slice()).unwrap()
    }

    /// An `RpcCluster` on this validator paying with `payer`.
    pub fn cluster(&self, payer: Keypair) -> RpcCluster {
        RpcCluster::new(&self.url(), payer).expect("RpcCluster")
    }

    /// The `depin` command against this validator, paid by the payer, JSON
    /// output, no user config.
    pub fn depin(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_depin"));
        // A home without a Solana CLI config: only the flags count.
        command
            .current_dir(repo())
            .env("HOME", self.dir.path())
            .args(["-u", &self.url()])
            .arg("-k")
            .arg(&self.payer_file)
            .args(["--output", "json"]);
        command
    }

    /// Runs `depin <args>`, asserts it succeeded, returns its JSON output.
    pub fn run(&self, args: &[&str]) -> Value {
        let output = self.depin().args(args).output().expect("running depin");
        parse(&output, args)
    }
}

fn cluster_payer(cluster: &RpcCluster) -> Pubkey {
    use depin_client::Cluster;
    cluster.payer().pubkey()
}

/// A base58 address in `depin`'s JSON output.
pub fn pubkey(value: &Value) -> Pubkey {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a pubkey: {value}"))
}

/// The base units of a token amount in `depin`'s JSON output
/// (`{"amount", "ui_amount", "decimals"}`).
pub fn amount(value: &Value) -> u64 {
    value["amount"]
        .as_u64()
        .unwrap_or_else(|| panic!("not an amount: {value}"))
}

/// Runs `depin args` on `net` expecting exit code `code` with nothing on
/// stdout (a failure prints only its error); returns stderr.
pub fn fails_with(net: &Localnet, args: &[&str], code: i32) -> String {
    let output = net.depin().args(args).output().expect("running depin");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "depin {args:?} should exit {code}:\nstderr: {stderr}\nstdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(
        output.stdout.is_empty(),
        "depin {args:?} failed but printed on stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    stderr
}

/// [`fails_with`] exit code 1 (an error, not a command line clap refused).
pub fn fails(net: &Localnet, args: &[&str]) -> String {
    fails_with(net, args, 1)
}

/// Waits until the cluster's clock (the Clock sysvar, which can lag the wall
/// clock by much on a loaded machine: CI runs four validators on two cores)
/// reads at least `unix`; panics after three minutes.
pub async fn wait_for_cluster_time(cluster: &RpcCluster, unix: i64) {
    use depin_client::Cluster;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    loop {
        let now = cluster.unix_timestamp().await.expect("the cluster's clock");
        if now >= unix {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the cluster's clock is still at {now}, waiting for {unix}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    }
}

/// The JSON a successful run printed (panics with its stderr otherwise).
pub fn parse(output: &Output, args: &[&str]) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "depin {args:?} failed ({}):\n{stderr}\n{stdout}",
        output.status
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("depin {args:?}: not JSON ({e}):\n{stdout}"))
}
