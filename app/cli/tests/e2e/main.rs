//! End-to-end tests on a real `solana-test-validator` (built once per
//! machine by `scripts/install-validator.sh`) with the SBF builds of
//! `scripts/build-sbf`. They are `#[ignore]`d in the plain native run;
//! `scripts/test.sh` runs them after the SBF build:
//! `cargo test -p depin-cli --test e2e -- --ignored --test-threads=1`.

mod flow;
#[allow(dead_code)] // shared with the cli_* and walkthrough tests
mod harness;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use depin_client::{Cluster, Signer};
use depin_localnet::{FaultProxy, Faults};
use depin_migrations::{bootstrap, BootstrapSpec, RewardMint};

use harness::{deploy_dir, programs, pubkey, Localnet};

/// `depin deploy` of all five programs through the upgradeable loader, then
/// `depin init` (twice: the rerun creates nothing), then the used-by flow
/// over RPC.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator and the SBF builds: scripts/test.sh runs it"]
async fn deploy_init_and_the_used_by_flow() {
    let net = Localnet::empty().await;
    let payer = net.payer();
    let cluster = net.cluster(payer.insecure_clone());
    let before = cluster.lamports(&payer.pubkey()).await.unwrap();

    let deployed = net.run(&["deploy", "--keypair-dir", "keys/localnet"]);
    let spent = before - cluster.lamports(&payer.pubkey()).await.unwrap();
    for (name, id, so) in programs() {
        let account = cluster.get_account(&id).await.unwrap();
        let account = account.unwrap_or_else(|| panic!("{name} is not deployed"));
        assert!(account.executable, "{name} is not executable");
        let size = std::fs::metadata(&so).unwrap().len();
        let entry = deployed["programs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["program_id"] == id.to_string())
            .unwrap_or_else(|| panic!("{name} missing from the deploy output"));
        assert_eq!(entry["action"], "deploy");
        assert_eq!(entry["size"].as_u64(), Some(size));
    }
    let total = &deployed["total"];
    assert_eq!(total["lamports_spent"].as_u64(), Some(spent));
    println!(
        "bench deploy: 5 programs, {} transactions, {:.4} SOL spent, {:.1} s",
        total["transactions"],
        spent as f64 / 1e9,
        total["elapsed_ms"].as_u64().unwrap() as f64 / 1000.0
    );

    let init = net.run(&["init", "--network", "e2e"]);
    assert_eq!(init["network"]["status"], "created");
    assert_eq!(init["reward_mint"]["status"], "created");
    let network = pubkey(&init["network"]["address"]);
    let reward_mint = pubkey(&init["reward_mint"]["address"]);
    let again = net.run(&["init", "--network", "e2e"]);
    for step in ["platform", "reward_mint"] {
        assert_eq!(again[step]["status"], "already-present", "{step}");
    }
    assert_eq!(again["network"]["status"], "already-present");
    assert_eq!(pubkey(&again["network"]["address"]), network);

    let funder = net.cluster(payer.insecure_clone());
    let started = Instant::now();
    let report = flow::used_by_flow(&cluster, &funder, &payer, network, reward_mint).await;
    println!(
        "bench flow: {} transactions, {} compute units, {} lamports of fees, {:.1} s",
        report.transactions,
        report.compute_units,
        report.fees_lamports,
        started.elapsed().as_secs_f64()
    );
}

/// The buffer keypair an unfinished deploy of `program` to `net` left.
fn buffer_files(program: &str) -> Vec<PathBuf> {
    std::fs::read_dir(deploy_dir())
        .unwrap()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with(&format!("{program}-buffer-")) && name.ends_with("-keypair.json")
        })
        .collect()
}

fn read_keypair(path: &std::path::Path) -> depin_client::Keypair {
    let bytes: Vec<u8> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    depin_client::Keypair::try_from(bytes.as_slice()).unwrap()
}

