//! `depin pay ...` through the real binary on a real `solana-test-validator`
//! (the six programs at genesis): tariffs, sessions, device-signed readings
//! (signed on one side, submitted on another), settlements split between the
//! market fee, the operator and the machine (or a tokenized machine's revenue
//! pool), closes with refunds and a reclaim after the deadline; plus the main
//! refusals and what they tell the user to do. Every command's JSON is
//! asserted and balances are read back over RPC. One validator; the only
//! real wait is the 60 s deadline of the session reclaimed at the end, which
//! opens first and runs while everything else happens.
//!
//! Skipped (with a note) without the validator binary or the SBF builds
//! (`scripts/install-validator.sh`, `scripts/build-sbf`), unless
//! `DEPIN_REQUIRE_VALIDATOR` is set:
//! `cargo test -p depin-cli --test cli_pay -- --test-threads=1`.

#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;

use std::path::Path;
use std::time::Instant;

use depin_client::depin_registry::state::DeviceKind;
use depin_client::fractional::AssetKeys;
use depin_client::registry::{self, ApproveMakerArgs, NewDevice};
use depin_client::rpc::RpcCluster;
use depin_client::{payments, revenue, token, Cluster, Keypair, Pubkey, Signer};
use serde_json::Value;

use harness::{amount, fails, pubkey, Localnet, SOL};

const USDC: u64 = 1_000_000;

/// A new keypair written where `depin` can read it.
fn keyfile(dir: &Path, name: &str) -> (Keypair, String) {
    let keypair = Keypair::new();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, format!("{:?}", keypair.to_bytes().to_vec())).unwrap();
    (keypair, path.to_str().unwrap().to_string())
}

