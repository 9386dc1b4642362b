//! The `depin-crank` binary runs a network on a real `solana-test-validator`
//! through a faulty RPC proxy (drops, lost answers, delays, 429s): devices
//! report over HTTP, the crank is aborted at several points between sending
//! a transaction and recording it and restarted each time, and in the end
//! the root is posted once, the distributor and the staking pool funded
//! once, and every owner paid once.

mod process;
// The verifier key is for the bank tests.
#[allow(dead_code)]
#[path = "../common/world.rs"]
mod world;

use std::path::PathBuf;
use std::time::Duration;

use depin_client::depin_fractional::state::OfferingState;
use depin_client::fractional::{self, AssetKeys, OfferingTerms};
use depin_client::report::EpochSchedule;
use depin_client::rewards::{self, Guards};
use depin_client::rpc::RpcCluster;
use depin_client::{registry, staking, token, Cluster, Keypair, Signer};
use depin_crank::simulate::{Period, Simulator};
use depin_localnet::{sbf_dir, validator_for_tests, FaultProxy, Faults, SbfProgram};

use process::{CrankProcess, Exit};
use world::{World, SOL};

const EPOCH_SECS: u32 = 60;
const GRACE_SECS: u32 = 5;
const EMISSION: u64 = 1_000_000;
const STAKING_PER_EPOCH: u64 = 10_000;

fn programs() -> Vec<SbfProgram> {
    depin_client::PROGRAMS
        .iter()
        .map(|(name, id)| SbfProgram::of(name, id))
        .collect()
}

fn write_keypair(path: &PathBuf, keypair: &Keypair) {
    std::fs::write(path, format!("{:?}", keypair.to_bytes().to_vec())).unwrap();
}