/// A deploy killed in the middle of its writes resumes where it stopped and
/// leaves nothing behind; deploying again upgrades the program in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator and the SBF builds: scripts/test.sh runs it"]
async fn an_interrupted_deploy_resumes_and_a_second_deploy_upgrades() {
    let net = Localnet::empty().await;
    let before: Vec<PathBuf> = buffer_files("depin_registry");
    let mut child = net
        .depin()
        .args(["deploy", "registry", "--keypair-dir", "keys/localnet"])
        .arg("--concurrency")
        .arg("2")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once its buffer keypair is on disk and writes are under way.
    let deadline = Instant::now() + Duration::from_secs(120);
    let buffer_file = loop {
        let fresh: Vec<PathBuf> = buffer_files("depin_registry")
            .into_iter()
            .filter(|p| !before.contains(p))
            .collect();
        if let Some(file) = fresh.into_iter().next() {
            break file;
        }
        assert!(Instant::now() < deadline, "no buffer keypair appeared");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the deploy ended too soon"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // ...and the buffer on chain holds some of the program (its first 37
    // bytes are the loader's header).
    let buffer = read_keypair(&buffer_file).pubkey();
    let cluster = net.cluster(net.payer());
    loop {
        let written = cluster
            .get_account(&buffer)
            .await
            .unwrap()
            .is_some_and(|account| account.data.iter().skip(37).any(|b| *b != 0));
        if written {
            break;
        }
        assert!(Instant::now() < deadline, "no chunk was written");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the deploy ended too soon"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(buffer_file.exists());

    let resumed = net.run(&["deploy", "registry", "--keypair-dir", "keys/localnet"]);
    let entry = &resumed["programs"][0];
    assert_eq!(entry["action"], "deploy");
    assert_eq!(entry["resuming"], true);
    let skipped = entry["chunks_skipped"].as_u64().unwrap();
    let total = entry["chunks_total"].as_u64().unwrap();
    assert!(skipped > 0 && skipped < total, "{entry}");
    println!("bench resume: {skipped} of {total} chunks were already written");
    assert!(!buffer_file.exists(), "the buffer keypair is left behind");

    // The registry works: the platform account can be created through it
    // (a program deployed in a slot runs from the next one on).
    let payer = net.payer();
    let cluster = net.cluster(payer.insecure_clone());
    let mut attempts = 0;
    while let Err(e) = depin_migrations::ensure_platform(&cluster).await {
        attempts += 1;
        assert!(
            attempts < 20 && e.logs().iter().any(|l| l.contains("not deployed")),
            "{e}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The same build again changes nothing.
    let same = net.run(&["deploy", "registry", "--keypair-dir", "keys/localnet"]);
    assert_eq!(same["programs"][0]["action"], "unchanged");
    // A longer build (the same code with 2 KiB of padding) upgrades the
    // program in place, growing its programdata first.
    let other_build = tempfile::tempdir().unwrap();
    let mut elf = std::fs::read(deploy_dir().join("depin_registry.so")).unwrap();
    elf.extend_from_slice(&[0u8; 2048]);
    std::fs::write(other_build.path().join("depin_registry.so"), elf).unwrap();
    let upgraded = net.run(&[
        "deploy",
        "registry",
        "--keypair-dir",
        "keys/localnet",
        "--program-dir",
        other_build.path().to_str().unwrap(),
    ]);
    assert_eq!(upgraded["programs"][0]["action"], "upgrade");
    assert!(upgraded["programs"][0]["extend_by"].as_u64().unwrap() >= 2048);
    assert!(buffer_files("depin_registry")
        .iter()
        .all(|p| before.contains(p)));
    assert!(depin_client::registry::platform(&cluster)
        .await
        .unwrap()
        .is_some());
}

/// The used-by flow through an endpoint that drops requests, drops answers
/// after the validator acted, delays and answers 429: it completes, and
/// every balance proves each effect happened exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator and the SBF builds: scripts/test.sh runs it"]
async fn the_flow_completes_exactly_once_through_a_faulty_endpoint() {
    let net = Localnet::with_programs().await;
    let faults = Faults {
        drop_request: 0.05,
        drop_response: 0.05,
        delay: 0.1,
        delay_for: Duration::from_millis(300),
        too_many_requests: 0.1,
        seed: 42,
    };
    let proxy = FaultProxy::start(net.validator.rpc_port(), faults)
        .await
        .unwrap();
    let payer = net.payer();
    let faulty = net_cluster_at(&proxy.url(), payer.insecure_clone());
    let direct = net.cluster(payer.insecure_clone());
    let spec = BootstrapSpec {
        network_name: "faults".into(),
        epoch_length_secs: 86_400,
        min_operator_bond: 0,
        reward_mint: RewardMint::Create { decimals: 6 },
        grants: vec![],
    };
    let report = bootstrap(&faulty, &payer, &spec).await.unwrap();
    // A rerun through the same faults finds everything.
    let again = bootstrap(&faulty, &payer, &spec).await.unwrap();
    assert_eq!(again.network.address, report.network.address);
    flow::used_by_flow(
        &faulty,
        &direct,
        &payer,
        report.network.address,
        report.reward_mint.address,
    )
    .await;
    let counts = proxy.counts();
    println!("bench faults: {counts:?}");
    assert!(counts.dropped_responses > 0 && counts.dropped_requests > 0);
    assert!(counts.too_many_requests > 0 && counts.delayed > 0);
}

fn net_cluster_at(url: &str, payer: depin_client::Keypair) -> depin_client::rpc::RpcCluster {
    depin_client::rpc::RpcCluster::new(url, payer).expect("RpcCluster")
}