/// Runs `depin args` for a person (display output); returns its stdout.
fn human(net: &Localnet, args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_depin"))
        .env("HOME", std::env::temp_dir())
        .args(["-u", &net.url()])
        .arg("-k")
        .arg(&net.payer_file)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Whether the validator suite can run here (else it is skipped, with a note).
fn prerequisites() -> bool {
    let programs: Vec<depin_localnet::SbfProgram> = harness::programs()
        .iter()
        .map(|(name, id, _)| depin_localnet::SbfProgram::of(name, id))
        .collect();
    match depin_localnet::missing_prerequisite(&programs, &harness::deploy_dir()) {
        None => true,
        Some(reason) => {
            assert!(
                std::env::var_os("DEPIN_REQUIRE_VALIDATOR").is_none(),
                "cli_pay cannot run: {reason}"
            );
            eprintln!("SKIPPED (cli_pay): {reason}");
            false
        }
    }
}

async fn balance(cluster: &RpcCluster, account: &Pubkey) -> u64 {
    token::balance(cluster, account).await.expect("balance")
}

/// A settlement's split as `depin pay settle` prints it.
fn split(json: &Value) -> [u64; 4] {
    [
        amount(&json["amount"]),
        amount(&json["fee"]),
        amount(&json["operator"]),
        amount(&json["machine"]),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tariffs_sessions_readings_settle_close_and_reclaim() {
    if !prerequisites() {
        return;
    }
    let started = Instant::now();
    let net = Localnet::with_programs().await;
    let dir = tempfile::tempdir().unwrap();
    let payer = net.payer();
    let cluster = net.cluster(payer.insecure_clone());
    let me = payer.pubkey().to_string();

    // A network whose payer holds the maker-manager and treasury roles, an
    // approved maker, a USDC-like mint.
    let grant = format!("maker-manager,treasury={me}");
    let init = net.run(&["init", "--network", "pay", "--grant", &grant]);
    let network = pubkey(&init["network"]["address"]);
    let maker = Keypair::new();
    let args = ApproveMakerArgs {
        maker_authority: maker.pubkey(),
        name: "Acme Chargers".into(),
        quota: 10,
    };
    let ix = registry::approve_maker(&payer.pubkey(), &payer.pubkey(), &network, args);
    cluster.send(&[ix], &[]).await.expect("approve maker");
    let usdc = token::create_mint(&cluster, &payer.pubkey(), 6)
        .await
        .unwrap();
    let usdc_s = usdc.to_string();

    // dave owns a 1 MW charger (about 375 Wh per second plausible);
    // opal operates it; alice is the customer; mallory controls nothing;
    // the market's fee (2.5%) goes to the treasury.
    let (dave, dave_file) = keyfile(dir.path(), "dave");
    let (alice, alice_file) = keyfile(dir.path(), "alice");
    let (_mallory, mallory_file) = keyfile(dir.path(), "mallory");
    let (charger, charger_file) = keyfile(dir.path(), "charger");
    let (_stranger, stranger_file) = keyfile(dir.path(), "stranger");
    let opal = Keypair::new().pubkey();
    let treasury = Keypair::new().pubkey();
    for wallet in [&dave, &alice] {
        cluster
            .airdrop(&wallet.pubkey(), SOL)
            .await
            .expect("airdrop");
    }
    let alice_usdc = token::create_token_account(&cluster, &usdc, &alice.pubkey())
        .await
        .unwrap();
    token::mint_to(&cluster, &usdc, &alice_usdc, &payer, 100 * USDC)
        .await
        .unwrap();
    let device = NewDevice {
        device_key: charger.pubkey(),
        owner: dave.pubkey(),
        kind: DeviceKind::EvCharger,
        location: 0x8928308280fffff,
        capacity: 1_000_000,
    };
    let ix = registry::register_device(&payer.pubkey(), &network, &maker.pubkey(), &device, None);
    cluster
        .send(&[ix], &[&charger, &maker])
        .await
        .expect("register device");
    let ix = registry::set_device_operator(&dave.pubkey(), &network, &charger.pubkey(), &opal);
    cluster.send(&[ix], &[&dave]).await.expect("set operator");
    let record = depin_client::depin_registry::pda::device(&network, &charger.pubkey()).0;
    let record_s = record.to_string();
    let market = net.run(&[
        "fractional",
        "market",
        "set",
        "0",
        "--fee-bps",
        "250",
        "--fee-recipient",
        &treasury.to_string(),
    ]);
    assert_eq!(market["fee_bps"], 250);

    // Only the controller sets the tariff; the refusal names the controller.
    let set_tariff = |max_session: &str, controller: &str| {
        vec![
            "pay".to_string(),
            "tariff".into(),
            "set".into(),
            record_s.clone(),
            "--mint".into(),
            usdc_s.clone(),
            "--unit".into(),
            "wh".into(),
            "--price".into(),
            "2000".into(),
            "--min-deposit".into(),
            "1000000".into(),
            "--max-session".into(),
            max_session.into(),
            "--operator-cut".into(),
            "1000".into(),
            "--controller".into(),
            controller.into(),
        ]
    };
    let args = set_tariff("60", &mallory_file);
    let stderr = fails(&net, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        stderr.contains("NotDeviceController")
            && stderr.contains(&format!("its controller is {}", dave.pubkey())),
        "{stderr}"
    );
    // Out-of-range terms are named before anything is sent.
    let mut args = set_tariff("59", &dave_file);
    let stderr = fails(&net, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        stderr.contains("--max-session must be between 60 s"),
        "{stderr}"
    );

    // A 60 s tariff first: the session opened under it is reclaimed at the
    // end of the test, its deadline passing while the rest runs.
    args = set_tariff("60", &dave_file);
    let set = net.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(set["created"], true);
    assert_eq!(pubkey(&set["address"]), payments::tariff_address(&record));
    assert_eq!(pubkey(&set["controller"]), dave.pubkey());
    assert_eq!(set["unit"], "wh");
    assert_eq!(amount(&set["price_per_unit"]), 2_000);
    assert_eq!(set["max_session_secs"], 60);
    assert!(set["transaction"]["explorer"]
        .as_str()
        .unwrap()
        .contains("explorer.solana.com"));
    let early = net.run(&[
        "pay",
        "session",
        "open",
        &record_s,
        "--deposit",
        "2000000",
        "--id",
        "1",
        "--customer",
        &alice_file,
    ]);
    let early_session = pubkey(&early["session"]);
    assert_eq!(
        early_session,
        payments::session_address(&record, &alice.pubkey(), 1)
    );
    assert_eq!(early["id"], 1);
    assert_eq!(early["fee_bps"], 250);
    let early_stored = payments::session(&cluster, &early_session).await.unwrap();
    assert_eq!(early["deadline"], early_stored.deadline);
    assert_eq!(early_stored.deadline, early_stored.opened_at + 60);
    // Nobody reclaims it before its deadline.
    let stderr = fails(&net, &["pay", "reclaim", &early_session.to_string()]);
    assert!(
        stderr.contains("SessionNotExpired") && stderr.contains("reclaim after the deadline"),
        "{stderr}"
    );

    // The tariff again, an hour long (open sessions keep their terms).
    args = set_tariff("1h", &dave_file);
    let set = net.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(set["created"], false);
    assert_eq!(set["max_session_secs"], 3_600);
    let shown = net.run(&[
        "pay",
        "tariff",
        "show",
        &charger.pubkey().to_string(),
        "--network",
        "0",
    ]);
    assert_eq!(pubkey(&shown["device"]), record);
    assert_eq!(pubkey(&shown["payment_mint"]), usdc);
    assert_eq!(amount(&shown["min_deposit"]), USDC);
    assert_eq!(shown["min_deposit"]["ui_amount"], "1");
    assert_eq!(shown["operator_cut_bps"], 1_000);
    assert_eq!(shown["market_fee_bps"], 250);
    assert_eq!(shown["paused"], false);
    assert_eq!(shown["stale"], false);
    assert_eq!(shown["tokenized"], false);
    let text = human(&net, &["pay", "tariff", "show", &record_s]);
    assert!(
        text.contains("unit: wh") && text.contains("paused: false"),
        "{text}"
    );

    // Paused: no new sessions, and the error says how to resume.
    let paused = net.run(&[
        "pay",
        "tariff",
        "pause",
        &record_s,
        "--controller",
        &dave_file,
    ]);
    assert_eq!(paused["paused"], true);
    assert!(payments::tariff(&cluster, &record).await.unwrap().paused);
    let open = |deposit: &str| {
        vec![
            "pay".to_string(),
            "session".into(),
            "open".into(),
            record_s.clone(),
            "--deposit".into(),
            deposit.into(),
            "--customer".into(),
            alice_file.clone(),
        ]
    };
    let args = open("5000000");
    let stderr = fails(&net, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        stderr.contains("TariffPaused")
            && stderr.contains(&format!("depin pay tariff resume {record}")),
        "{stderr}"
    );
    let stderr = fails(
        &net,
        &[
            "pay",
            "tariff",
            "resume",
            &record_s,
            "--controller",
            &mallory_file,
        ],
    );
    assert!(stderr.contains("NotDeviceController"), "{stderr}");
    let resumed = net.run(&[
        "pay",
        "tariff",
        "resume",
        &record_s,
        "--controller",
        &dave_file,
    ]);
    assert_eq!(resumed["paused"], false);

    // Below the minimum deposit: refused with the minimum to use.
    let args = open("500");
    let stderr = fails(&net, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        stderr.contains("DepositTooSmall") && stderr.contains("--deposit 1000000 or more"),
        "{stderr}"
    );
    // More than the customer holds: caught before sending.
    let args = open("500000000");
    let stderr = fails(&net, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(stderr.contains("not enough tokens"), "{stderr}");

    // alice opens a session with 5 USDC (a fresh id, her USDC account).
    let args = open("5000000");
    let opened = net.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let main = pubkey(&opened["session"]);
    let main_s = main.to_string();
    let id = opened["id"].as_u64().unwrap();
    assert_eq!(
        main,
        payments::session_address(&record, &alice.pubkey(), id)
    );
    assert_eq!(amount(&opened["deposit"]), 5 * USDC);
    assert_eq!(pubkey(&opened["source"]), alice_usdc);
    let stored = payments::session(&cluster, &main).await.unwrap();
    assert_eq!(opened["deadline"], stored.deadline);
    assert_eq!(stored.deadline, stored.opened_at + 3_600);
    assert_eq!(balance(&cluster, &stored.escrow).await, 5 * USDC);
    assert_eq!(balance(&cluster, &alice_usdc).await, 93 * USDC);

    let shown = net.run(&["pay", "session", "show", &main_s]);
    assert_eq!(pubkey(&shown["customer"]), alice.pubkey());
    assert_eq!(shown["fee_bps"], 250);
    assert_eq!(shown["operator_cut_bps"], 1_000);
    assert_eq!(amount(&shown["remaining"]), 5 * USDC);
    assert_eq!(shown["sequence"], 0);
    assert_eq!(shown["expired"], false);
    let listed = net.run(&[
        "pay",
        "session",
        "list",
        "--customer",
        &alice.pubkey().to_string(),
    ]);
    let listed: Vec<Pubkey> = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| pubkey(&s["address"]))
        .collect();
    assert_eq!(listed, vec![early_session, main]);
    let at_device = net.run(&["pay", "session", "list", "--device", &record_s]);
    assert_eq!(at_device["sessions"].as_array().unwrap().len(), 2);
    let table = human(&net, &["pay", "session", "list", "--device", &record_s]);
    assert!(
        table.contains(&main_s) && table.contains("settled"),
        "{table}"
    );

    // A few seconds of charging before the first reading (the program
    // refuses more energy than the charger can deliver since the open).
    harness::wait_for_cluster_time(&cluster, stored.opened_at + 2).await;

    // The device owner settles 100 Wh: 0.2 USDC = fee 2.5% + operator 10%
    // + the machine's rest. A dry run first: the split the program will
    // make, and nothing sent.
    let dry = net.run(&[
        "pay",
        "settle",
        &main_s,
        "--device-keypair",
        &charger_file,
        "--units",
        "100",
        "--dry-run",
    ]);
    assert_eq!(split(&dry), [200_000, 5_000, 20_000, 175_000]);
    assert!(dry["dry_run"]["compute_units"].as_u64().unwrap() > 0);
    assert!(dry["transaction"].is_null());
    assert_eq!(balance(&cluster, &stored.escrow).await, 5 * USDC);
    // Payout accounts are created as needed.
    let settled = net.run(&[
        "pay",
        "settle",
        &main_s,
        "--device-keypair",
        &charger_file,
        "--units",
        "100",
    ]);
    assert_eq!(settled["sequence"], 1);
    assert_eq!(settled["final"], false);
    assert_eq!(split(&settled), [200_000, 5_000, 20_000, 175_000]);
    assert_eq!(settled["to_revenue_pool"], false);
    assert_eq!(amount(&settled["settled"]), 200_000);
    assert_eq!(amount(&settled["remaining"]), 4_800_000);
    assert!(settled["refunded"].is_null());
    let fee_account = token::associated_address(&treasury, &usdc);
    let opal_usdc = token::associated_address(&opal, &usdc);
    let dave_usdc = token::associated_address(&dave.pubkey(), &usdc);
    assert_eq!(balance(&cluster, &fee_account).await, 5_000);
    assert_eq!(balance(&cluster, &opal_usdc).await, 20_000);
    assert_eq!(balance(&cluster, &dave_usdc).await, 175_000);
    assert_eq!(balance(&cluster, &stored.escrow).await, 4_800_000);

    // The device signs a reading on its side; anyone submits the file.
    let sign = net
        .depin()
        .args([
            "pay",
            "reading",
            "sign",
            &main_s,
            "--device-keypair",
            &charger_file,
            "--units",
            "250",
            "--sequence",
            "2",
        ])
        .output()
        .unwrap();
    let signed = harness::parse(&sign, &["pay", "reading", "sign"]);
    assert_eq!(pubkey(&signed["device_key"]), charger.pubkey());
    assert_eq!(signed["units"], 250);
    assert_eq!(signed["final"], false);
    let reading_file = dir.path().join("reading.json");
    std::fs::write(&reading_file, serde_json::to_string(&signed).unwrap()).unwrap();
    let reading_path = reading_file.to_str().unwrap();
    // Submitted from stdin, as a relay would pipe it.
    let mut submit = net
        .depin()
        .args(["pay", "reading", "submit", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = submit.stdin.take().unwrap();
        stdin.write_all(signed.to_string().as_bytes()).unwrap();
    }
    let submitted = harness::parse(
        &submit.wait_with_output().unwrap(),
        &["pay", "reading", "submit", "-"],
    );
    assert_eq!(submitted["sequence"], 2);
    assert_eq!(split(&submitted), [300_000, 7_500, 30_000, 262_500]);
    assert_eq!(amount(&submitted["settled"]), 500_000);
    assert_eq!(balance(&cluster, &dave_usdc).await, 437_500);
    assert_eq!(balance(&cluster, &fee_account).await, 12_500);

    // The same reading again is a replay; the hint says which sequence is next.
    let stderr = fails(&net, &["pay", "reading", "submit", reading_path]);
    assert!(
        stderr.contains("ReadingReplayed") && stderr.contains("--sequence 3 or above"),
        "{stderr}"
    );
    // An altered reading does not verify (caught before sending).
    let mut altered = signed.clone();
    altered["units"] = 900.into();
    let altered_file = dir.path().join("altered.json");
    std::fs::write(&altered_file, altered.to_string()).unwrap();
    let stderr = fails(
        &net,
        &["pay", "reading", "submit", altered_file.to_str().unwrap()],
    );
    assert!(stderr.contains("does not verify"), "{stderr}");
    // Readings are cumulative: fewer units than settled is refused.
    let stderr = fails(
        &net,
        &[
            "pay",
            "settle",
            &main_s,
            "--device-keypair",
            &charger_file,
            "--units",
            "200",
        ],
    );
    assert!(
        stderr.contains("ReadingNotIncreasing") && stderr.contains("must be above 250"),
        "{stderr}"
    );
    // Another key cannot sign for the device.
    let stderr = fails(
        &net,
        &[
            "pay",
            "settle",
            &main_s,
            "--device-keypair",
            &stranger_file,
            "--units",
            "300",
        ],
    );
    assert!(
        stderr.contains("sign with the device's own keypair"),
        "{stderr}"
    );

    // The device closes the session at the units settled: nothing more is
    // charged, the rest of the deposit goes back to alice.
    let closed = net.run(&["pay", "close", &main_s, "--device-keypair", &charger_file]);
    assert_eq!(closed["final"], true);
    assert_eq!(closed["units"], 250);
    assert_eq!(closed["sequence"], 3);
    assert_eq!(split(&closed), [0, 0, 0, 0]);
    assert_eq!(amount(&closed["refunded"]), 4_500_000);
    assert_eq!(balance(&cluster, &alice_usdc).await, 93 * USDC + 4_500_000);
    assert!(cluster.get_account(&main).await.unwrap().is_none());
    assert!(cluster.get_account(&stored.escrow).await.unwrap().is_none());
    let stderr = fails(&net, &["pay", "session", "show", &main_s]);
    assert!(stderr.contains("does not exist: it ended"), "{stderr}");

    // A tokenized charger whose shares earn: its tariff is set by the
    // asset's authority in the asset's payment mint (no --mint), and the
    // machine's part of each charge goes to the revenue pool.
    let (charger2, charger2_file) = keyfile(dir.path(), "charger2");
    let device = NewDevice {
        device_key: charger2.pubkey(),
        ..device
    };
    let ix = registry::register_device(&payer.pubkey(), &network, &maker.pubkey(), &device, None);
    cluster
        .send(&[ix], &[&charger2, &maker])
        .await
        .expect("register device");
    let record2 = depin_client::depin_registry::pda::device(&network, &charger2.pubkey()).0;
    let keys = AssetKeys::of_device(&record2);
    net.run(&[
        "fractional",
        "tokenize",
        "0",
        &charger2.pubkey().to_string(),
        "--payment-mint",
        &usdc_s,
        "--shares",
        "100",
        "--owner",
        &dave_file,
    ]);
    net.run(&[
        "fractional",
        "retain",
        &keys.asset.to_string(),
        "10",
        "--authority",
        &dave_file,
    ]);
    let asset_s = keys.asset.to_string();
    let set = net.run(&[
        "pay",
        "tariff",
        "set",
        &asset_s,
        "--unit",
        "s",
        "--price",
        "1000",
        "--min-deposit",
        "1000",
        "--max-session",
        "10m",
        "--controller",
        &dave_file,
    ]);
    assert_eq!(pubkey(&set["device"]), record2);
    assert_eq!(pubkey(&set["payment_mint"]), usdc);
    assert_eq!(set["tokenized"], true);
    let opened = net.run(&[
        "pay",
        "session",
        "open",
        &asset_s,
        "--deposit",
        "100000",
        "--id",
        "7",
        "--customer",
        &alice_file,
    ]);
    let parking = pubkey(&opened["session"]);
    let parked = payments::session(&cluster, &parking).await.unwrap();
    harness::wait_for_cluster_time(&cluster, parked.opened_at + 2).await;
    // More seconds of service than have passed since the open is refused.
    let stderr = fails(
        &net,
        &[
            "pay",
            "settle",
            &parking.to_string(),
            "--device-keypair",
            &charger2_file,
            "--units",
            "100000",
        ],
    );
    assert!(
        stderr.contains("ImplausibleReading") && stderr.contains("since the session opened"),
        "{stderr}"
    );
    let settled = net.run(&[
        "pay",
        "settle",
        &parking.to_string(),
        "--device-keypair",
        &charger2_file,
        "--units",
        "2",
        "--final",
    ]);
    assert_eq!(split(&settled), [2_000, 50, 0, 1_950]);
    assert_eq!(settled["to_revenue_pool"], true);
    assert_eq!(amount(&settled["refunded"]), 98_000);
    let pool = revenue::pool(&cluster, &keys.share_mint).await.unwrap();
    assert_eq!(pool.total_deposited, 1_950);
    assert_eq!(balance(&cluster, &fee_account).await, 12_550);
    assert_eq!(balance(&cluster, &alice_usdc).await, 97_500_000 - 2_000);

    // Past the first session's deadline anyone reclaims it: the whole
    // deposit goes back to alice.
    harness::wait_for_cluster_time(&cluster, early_stored.deadline + 1).await;
    let stderr = fails(
        &net,
        &[
            "pay",
            "settle",
            &early_session.to_string(),
            "--device-keypair",
            &charger_file,
            "--units",
            "1",
        ],
    );
    assert!(
        stderr.contains("SessionExpired") && stderr.contains("depin pay reclaim"),
        "{stderr}"
    );
    let reclaimed = net.run(&["pay", "reclaim", &early_session.to_string()]);
    assert_eq!(amount(&reclaimed["refunded"]), 2 * USDC);
    assert_eq!(pubkey(&reclaimed["refund_account"]), alice_usdc);
    assert!(cluster.get_account(&early_session).await.unwrap().is_none());
    assert_eq!(balance(&cluster, &alice_usdc).await, 99_498_000);
    let listed = net.run(&[
        "pay",
        "session",
        "list",
        "--customer",
        &alice.pubkey().to_string(),
    ]);
    assert!(listed["sessions"].as_array().unwrap().is_empty());
    eprintln!("cli_pay: {:.1} s", started.elapsed().as_secs_f64());
}