/// Waits until the cluster's clock reads at least `unix`.
async fn wait_for_chain_time(cluster: &RpcCluster, unix: i64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(180);
    while cluster.unix_timestamp().await.unwrap() < unix {
        assert!(
            std::time::Instant::now() < deadline,
            "the chain's clock stalls before {unix}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// GETs `url` until `done` holds for its JSON (30 s at most).
async fn poll_json(url: &str, done: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let body = match reqwest::get(url).await {
            Ok(response) => response.json().await.unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        };
        if done(&body) {
            return body;
        }
        assert!(std::time::Instant::now() < deadline, "{url}: {body}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_crank_runs_a_network_through_kills_and_rpc_faults() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Some(validator) =
        validator_for_tests("the crank on a validator", &programs(), &sbf_dir(&repo)).await
    else {
        return;
    };
    let payer = Keypair::new();
    let direct = RpcCluster::new(&validator.rpc_url(), payer.insecure_clone()).unwrap();
    direct.airdrop(&payer.pubkey(), 50 * SOL).await.unwrap();
    let world = World::build(&direct, Guards::SINGLE_ORACLE, EPOCH_SECS).await;
    let network = registry::network(&direct, &world.network).await.unwrap();
    let schedule = EpochSchedule::of(&network);
    let now = direct.unix_timestamp().await.unwrap();
    // The devices were registered in this epoch: the crank starts with the
    // next one, which they are active through.
    let epoch = schedule.epoch_at(now).unwrap() + 1;
    let window = schedule.window(epoch).unwrap();
    // The second owner tokenizes their battery and offers shares nobody
    // buys, until a deadline inside the epoch: the crank's upkeep closes it,
    // and the battery's rewards go to the asset's manager (that owner).
    let usdc = token::create_mint(&direct, &world.admin.pubkey(), 6)
        .await
        .unwrap();
    let seller = &world.owners[1];
    let record = depin_registry::pda::device(&world.network, &seller.device.pubkey()).0;
    let ix = fractional::create_asset(
        &payer.pubkey(),
        &seller.owner.pubkey(),
        &world.network,
        &record,
        &usdc,
        100,
    );
    direct.send(&[ix], &[&seller.owner]).await.unwrap();
    let keys = AssetKeys::of_device(&record);
    let terms = OfferingTerms {
        price_per_share: 1_000_000,
        shares_for_sale: 100,
        soft_cap: 100,
        deadline: window.start + 30,
        per_investor_cap: 0,
        allowlist_required: false,
    };
    let ix = fractional::create_offering(
        &payer.pubkey(),
        &seller.owner.pubkey(),
        &world.network,
        &keys,
        0,
        &usdc,
        terms,
    );
    direct.send(&[ix], &[&seller.owner]).await.unwrap();
    let treasury_before = token::balance(&direct, &world.treasury_account)
        .await
        .unwrap();

    let proxy = FaultProxy::start(
        validator.rpc_port(),
        Faults {
            drop_request: 0.04,
            drop_response: 0.04,
            delay: 0.1,
            delay_for: Duration::from_millis(300),
            too_many_requests: 0.04,
            seed: 11,
        },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (oracle_file, treasury_file) = (
        dir.path().join("oracle.json"),
        dir.path().join("treasury.json"),
    );
    write_keypair(&oracle_file, &world.oracle);
    write_keypair(&treasury_file, &world.admin);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let crank_url = format!("http://127.0.0.1:{port}");
    let config = dir.path().join("crank.toml");
    std::fs::write(
        &config,
        format!(
            r#"
url = "{url}"
database = "{db}"
listen = "127.0.0.1:{port}"
network = "{network}"
distributor = "{distributor}"
treasury_account = "{treasury}"
oracle_keypair = "{oracle}"
treasury_keypair = "{treasury_key}"
grace_secs = {GRACE_SECS}
first_epoch = {epoch}
tick_secs = 1

[scoring]
emission_per_epoch = {EMISSION}
per_device_cap = {EMISSION}
operator_share_bps = 2_000
min_work_wh = 1

[push]
min_amount = 1
per_transaction = 2
lamports_per_epoch = 1_000_000

[upkeep]
staking_reward_per_epoch = {STAKING_PER_EPOCH}
close_offerings = true
"#,
            url = proxy.url(),
            db = dir.path().join("crank.db").display(),
            network = world.network,
            distributor = world.distributor,
            treasury = world.treasury_account,
            oracle = oracle_file.display(),
            treasury_key = treasury_file.display(),
        ),
    )
    .unwrap();

    // The crank runs; once the epoch's first 20 s are over the devices
    // report them, and the third also sends a different report for them.
    let crank = CrankProcess::start(&config, None);
    crank.wait_healthy(&crank_url).await;
    wait_for_chain_time(&direct, window.start + 20).await;
    let until = window.start + 20;
    while (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64)
        < until
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The devices' reports, through `depin-crank simulate` (retried: behind
    // the faulty RPC the crank answers 503 to a report whose device it could
    // not read; a retry of a stored report is answered as accepted).
    let mut device_files = vec![];
    for (i, owner) in world.owners.iter().enumerate() {
        let file = dir.path().join(format!("device-{i}.json"));
        write_keypair(&file, &owner.device);
        device_files.push(file.display().to_string());
    }
    let network_arg = world.network.to_string();
    let start_arg = window.start.to_string();
    let mut args = vec![
        "simulate",
        "--crank",
        &crank_url,
        "--network",
        &network_arg,
        "--period-start",
        &start_arg,
        "--period-secs",
        "20",
        "--energy-wh",
        "50",
        "--device",
    ];
    args.extend(device_files.iter().map(String::as_str));
    let sent = (0..10)
        .find_map(|_| {
            let result = process::try_json(&args);
            if result.is_none() {
                std::thread::sleep(Duration::from_millis(500));
            }
            result
        })
        .expect("the devices' reports accepted within 10 tries");
    assert_eq!(sent["accepted"], 3, "{sent}");
    let devices: Vec<Keypair> = world
        .owners
        .iter()
        .map(|o| o.device.insecure_clone())
        .collect();
    let simulator = Simulator::new(&crank_url, world.network, devices);
    let period = Period {
        start: window.start,
        secs: 20,
        energy_wh: 50,
        uptime_secs: 20,
    };
    let third = &simulator.devices()[2];
    let conflicting = simulator.report(
        third,
        Period {
            energy_wh: 60,
            ..period
        },
        u64::MAX / 2,
    );
    let sent = simulator.send_each(&[conflicting], 1).await;
    assert_eq!(sent.rejected.get("conflict"), Some(&1), "{sent:?}");
    crank.stop();

    // Aborted between sending and recording, at three points, in turn.
    for point in ["sent:fund", "sent:post_root", "sent:push_claims"] {
        let crank = CrankProcess::start(&config, Some(point));
        assert_eq!(
            crank.wait_exit(Duration::from_secs(240)),
            Exit::Aborted,
            "at {point}"
        );
    }
    let crank = CrankProcess::start(&config, None);
    crank.wait_healthy(&crank_url).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let summary: serde_json::Value = reqwest::get(format!("{crank_url}/v1/epochs/{epoch}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if summary["steps"].as_array().is_some_and(|s| s.len() == 9) {
            assert_eq!(summary["results"]["freeze"]["reports"], 2);
            assert_eq!(summary["results"]["freeze"]["conflicts"], 1);
            assert_eq!(
                summary["results"]["upkeep"]["offerings_closed"], 1,
                "{summary}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "epoch {epoch} not done: {summary}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
    }

    // Exactly once, everything.
    let distributor = rewards::distributor(&direct, &world.distributor)
        .await
        .unwrap();
    assert_eq!(distributor.epoch, epoch);
    assert_eq!(distributor.cumulative_total, EMISSION);
    assert_eq!(distributor.total_funded, EMISSION, "funded once");
    assert_eq!(distributor.total_claimed, EMISSION, "pushed once");
    let proposal = rewards::root_proposal(&direct, &world.distributor)
        .await
        .unwrap();
    assert_eq!(proposal.sequence, 1, "one root proposed");
    let mut balances = vec![];
    for owner in &world.owners {
        balances.push(token::balance(&direct, &owner.account).await.unwrap());
    }
    assert_eq!(balances, [500_000, 500_000, 0]);
    let offering: Option<depin_client::depin_fractional::state::Offering> =
        depin_client::fetch_optional(&direct, &keys.offering(0))
            .await
            .unwrap();
    assert!(
        offering.is_none_or(|o| o.state != OfferingState::Open),
        "the crank closed the unsold offering past its deadline"
    );
    let pool = staking::pool(&direct, &world.network).await.unwrap();
    assert_eq!(
        pool.total_rewards_funded, STAKING_PER_EPOCH,
        "staking funded once"
    );
    let treasury = token::balance(&direct, &world.treasury_account)
        .await
        .unwrap();
    assert_eq!(treasury, treasury_before - EMISSION - STAKING_PER_EPOCH);

    // The operator's views: status, the proofs API, a replay.
    // The proof book reloads after each tick.
    let reward_url = format!("{crank_url}/v1/rewards/{}", world.owners[0].owner.pubkey());
    let reward = poll_json(&reward_url, |r| r["cumulative_amount"] == 500_000).await;
    assert_eq!(reward["claimable"], 0, "{reward}");
    // The gauges refresh after each tick.
    let expected = format!("depin_crank_last_root_epoch {epoch}");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let metrics = reqwest::get(format!("{crank_url}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if metrics.contains(&expected) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{expected} missing:\n{metrics}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    crank.stop();
    let status = process::run_json(&config, &["status"]);
    assert_eq!(status["chain"]["root_epoch"], epoch);
    assert_eq!(status["pipeline"]["epoch"], epoch + 1);
    let replay = process::run_json(&config, &["replay-epoch", &epoch.to_string()]);
    assert_eq!(replay["differences"], serde_json::json!([]), "{replay}");

    let counts = proxy.counts();
    eprintln!("faults injected: {counts:?}");
    assert!(
        counts.dropped_requests > 0 && counts.dropped_responses > 0,
        "{counts:?}"
    );
    assert!(
        counts.delayed > 0 && counts.too_many_requests > 0,
        "{counts:?}"
    );
}
