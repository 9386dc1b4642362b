//! `depin token ...` through the binary on a real `solana-test-validator`,
//! and the message when a signer other than the fee payer lacks SOL.
//! `#[ignore]`d in the plain native run; `scripts/test.sh` runs it.

#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;

use std::path::Path;

use depin_client::{token, Keypair, Signer};

use harness::{amount, fails, Localnet};

fn write_keypair(dir: &Path, name: &str, keypair: &Keypair) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{:?}", keypair.to_bytes().to_vec())).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn mints_accounts_transfers_and_balances() {
    let net = Localnet::with_programs().await;
    let payer = net.payer();
    let cluster = net.cluster(payer.insecure_clone());
    let dir = tempfile::tempdir().unwrap();

    // create-mint at a chosen address; the payer holds the mint authority.
    let mint_key = Keypair::new();
    let mint_file = write_keypair(dir.path(), "mint.json", &mint_key);
    let created = net.run(&[
        "token",
        "create-mint",
        "--decimals",
        "6",
        "--mint-keypair",
        &mint_file,
    ]);
    let mint = mint_key.pubkey();
    assert_eq!(created["mint"], mint.to_string());
    assert_eq!(created["authority"], payer.pubkey().to_string());
    assert_eq!(token::mint_decimals(&cluster, &mint).await.unwrap(), 6);
    let mint_s = mint.to_string();

    // create-account: created once, then reported as existing.
    let alice = Keypair::new();
    let alice_file = write_keypair(dir.path(), "alice.json", &alice);
    let alice_s = alice.pubkey().to_string();
    let account = net.run(&["token", "create-account", &mint_s, "--owner", &alice_s]);
    assert_eq!(account["created"], true);
    let alice_ata = token::associated_address(&alice.pubkey(), &mint);
    assert_eq!(account["account"], alice_ata.to_string());
    let again = net.run(&["token", "create-account", &mint_s, "--owner", &alice_s]);
    assert_eq!(again["created"], false);
    assert!(again.get("transaction").is_none());

    // mint in UI units, exactly.
    let minted = net.run(&["token", "mint", &mint_s, "12.5", "--to", &alice_s]);
    assert_eq!(amount(&minted["amount"]), 12_500_000);
    assert_eq!(minted["amount"]["ui_amount"], "12.5");
    assert_eq!(
        token::balance(&cluster, &alice_ata).await.unwrap(),
        12_500_000
    );
    // ...only by the mint authority.
    let stderr = fails(
        &net,
        &[
            "token",
            "mint",
            &mint_s,
            "1",
            "--to",
            &alice_s,
            "--authority",
            &alice_file,
        ],
    );
    assert!(
        stderr.contains("OwnerMismatch") || stderr.contains("owner does not match"),
        "{stderr}"
    );
    let stderr = fails(&net, &["token", "mint", &mint_s, "0.0000001"]);
    assert!(stderr.contains("decimals"), "{stderr}");

    // transfer creates the recipient's account; more than held is refused
    // before sending, naming the account and both amounts.
    net.cluster(payer.insecure_clone())
        .airdrop(&alice.pubkey(), 1_000_000_000)
        .await
        .unwrap();
    let bob = Keypair::new().pubkey();
    let bob_s = bob.to_string();
    let stderr = fails(
        &net,
        &[
            "token",
            "transfer",
            &mint_s,
            "13",
            &bob_s,
            "--from",
            &alice_file,
        ],
    );
    assert!(
        stderr.contains("not enough tokens")
            && stderr.contains(&alice_ata.to_string())
            && stderr.contains("12.5")
            && stderr.contains("13"),
        "{stderr}"
    );
    let sent = net.run(&[
        "token",
        "transfer",
        &mint_s,
        "2.5",
        &bob_s,
        "--from",
        &alice_file,
    ]);
    assert_eq!(amount(&sent["amount"]), 2_500_000);
    let bob_ata = token::associated_address(&bob, &mint);
    assert_eq!(token::balance(&cluster, &bob_ata).await.unwrap(), 2_500_000);
    assert_eq!(
        token::balance(&cluster, &alice_ata).await.unwrap(),
        10_000_000
    );

    // balance: per account and in all; display form is the total alone.
    let balance = net.run(&["token", "balance", &mint_s, &alice_s]);
    assert_eq!(amount(&balance["total"]), 10_000_000);
    assert_eq!(balance["accounts"].as_array().unwrap().len(), 1);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_depin"))
        .env("HOME", dir.path())
        .args(["-u", &net.url(), "-k", net.payer_file.to_str().unwrap()])
        .args(["token", "balance", &mint_s, &bob_s])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "2.5");

    // A dry run of a mint sends nothing.
    let dry = net.run(&["token", "mint", &mint_s, "1", "--to", &bob_s, "--dry-run"]);
    let written = dry["dry_run"]["accounts"].as_array().unwrap();
    let bob_change = written
        .iter()
        .find(|a| a["address"] == bob_ata.to_string())
        .expect("bob's account is written");
    assert_eq!(bob_change["token"]["before"], 2_500_000);
    assert_eq!(bob_change["token"]["after"], 3_500_000);
    assert_eq!(token::balance(&cluster, &bob_ata).await.unwrap(), 2_500_000);
}

/// A buyer without SOL cannot pay its purchase record's rent: the message
/// names the buyer (not the fee payer, who has plenty) and what it needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn a_signer_short_of_sol_is_named() {
    let net = Localnet::with_programs().await;
    let dir = tempfile::tempdir().unwrap();
    let payer = net.payer();
    let payer_s = payer.pubkey().to_string();
    net.run(&[
        "init",
        "--network",
        "t",
        "--grant",
        &format!("maker-manager={payer_s}"),
    ]);
    net.run(&[
        "maker", "approve", "0", &payer_s, "--name", "m", "--quota", "5",
    ]);
    let device = Keypair::new();
    let device_file = write_keypair(dir.path(), "device.json", &device);
    net.run(&[
        "device",
        "register",
        "0",
        "--device-key",
        &device_file,
        "--maker-authority",
        net.payer_file.to_str().unwrap(),
        "--kind",
        "battery",
        "--location",
        "0",
        "--capacity",
        "100",
    ]);
    let usdc_key = Keypair::new();
    let usdc_file = write_keypair(dir.path(), "usdc.json", &usdc_key);
    net.run(&["token", "create-mint", "--mint-keypair", &usdc_file]);
    let usdc = usdc_key.pubkey().to_string();
    let asset = net.run(&[
        "fractional",
        "tokenize",
        "0",
        &device.pubkey().to_string(),
        "--payment-mint",
        &usdc,
        "--shares",
        "10",
    ])["asset"]
        .as_str()
        .unwrap()
        .to_string();
    let offering = net.run(&[
        "fractional",
        "offer",
        &asset,
        "--price",
        "1",
        "--shares",
        "10",
        "--deadline",
        "+1h",
    ])["offering"]
        .as_str()
        .unwrap()
        .to_string();
    let buyer = Keypair::new();
    let buyer_file = write_keypair(dir.path(), "buyer.json", &buyer);
    net.run(&[
        "token",
        "mint",
        &usdc,
        "10",
        "--to",
        &buyer.pubkey().to_string(),
    ]);
    let stderr = fails(
        &net,
        &["fractional", "buy", &offering, "2", "--buyer", &buyer_file],
    );
    assert!(
        stderr.contains(&buyer.pubkey().to_string())
            && stderr.contains("holds 0.000000000 SOL")
            && !stderr.contains(&format!("fee payer {payer_s}")),
        "{stderr}"
    );
}
