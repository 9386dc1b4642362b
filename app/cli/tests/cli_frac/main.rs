//! `depin fractional`, `depin revenue` and `depin portfolio` through the
//! real binary on a real `solana-test-validator` (the five programs at
//! genesis). Devices are registered and wallets funded through the client;
//! every command's JSON is asserted, and state and balances are read back
//! over RPC. `scripts/test.sh` runs them:
//! `cargo test -p depin-cli --test cli_frac -- --ignored --test-threads=1`.

#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::time::Instant;

use depin_client::depin_registry::state::DeviceKind;
use depin_client::fractional::{self, AssetKeys};
use depin_client::registry::{self, ApproveMakerArgs, NewDevice};
use depin_client::rpc::RpcCluster;
use depin_client::{revenue, token, Cluster, Keypair, Pubkey, Signer};

use harness::{amount, fails_with, pubkey, Localnet, SOL};

const USDC: u64 = 1_000_000;

/// A keypair file for the CLI.
fn keypair_file(dir: &Path, name: &str, keypair: &Keypair) -> String {
    let path: PathBuf = dir.join(format!("{name}.json"));
    std::fs::write(&path, format!("{:?}", keypair.to_bytes().to_vec())).unwrap();
    path.to_string_lossy().into_owned()
}

/// Runs `depin args` for a person (display output); returns its stdout.
fn human(w: &World, args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_depin"))
        .env("HOME", w.dir.path())
        .args(["-u", &w.net.url()])
        .arg("-k")
        .arg(&w.net.payer_file)
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

async fn balance(cluster: &RpcCluster, account: &Pubkey) -> u64 {
    token::balance(cluster, account).await.expect("balance")
}

struct World {
    net: Localnet,
    cluster: RpcCluster,
    dir: tempfile::TempDir,
    network: Pubkey,
    usdc: Pubkey,
    maker: Keypair,
}

impl World {
    /// A validator, `depin init` (the payer holds the roles these commands
    /// need), a maker and a USDC-like mint whose authority is the payer.
    async fn start() -> World {
        let net = Localnet::with_programs().await;
        let payer = net.payer();
        let me = payer.pubkey().to_string();
        let grant = format!("maker-manager,treasury,compliance={me}");
        let init = net.run(&["init", "--network", "frac", "--grant", &grant]);
        let network = pubkey(&init["network"]["address"]);
        let cluster = net.cluster(payer.insecure_clone());
        let maker = Keypair::new();
        let args = ApproveMakerArgs {
            maker_authority: maker.pubkey(),
            name: "Acme Batteries".into(),
            quota: 10,
        };
        let ix = registry::approve_maker(&payer.pubkey(), &payer.pubkey(), &network, args);
        cluster.send(&[ix], &[]).await.expect("approve maker");
        let usdc = token::create_mint(&cluster, &payer.pubkey(), 6)
            .await
            .unwrap();
        World {
            net,
            cluster,
            dir: tempfile::tempdir().unwrap(),
            network,
            usdc,
            maker,
        }
    }

    /// A wallet with 1 SOL, its keypair file, and a USDC account holding
    /// `usdc` base units (none when 0).
    async fn wallet(&self, name: &str, usdc: u64) -> (Keypair, String, Option<Pubkey>) {
        let wallet = Keypair::new();
        self.cluster
            .airdrop(&wallet.pubkey(), SOL)
            .await
            .expect("airdrop");
        let file = keypair_file(self.dir.path(), name, &wallet);
        let account = if usdc > 0 {
            let account = token::create_token_account(&self.cluster, &self.usdc, &wallet.pubkey())
                .await
                .unwrap();
            token::mint_to(&self.cluster, &self.usdc, &account, &self.net.payer(), usdc)
                .await
                .unwrap();
            Some(account)
        } else {
            None
        };
        (wallet, file, account)
    }

    /// A battery registered to `owner`; returns its device key.
    async fn device(&self, owner: &Pubkey) -> Pubkey {
        let battery = Keypair::new();
        let device = NewDevice {
            device_key: battery.pubkey(),
            owner: *owner,
            kind: DeviceKind::Battery,
            location: 0x8928308280fffff,
            capacity: 13_500,
        };
        let payer = self.cluster.payer().pubkey();
        let ix =
            registry::register_device(&payer, &self.network, &self.maker.pubkey(), &device, None);
        self.cluster
            .send(&[ix], &[&battery, &self.maker])
            .await
            .expect("register device");
        battery.pubkey()
    }

    async fn wait_past(&self, deadline: i64) {
        harness::wait_for_cluster_time(&self.cluster, deadline + 1).await;
    }
}

/// The success path of an investment: market fee, tokenize, retain, an
/// offering, purchases (a dry run first), revenue while the offering is
/// open, close with the network's fee, delivery, claims, shares in and out
/// of the holding, both portfolios, and the asset's controls; plus the
/// error paths on the way (non-owner tokenizing, too little of the payment
/// token, beyond supply, nothing to claim, wrong authority, missing keypair,
/// bad input).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn invest_earn_claim_and_portfolio() {
    let started = Instant::now();
    let w = World::start().await;
    let net = &w.net;
    let cluster = &w.cluster;
    let usdc = w.usdc.to_string();
    let (dave, dave_file, dave_usdc) = w.wallet("dave", 50 * USDC).await;
    let dave_usdc = dave_usdc.unwrap();
    let (alice, alice_file, alice_usdc) = w.wallet("alice", 100 * USDC).await;
    let alice_usdc = alice_usdc.unwrap();
    let (bob, bob_file, bob_usdc) = w.wallet("bob", 100 * USDC).await;
    let bob_usdc = bob_usdc.unwrap();
    let (_carol, carol_file, carol_usdc) = w.wallet("carol", 10 * USDC).await;
    let carol_usdc = carol_usdc.unwrap();
    let treasury = Keypair::new().pubkey();
    let device_key = w.device(&dave.pubkey()).await;
    let device_key_s = device_key.to_string();

    // The network's market: 2.5% of successful offerings to the treasury.
    let set = net.run(&[
        "fractional",
        "market",
        "set",
        "0",
        "--fee-bps",
        "250",
        "--fee-recipient",
        &treasury.to_string(),
    ]);
    assert_eq!(set["fee_bps"], 250);
    assert!(set["transaction"]["signature"].is_string());
    let market = net.run(&["fractional", "market", "show", "0"]);
    assert_eq!(market["configured"], true);
    assert_eq!(market["fee_bps"], 250);
    assert_eq!(pubkey(&market["fee_recipient"]), treasury);
    // ...which only a treasury member may set.
    let stderr = fails_with(
        net,
        &[
            "fractional",
            "market",
            "set",
            "0",
            "--fee-bps",
            "1",
            "--fee-recipient",
            &treasury.to_string(),
            "--authority",
            &alice_file,
        ],
        1,
    );
    assert!(
        stderr.contains("AccountNotInitialized") || stderr.contains("MissingPermission"),
        "{stderr}"
    );

    // Only the device's owner may tokenize it.
    let tokenize = |owner: &str| {
        vec![
            "fractional".to_string(),
            "tokenize".into(),
            "0".into(),
            device_key_s.clone(),
            "--payment-mint".into(),
            usdc.clone(),
            "--shares".into(),
            "100".into(),
            "--owner".into(),
            owner.to_string(),
        ]
    };
    let args = tokenize(&alice_file);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let stderr = fails_with(net, &args, 1);
    assert!(stderr.contains("NotDeviceOwner"), "{stderr}");
    let args = tokenize(&dave_file);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let tokenized = net.run(&args);
    let asset = pubkey(&tokenized["asset"]);
    let record = depin_client::depin_registry::pda::device(&w.network, &device_key).0;
    let keys = AssetKeys::of_device(&record);
    assert_eq!(asset, keys.asset);
    assert_eq!(pubkey(&tokenized["device"]), record);
    assert_eq!(pubkey(&tokenized["share_mint"]), keys.share_mint);
    assert_eq!(tokenized["total_shares"], 100);
    let stored = fractional::asset(cluster, &keys).await.unwrap();
    assert_eq!(
        (stored.authority, stored.total_shares),
        (dave.pubkey(), 100)
    );
    let device = registry::device(cluster, &w.network, &device_key)
        .await
        .unwrap();
    assert_eq!(device.owner, asset, "the record passed to the asset");
    let asset_s = asset.to_string();

    // dave keeps 10 shares.
    let retained = net.run(&[
        "fractional",
        "retain",
        &asset_s,
        "10",
        "--authority",
        &dave_file,
    ]);
    assert_eq!(retained["shares"], 10);
    let (earning, _) = revenue::position(cluster, &keys.share_mint, &dave.pubkey())
        .await
        .unwrap();
    assert_eq!(earning, 10);

    // An offering: 60 shares at 1.5 USDC, soft cap 30, per-investor cap 50.
    let offer = net.run(&[
        "fractional",
        "offer",
        &record.to_string(),
        "--price",
        "1.5",
        "--shares",
        "60",
        "--soft-cap",
        "30",
        "--deadline",
        "+1d",
        "--per-investor-cap",
        "50",
        "--authority",
        &dave_file,
    ]);
    let offering = pubkey(&offer["offering"]);
    assert_eq!(offering, keys.offering(0));
    assert_eq!(amount(&offer["price_per_share"]), 1_500_000);
    assert_eq!(offer["price_per_share"]["ui_amount"], "1.5");
    let offering_s = offering.to_string();
    let shown = net.run(&["fractional", "show-offering", &offering_s]);
    assert_eq!(shown["state"], "open");
    assert_eq!(shown["shares_for_sale"], 60);
    assert_eq!(shown["soft_cap"], 30);
    assert_eq!(shown["fee_bps"], 250);
    assert_eq!(shown["purchases"].as_array().unwrap().len(), 0);
    for filter in [["--asset", asset_s.as_str()], ["--network", "0"]] {
        let listed = net.run(&["fractional", "offerings", filter[0], filter[1]]);
        let listed = listed["offerings"].as_array().unwrap();
        assert_eq!(listed.len(), 1, "{filter:?}");
        assert_eq!(pubkey(&listed[0]["address"]), offering);
    }

    // Too little of the payment token: caught before sending, with the
    // account and the amounts.
    let stderr = fails_with(
        net,
        &[
            "fractional",
            "buy",
            &offering_s,
            "10",
            "--buyer",
            &carol_file,
        ],
        1,
    );
    assert!(
        stderr.contains("not enough tokens")
            && stderr.contains(&carol_usdc.to_string())
            && stderr.contains("holds 10 ")
            && stderr.contains("costs 15"),
        "{stderr}"
    );
    // A dry run sends nothing.
    let dry = net.run(&[
        "fractional",
        "buy",
        &offering_s,
        "20",
        "--buyer",
        &alice_file,
        "--dry-run",
    ]);
    assert!(dry["dry_run"]["compute_units"].as_u64().unwrap() > 0);
    assert!(dry.get("transaction").is_none());
    assert_eq!(amount(&dry["cost"]), 30 * USDC);
    assert_eq!(balance(cluster, &alice_usdc).await, 100 * USDC);
    assert!(cluster
        .get_account(&keys.purchase(0, &alice.pubkey()))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        fractional::offering(cluster, &keys, 0).await.unwrap().sold,
        0
    );

    // alice buys 40 (60 USDC), bob 20; bob's 25 more would exceed the supply.
    let bought = net.run(&[
        "fractional",
        "buy",
        &offering_s,
        "40",
        "--buyer",
        &alice_file,
    ]);
    assert_eq!(amount(&bought["cost"]), 60 * USDC);
    assert_eq!(pubkey(&bought["payment_source"]), alice_usdc);
    assert_eq!(balance(cluster, &alice_usdc).await, 40 * USDC);
    let stderr = fails_with(
        net,
        &["fractional", "buy", &offering_s, "25", "--buyer", &bob_file],
        1,
    );
    assert!(stderr.contains("SoldOut"), "{stderr}");
    net.run(&["fractional", "buy", &offering_s, "20", "--buyer", &bob_file]);
    assert_eq!(balance(cluster, &bob_usdc).await, 70 * USDC);
    let shown = net.run(&["fractional", "show-offering", &offering_s]);
    assert_eq!(shown["sold"], 60);
    assert_eq!(amount(&shown["raised"]), 90 * USDC);
    assert_eq!(shown["purchases"].as_array().unwrap().len(), 2);

    // Revenue while the offering is open: 7 USDC over 70 earning shares.
    let deposit = net.run(&[
        "revenue",
        "deposit",
        &asset_s,
        "7",
        "--depositor",
        &dave_file,
    ]);
    assert_eq!(amount(&deposit["amount"]), 7 * USDC);
    assert_eq!(pubkey(&deposit["source"]), dave_usdc);
    assert_eq!(balance(cluster, &dave_usdc).await, 43 * USDC);
    // alice's portfolio before delivery: her purchase and what it earned.
    let folio = net.run(&["portfolio", &alice.pubkey().to_string()]);
    let line = &folio["holdings"][0];
    assert_eq!(line["purchased_shares"], 40);
    assert_eq!(line["shares"], 40);
    assert_eq!(line["percent_of_machine"], "40.0000");
    assert_eq!(amount(&line["purchase_revenue"]), 4 * USDC);

    let stderr = fails_with(net, &["fractional", "refund", &offering_s], 1);
    assert!(
        stderr.contains("is open: refunds are for failed offerings"),
        "{stderr}"
    );

    // Sold out: anyone closes it. The treasury's account is created for
    // the fee; dave's proceeds go to his USDC account.
    let closed = net.run(&["fractional", "close", &offering_s]);
    assert_eq!(closed["state"], "succeeded");
    assert_eq!(pubkey(&closed["proceeds_account"]), dave_usdc);
    let fee_account = pubkey(&closed["fee_account"]);
    assert_eq!(fee_account, token::associated_address(&treasury, &w.usdc));
    assert_eq!(balance(cluster, &fee_account).await, 2_250_000);
    assert_eq!(balance(cluster, &dave_usdc).await, 43 * USDC + 87_750_000);
    // Every purchase delivered (one transaction each).
    let delivered = net.run(&["fractional", "deliver", &offering_s]);
    let deliveries = delivered["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries
        .iter()
        .all(|d| d["transaction"]["signature"].is_string()));
    assert!(
        cluster.get_account(&offering).await.unwrap().is_none(),
        "settled and closed"
    );
    for (investor, shares, revenue_usdc) in [(&alice, 40, 4 * USDC), (&bob, 20, 2 * USDC)] {
        let (earning, claimable) = revenue::position(cluster, &keys.share_mint, &investor.pubkey())
            .await
            .unwrap();
        assert_eq!((earning, claimable), (shares, revenue_usdc));
    }
    let stderr = fails_with(
        net,
        &[
            "fractional",
            "deliver",
            &offering_s,
            &alice.pubkey().to_string(),
        ],
        1,
    );
    assert!(stderr.contains("is not an offering"), "{stderr}");

    // Claims: alice takes her 4 USDC; a second claim has nothing.
    let holding = net.run(&["revenue", "holding", &asset_s, &alice.pubkey().to_string()]);
    assert_eq!(holding["shares"], 40);
    assert_eq!(amount(&holding["claimable"]), 4 * USDC);
    assert_eq!(amount(&holding["pool"]["total_deposited"]), 7 * USDC);
    let claim = net.run(&["revenue", "claim", &asset_s, "--owner", &alice_file]);
    assert_eq!(amount(&claim["claimed"]), 4 * USDC);
    assert_eq!(pubkey(&claim["destination"]), alice_usdc);
    assert_eq!(balance(cluster, &alice_usdc).await, 44 * USDC);
    let stderr = fails_with(
        net,
        &["revenue", "claim", &asset_s, "--owner", &alice_file],
        1,
    );
    assert!(stderr.contains("NothingToClaim"), "{stderr}");
    let stderr = fails_with(
        net,
        &["revenue", "claim", &asset_s, "--owner", &carol_file],
        1,
    );
    assert!(stderr.contains("has no holding"), "{stderr}");

    // Shares out of the holding (a share account is created) and back.
    let out = net.run(&[
        "revenue",
        "withdraw-shares",
        &asset_s,
        "15",
        "--owner",
        &alice_file,
    ]);
    let share_account = pubkey(&out["destination"]);
    assert_eq!(
        share_account,
        token::associated_address(&alice.pubkey(), &keys.share_mint)
    );
    assert_eq!(balance(cluster, &share_account).await, 15);
    let back = net.run(&[
        "revenue",
        "deposit-shares",
        &asset_s,
        "5",
        "--owner",
        &alice_file,
    ]);
    assert_eq!(pubkey(&back["source"]), share_account);
    assert_eq!(balance(cluster, &share_account).await, 10);
    let (earning, _) = revenue::position(cluster, &keys.share_mint, &alice.pubkey())
        .await
        .unwrap();
    assert_eq!(earning, 30);
    let stderr = fails_with(
        net,
        &[
            "revenue",
            "deposit-shares",
            &asset_s,
            "11",
            "--owner",
            &alice_file,
        ],
        1,
    );
    assert!(
        stderr.contains("not enough tokens") && stderr.contains(&share_account.to_string()),
        "{stderr}"
    );

    // alice's portfolio: 30 earning + 10 in the wallet = 40% of the
    // machine, 4 USDC received, nothing claimable.
    let folio = net.run(&["portfolio", &alice.pubkey().to_string()]);
    assert_eq!(pubkey(&folio["owner"]), alice.pubkey());
    let holdings = folio["holdings"].as_array().unwrap();
    assert_eq!(holdings.len(), 1);
    let line = &holdings[0];
    assert_eq!(pubkey(&line["asset"]), asset);
    assert_eq!(pubkey(&line["device"]), record);
    assert_eq!(
        (
            line["earning_shares"].as_u64(),
            line["wallet_shares"].as_u64(),
            line["shares"].as_u64()
        ),
        (Some(30), Some(10), Some(40))
    );
    assert_eq!(line["purchased_shares"], 0);
    assert_eq!(line["percent_of_machine"], "40.0000");
    assert_eq!(amount(&line["claimable"]), 0);
    assert_eq!(amount(&line["received"]), 4 * USDC);
    assert_eq!(line["received"]["ui_amount"], "4");
    assert!(folio["devices"].as_array().unwrap().is_empty());
    let text = human(&w, &["portfolio", &alice.pubkey().to_string()]);
    assert!(
        text.contains(&asset.to_string()) && text.contains("40/100") && text.contains("40.0000%"),
        "{text}"
    );
    assert!(text.contains("No devices."), "{text}");
    // dave: his 10 retained shares with 1 USDC claimable, and his device
    // (tokenized).
    let folio = net.run(&["portfolio", &dave.pubkey().to_string(), "--no-history"]);
    let line = &folio["holdings"][0];
    assert_eq!(
        (line["shares"].as_u64(), line["percent_of_machine"].as_str()),
        (Some(10), Some("10.0000"))
    );
    assert_eq!(amount(&line["claimable"]), USDC);
    assert!(line["received"].is_null());
    let devices = folio["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(pubkey(&devices[0]["address"]), record);
    assert_eq!(pubkey(&devices[0]["device_key"]), device_key);
    assert_eq!(pubkey(&devices[0]["asset"]), asset);
    assert_eq!(devices[0]["status"], "active");

    // The asset: show, list, and its controls.
    let shown = net.run(&["fractional", "show-asset", &record.to_string()]);
    assert_eq!(pubkey(&shown["address"]), asset);
    assert_eq!(
        (shown["issued"].as_u64(), shown["unissued"].as_u64()),
        (Some(70), Some(30))
    );
    assert_eq!(shown["offering_count"], 1);
    let listed = net.run(&[
        "fractional",
        "assets",
        "--authority",
        &dave.pubkey().to_string(),
    ]);
    assert_eq!(listed["assets"].as_array().unwrap().len(), 1);
    let operator = Keypair::new().pubkey();
    let set = net.run(&[
        "fractional",
        "asset-operator",
        &asset_s,
        &operator.to_string(),
        "--authority",
        &dave_file,
    ]);
    assert_eq!(pubkey(&set["operator"]), operator);
    let device = registry::device(cluster, &w.network, &device_key)
        .await
        .unwrap();
    assert_eq!(device.operator, operator);
    let cleared = net.run(&[
        "fractional",
        "asset-operator",
        &asset_s,
        "none",
        "--authority",
        &dave_file,
    ]);
    assert!(cleared["operator"].is_null());
    let moved = net.run(&[
        "fractional",
        "transfer-asset",
        &asset_s,
        &bob.pubkey().to_string(),
        "--authority",
        &dave_file,
    ]);
    assert_eq!(pubkey(&moved["new_authority"]), bob.pubkey());
    assert_eq!(
        fractional::asset(cluster, &keys).await.unwrap().authority,
        bob.pubkey()
    );
    let stderr = fails_with(
        net,
        &[
            "fractional",
            "retire-asset",
            &asset_s,
            "--authority",
            &dave_file,
        ],
        1,
    );
    assert!(stderr.contains("NotAssetAuthority"), "{stderr}");
    net.run(&[
        "fractional",
        "retire-asset",
        &asset_s,
        "--authority",
        &bob_file,
    ]);
    assert!(fractional::asset(cluster, &keys).await.unwrap().retired);

    // Bad input and missing files.
    let stderr = fails_with(net, &["fractional", "buy", &offering_s, "ten"], 2);
    assert!(stderr.contains("invalid value"), "{stderr}");
    let stderr = fails_with(
        net,
        &[
            "revenue",
            "claim",
            &asset_s,
            "--owner",
            "/nonexistent/alice.json",
        ],
        1,
    );
    assert!(stderr.contains("/nonexistent/alice.json"), "{stderr}");
    let stderr = fails_with(net, &["fractional", "show-asset", &treasury.to_string()], 1);
    assert!(stderr.contains("not a tokenized asset"), "{stderr}");
    let stderr = fails_with(
        net,
        &[
            "revenue",
            "deposit",
            &asset_s,
            "1.0000001",
            "--depositor",
            &dave_file,
        ],
        1,
    );
    assert!(
        stderr.contains("more than the mint's 6 decimals"),
        "{stderr}"
    );
    println!(
        "bench cli_frac invest: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Offerings that do not go through: allowlist-only sales, a missed
/// deadline (buying after it fails by name, closing fails the offering,
/// every buyer refunded in full), a cancelled offering (only by its
/// authority), and tokenizing signed offline by the owner and sent by
/// the fee payer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn allowlist_deadline_refund_cancel_and_offline_tokenize() {
    let started = Instant::now();
    let w = World::start().await;
    let net = &w.net;
    let cluster = &w.cluster;
    let payer = net.payer();
    let usdc = w.usdc.to_string();
    let (dave, dave_file, _) = w.wallet("dave", 0).await;
    let (carol, carol_file, carol_usdc) = w.wallet("carol", 10 * USDC).await;
    let carol_usdc = carol_usdc.unwrap();
    let (_, erin_file, erin_usdc) = w.wallet("erin", 10 * USDC).await;
    let erin_usdc = erin_usdc.unwrap();
    let device_key = w.device(&dave.pubkey()).await;
    let record = depin_client::depin_registry::pda::device(&w.network, &device_key).0;
    let keys = AssetKeys::of_device(&record);

    // Tokenizing with the owner's signature made offline: dave signs with
    // only the fee payer's public key; the fee payer adds his signature and sends.
    let blockhash = net.run(&["blockhash"]);
    let blockhash = blockhash["blockhash"].as_str().unwrap().to_string();
    let base = [
        "fractional",
        "tokenize",
        "0",
        &device_key.to_string(),
        "--payment-mint",
        &usdc,
        "--shares",
        "50",
    ];
    let mut signing: Vec<&str> = base.to_vec();
    let payer_key = payer.pubkey().to_string();
    signing.extend([
        "--owner",
        &dave_file,
        "--fee-payer",
        &payer_key,
        "--sign-only",
        "--blockhash",
        &blockhash,
    ]);
    let signed = net.run(&signing);
    let signers = signed["signers"].as_array().unwrap();
    assert_eq!(signers.len(), 1);
    let dave_signature = signers[0].as_str().unwrap().to_string();
    assert!(dave_signature.starts_with(&dave.pubkey().to_string()));
    assert_eq!(signed["absent"][0], payer_key);
    assert!(
        cluster.get_account(&keys.asset).await.unwrap().is_none(),
        "nothing sent"
    );
    let dave_key = dave.pubkey().to_string();
    let mut sending: Vec<&str> = base.to_vec();
    sending.extend([
        "--owner",
        &dave_key,
        "--blockhash",
        &blockhash,
        "--signer",
        &dave_signature,
    ]);
    let sent = net.run(&sending);
    assert!(sent["transaction"]["signature"].is_string());
    assert_eq!(
        fractional::asset(cluster, &keys).await.unwrap().authority,
        dave.pubkey()
    );
    let asset_s = keys.asset.to_string();

    // An allowlist-only offering with a deadline a few seconds away.
    let offer = net.run(&[
        "fractional",
        "offer",
        &asset_s,
        "--price",
        "1",
        "--shares",
        "50",
        "--deadline",
        "+8s",
        "--allowlist",
        "--authority",
        &dave_file,
    ]);
    assert_eq!(offer["allowlist_required"], true);
    assert_eq!(offer["soft_cap"], 50);
    let deadline = offer["deadline"].as_i64().unwrap();
    let offering_s = offer["offering"].as_str().unwrap().to_string();
    let stderr = fails_with(
        net,
        &[
            "fractional",
            "buy",
            &offering_s,
            "5",
            "--buyer",
            &carol_file,
        ],
        1,
    );
    assert!(stderr.contains("NotAllowlisted"), "{stderr}");
    // Only compliance members keep the allowlist.
    let carol_key = carol.pubkey().to_string();
    let stderr = fails_with(
        net,
        &[
            "fractional",
            "allowlist",
            "0",
            &carol_key,
            "--authority",
            &carol_file,
        ],
        1,
    );
    assert!(
        stderr.contains("AccountNotInitialized") || stderr.contains("MissingPermission"),
        "{stderr}"
    );
    let allowed = net.run(&["fractional", "allowlist", "0", &carol_key]);
    assert_eq!(allowed["allowed"], true);
    assert!(
        fractional::allow_entry(cluster, &w.network, &carol.pubkey())
            .await
            .unwrap()
            .unwrap()
            .allowed
    );
    net.run(&[
        "fractional",
        "buy",
        &offering_s,
        "5",
        "--buyer",
        &carol_file,
    ]);
    assert_eq!(balance(cluster, &carol_usdc).await, 5 * USDC);
    let removed = net.run(&["fractional", "allowlist", "0", &carol_key, "--remove"]);
    assert_eq!(removed["allowed"], false);
    let stderr = fails_with(
        net,
        &[
            "fractional",
            "buy",
            &offering_s,
            "1",
            "--buyer",
            &carol_file,
        ],
        1,
    );
    assert!(stderr.contains("NotAllowlisted"), "{stderr}");
    net.run(&["fractional", "allowlist", "0", &carol_key]);

    // Too early to close; after the deadline buying fails by name and the
    // offering fails (5 of 50 sold): carol is refunded in full.
    let stderr = fails_with(net, &["fractional", "close", &offering_s], 1);
    assert!(stderr.contains("TooEarlyToClose"), "{stderr}");
    w.wait_past(deadline).await;
    let stderr = fails_with(
        net,
        &[
            "fractional",
            "buy",
            &offering_s,
            "1",
            "--buyer",
            &carol_file,
        ],
        1,
    );
    assert!(stderr.contains("DeadlinePassed"), "{stderr}");
    let closed = net.run(&["fractional", "close", &offering_s]);
    assert_eq!(closed["state"], "failed");
    let stderr = fails_with(net, &["fractional", "deliver", &offering_s], 1);
    assert!(
        stderr.contains("is failed: purchases are delivered after a success"),
        "{stderr}"
    );
    let refunded = net.run(&["fractional", "refund", &offering_s, &carol_key]);
    assert_eq!(amount(&refunded["refund"]), 5 * USDC);
    assert_eq!(pubkey(&refunded["destination"]), carol_usdc);
    assert_eq!(balance(cluster, &carol_usdc).await, 10 * USDC);
    let offering: Pubkey = offering_s.parse().unwrap();
    assert!(
        cluster.get_account(&offering).await.unwrap().is_none(),
        "settled and closed"
    );
    let stored = fractional::asset(cluster, &keys).await.unwrap();
    assert_eq!((stored.issued, stored.open_offering), (0, false));

    // A second offering nobody bought from: only its authority cancels it.
    let offer = net.run(&[
        "fractional",
        "offer",
        &asset_s,
        "--price",
        "2",
        "--shares",
        "20",
        "--deadline",
        "+1d",
        "--authority",
        &dave_file,
    ]);
    assert_eq!(offer["id"], 1);
    let offering_s = offer["offering"].as_str().unwrap().to_string();
    let dry = net.run(&[
        "fractional",
        "buy",
        &offering_s,
        "5",
        "--buyer",
        &erin_file,
        "--dry-run",
    ]);
    assert_eq!(amount(&dry["cost"]), 10 * USDC);
    assert_eq!(balance(cluster, &erin_usdc).await, 10 * USDC);
    let stderr = fails_with(
        net,
        &[
            "fractional",
            "cancel",
            &offering_s,
            "--authority",
            &carol_file,
        ],
        1,
    );
    assert!(stderr.contains("NotAssetAuthority"), "{stderr}");
    let cancelled = net.run(&[
        "fractional",
        "cancel",
        &offering_s,
        "--authority",
        &dave_file,
    ]);
    assert_eq!(pubkey(&cancelled["asset"]), keys.asset);
    assert!(cluster
        .get_account(&offering_s.parse().unwrap())
        .await
        .unwrap()
        .is_none());
    let shown = net.run(&["fractional", "show-asset", &asset_s]);
    assert_eq!(
        (
            shown["open_offering"].as_bool(),
            shown["offering_count"].as_u64()
        ),
        (Some(false), Some(2))
    );
    let listed = net.run(&["fractional", "offerings"]);
    assert!(listed["offerings"].as_array().unwrap().is_empty());
    println!(
        "bench cli_frac refunds: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
