//! `depin network ...`, `blockhash`, `address`, `config set` and the shared
//! transaction flags (--dry-run, offline signing, --fee-payer) through the
//! real binary on a real `solana-test-validator`. `#[ignore]`d in the plain
//! native run; `scripts/test.sh` runs them after the SBF build.

#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;

use std::path::Path;

use depin_client::depin_registry::pda;
use depin_client::{registry, token, Keypair, Pubkey, Signer};
use serde_json::Value;

use harness::{fails_with, pubkey, Localnet, SOL};

fn write_keypair(dir: &Path, name: &str, keypair: &Keypair) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{:?}", keypair.to_bytes().to_vec())).unwrap();
    path.display().to_string()
}

fn member_roles(list: &Value, member: &Pubkey) -> Option<Vec<String>> {
    list["members"].as_array().unwrap().iter().find_map(|m| {
        (m["authority"] == member.to_string()).then(|| {
            m["roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect()
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn an_operator_runs_a_network() {
    let net = Localnet::with_programs().await;
    let payer = net.payer();
    let cluster = net.cluster(payer.insecure_clone());
    let dir = tempfile::tempdir().unwrap();

    let init = net.run(&["init", "--network", "ops"]);
    let network = pubkey(&init["network"]["address"]);
    let reward_mint = pubkey(&init["reward_mint"]["address"]);
    assert_eq!(network, pda::network(0).0);

    // show / list, by id and by address.
    let shown = net.run(&["network", "show", "0"]);
    assert_eq!(shown["name"], "ops");
    assert_eq!(shown["admins"], 1);
    assert_eq!(shown["paused"], false);
    assert_eq!(shown["fee"], Value::Null);
    assert_eq!(net.run(&["network", "show", &network.to_string()])["id"], 0);

    // create: a second network, and the transaction's figures.
    let created = net.run(&[
        "network",
        "create",
        "--name",
        "second",
        "--reward-mint",
        &reward_mint.to_string(),
        "--epoch-length",
        "600",
    ]);
    assert_eq!(created["id"], 1);
    let tx = &created["transaction"];
    assert!(tx["compute_units"].as_u64().unwrap() > 1_000);
    assert!(tx["fee_lamports"].as_u64().unwrap() >= 5_000);
    assert!(tx["explorer"]
        .as_str()
        .unwrap()
        .contains("cluster=custom&customUrl=http%3A%2F%2F127.0.0.1"));
    let listed = net.run(&["network", "list"]);
    let names: Vec<&str> = listed["networks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ops", "second"]);
    assert_eq!(
        registry::network(&cluster, &pda::network(1).0)
            .await
            .unwrap()
            .epoch_length_secs,
        600
    );

    // update
    net.run(&["network", "update", "0", "--epoch-length", "3600"]);
    assert_eq!(
        net.run(&["network", "show", "0"])["epoch_length_secs"],
        3600
    );
    let stderr = fails_with(&net, &["network", "update", "0"], 1);
    assert!(stderr.contains("nothing to update"), "{stderr}");

    // roles: grant, members, and a member without the role is refused.
    let clerk = Keypair::new();
    let clerk_file = write_keypair(dir.path(), "clerk.json", &clerk);
    net.run(&[
        "network",
        "roles",
        "grant",
        "0",
        &clerk.pubkey().to_string(),
        "compliance,treasury",
    ]);
    let members = net.run(&["network", "members", "0"]);
    assert_eq!(
        member_roles(&members, &clerk.pubkey()),
        Some(vec!["compliance".into(), "treasury".into()])
    );
    assert_eq!(
        member_roles(&members, &payer.pubkey()).map(|r| r.len()),
        Some(7),
        "the creator holds every role"
    );
    let outsider = Keypair::new();
    let outsider_file = write_keypair(dir.path(), "outsider.json", &outsider);
    let stderr = fails_with(
        &net,
        &["network", "pause", "0", "--authority", &outsider_file],
        1,
    );
    assert!(
        stderr.contains("AccountNotInitialized") || stderr.contains("MissingPermission"),
        "{stderr}"
    );
    assert_eq!(net.run(&["network", "show", "0"])["paused"], false);

    // pause / unpause need the admin role: the clerk lacks it.
    let stderr = fails_with(
        &net,
        &["network", "pause", "0", "--authority", &clerk_file],
        1,
    );
    assert!(stderr.contains("MissingPermission"), "{stderr}");
    let paused = net.run(&["network", "pause", "0"]);
    assert_eq!(paused["paused"], true);
    assert_eq!(net.run(&["network", "show", "0"])["paused"], true);
    net.run(&["network", "unpause", "0"]);
    assert_eq!(net.run(&["network", "show", "0"])["paused"], false);

    // fee: set by the treasury member, then removed.
    let fee_mint = token::create_mint(&cluster, &payer.pubkey(), 6)
        .await
        .unwrap();
    let treasury = token::create_token_account(&cluster, &fee_mint, &payer.pubkey())
        .await
        .unwrap();
    let stderr = fails_with(&net, &["network", "fee", "0", "--amount", "5"], 1);
    assert!(stderr.contains("--mint and --treasury"), "{stderr}");
    net.run(&[
        "network",
        "fee",
        "0",
        "--amount",
        "5000000",
        "--mint",
        &fee_mint.to_string(),
        "--treasury",
        &treasury.to_string(),
        "--authority",
        &clerk_file,
    ]);
    let fee = &net.run(&["network", "show", "0"])["fee"];
    assert_eq!(fee["amount"], 5_000_000);
    assert_eq!(pubkey(&fee["treasury"]), treasury);
    net.run(&[
        "network",
        "fee",
        "0",
        "--amount",
        "0",
        "--authority",
        &clerk_file,
    ]);
    assert_eq!(net.run(&["network", "show", "0"])["fee"], Value::Null);

    // --dry-run: what a grant would do, and nothing sent.
    let newcomer = Keypair::new().pubkey();
    let before = cluster.lamports(&payer.pubkey()).await.unwrap();
    let dry = net.run(&[
        "network",
        "roles",
        "grant",
        "0",
        &newcomer.to_string(),
        "oracle",
        "--dry-run",
    ]);
    let member_address = pda::member(&network, &newcomer).0;
    let accounts = dry["dry_run"]["accounts"].as_array().unwrap();
    let member = accounts
        .iter()
        .find(|a| pubkey(&a["address"]) == member_address)
        .expect("the member account is written");
    assert_eq!(member["created"], true);
    assert!(dry["dry_run"]["rent_lamports"].as_u64().unwrap() > 0);
    assert!(dry["dry_run"]["compute_units"].as_u64().unwrap() > 1_000);
    assert!(dry.get("transaction").is_none());
    assert_eq!(cluster.lamports(&payer.pubkey()).await.unwrap(), before);
    assert!(registry::member(&cluster, &network, &newcomer)
        .await
        .unwrap()
        .is_none());

    // Offline signing: a second admin signs on its own machine (it knows
    // only the fee payer's public key), the payer adds its signature and
    // sends.
    let admin2 = Keypair::new();
    let admin2_file = write_keypair(dir.path(), "admin2.json", &admin2);
    net.run(&[
        "network",
        "roles",
        "grant",
        "0",
        &admin2.pubkey().to_string(),
        "admin",
    ]);
    let blockhash = net.run(&["blockhash"])["blockhash"]
        .as_str()
        .unwrap()
        .to_string();
    let grant = |extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = [
            "network",
            "roles",
            "grant",
            "0",
            &newcomer.to_string(),
            "oracle",
            "--blockhash",
            &blockhash,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let offline_args = grant(&[
        "--sign-only",
        "--authority",
        &admin2_file,
        "--fee-payer",
        &payer.pubkey().to_string(),
    ]);
    let offline_refs: Vec<&str> = offline_args.iter().map(String::as_str).collect();
    // The offline side has no keypair at -k and no cluster: it needs neither.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_depin"))
        .env("HOME", dir.path())
        .args(["-u", "http://127.0.0.1:9", "--output", "json"])
        .args(&offline_refs)
        .output()
        .unwrap();
    let signed = harness::parse(&output, &offline_refs);
    assert_eq!(signed["blockhash"], blockhash.as_str());
    assert_eq!(
        signed["absent"],
        serde_json::json!([payer.pubkey().to_string()])
    );
    let pair = signed["signers"][0].as_str().unwrap().to_string();
    assert!(pair.starts_with(&admin2.pubkey().to_string()));

    // A tampered signature is refused before anything is sent.
    let (signer, signature) = pair.split_once('=').unwrap();
    let mut forged = signature.to_string();
    let last = forged.pop().unwrap();
    forged.push(if last == '1' { '2' } else { '1' });
    let bad_args = grant(&[
        "--authority",
        &admin2.pubkey().to_string(),
        "--signer",
        &format!("{signer}={forged}"),
    ]);
    let bad_refs: Vec<&str> = bad_args.iter().map(String::as_str).collect();
    let stderr = fails_with(&net, &bad_refs, 1);
    assert!(
        stderr.contains("does not sign this transaction") || stderr.contains("not a signature"),
        "{stderr}"
    );
    assert!(registry::member(&cluster, &network, &newcomer)
        .await
        .unwrap()
        .is_none());

    let send_args = grant(&[
        "--authority",
        &admin2.pubkey().to_string(),
        "--signer",
        &pair,
    ]);
    let send_refs: Vec<&str> = send_args.iter().map(String::as_str).collect();
    let sent = net.run(&send_refs);
    assert!(sent["transaction"]["signature"].is_string());
    let stored = registry::member(&cluster, &network, &newcomer)
        .await
        .unwrap()
        .expect("granted");
    assert_eq!(registry::permission_names(stored.permissions), ["oracle"]);

    // --fee-payer: another keypair pays the fee, the -k keypair signs.
    let sponsor = Keypair::new();
    let sponsor_file = write_keypair(dir.path(), "sponsor.json", &sponsor);
    net.cluster(payer.insecure_clone())
        .airdrop(&sponsor.pubkey(), SOL)
        .await
        .unwrap();
    let payer_before = cluster.lamports(&payer.pubkey()).await.unwrap();
    let member_rent = cluster
        .lamports(&pda::member(&network, &newcomer).0)
        .await
        .unwrap();
    assert!(member_rent > 0);
    let revoked = net.run(&[
        "network",
        "roles",
        "revoke",
        "0",
        &newcomer.to_string(),
        "oracle",
        "--fee-payer",
        &sponsor_file,
    ]);
    let fee = revoked["transaction"]["fee_lamports"].as_u64().unwrap();
    assert_eq!(
        cluster.lamports(&sponsor.pubkey()).await.unwrap(),
        SOL - fee + member_rent
    );
    assert_eq!(
        cluster.lamports(&payer.pubkey()).await.unwrap(),
        payer_before
    );
    assert!(registry::member(&cluster, &network, &newcomer)
        .await
        .unwrap()
        .is_none());

    // revoke closes a member left without roles.
    net.run(&[
        "network",
        "roles",
        "revoke",
        "0",
        &clerk.pubkey().to_string(),
        "compliance,treasury",
    ]);
    assert_eq!(
        member_roles(&net.run(&["network", "members", "0"]), &clerk.pubkey()),
        None
    );

    // A fee payer without SOL: said so, with its balance and what to do.
    let broke = Keypair::new();
    let broke_file = write_keypair(dir.path(), "broke.json", &broke);
    let stderr = fails_with(
        &net,
        &[
            "network",
            "update",
            "0",
            "--epoch-length",
            "7",
            "--fee-payer",
            &broke_file,
        ],
        1,
    );
    assert!(
        stderr.contains(&broke.pubkey().to_string())
            && stderr.contains("holds 0.000000000 SOL")
            && stderr.contains("airdrop"),
        "{stderr}"
    );
    assert_eq!(
        net.run(&["network", "show", "0"])["epoch_length_secs"],
        3600
    );

    // Bad input and missing files.
    let stderr = fails_with(&net, &["network", "show", "nope"], 2);
    assert!(
        stderr.contains("neither a network id nor an address"),
        "{stderr}"
    );
    let stderr = fails_with(
        &net,
        &[
            "network",
            "roles",
            "grant",
            "0",
            &newcomer.to_string(),
            "king",
        ],
        1,
    );
    assert!(stderr.contains("unknown role"), "{stderr}");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_depin"))
        .env("HOME", dir.path())
        .args(["-u", &net.url(), "-k", "/nonexistent/id.json"])
        .args(["network", "pause", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("/nonexistent/id.json") && stderr.contains("does not exist"),
        "{stderr}"
    );
    let stderr = fails_with(&net, &["network", "show", "9"], 1);
    assert!(stderr.contains("does not exist"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn a_cluster_without_the_programs_says_to_deploy() {
    let net = Localnet::empty().await;
    let mint = Pubkey::new_unique().to_string();
    let stderr = fails_with(
        &net,
        &["network", "create", "--name", "x", "--reward-mint", &mint],
        1,
    );
    assert!(stderr.contains("depin deploy"), "{stderr}");
}

#[test]
fn completions_address_and_config_set() {
    let dir = tempfile::tempdir().unwrap();
    let depin = env!("CARGO_BIN_EXE_depin");
    let run = |args: &[&str]| {
        let output = std::process::Command::new(depin)
            .env("HOME", dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let bash = run(&["completions", "bash"]);
    assert!(
        bash.contains("_depin()") && bash.contains("network"),
        "{bash}"
    );
    let wallet = Keypair::new();
    let wallet_file = write_keypair(dir.path(), "w.json", &wallet);
    run(&["config", "set", "-u", "d", "-k", &wallet_file]);
    let shown: Value = serde_json::from_str(&run(&["config", "get", "--output", "json"])).unwrap();
    assert_eq!(shown["json_rpc_url"], "https://api.devnet.solana.com");
    assert_eq!(shown["keypair_path"], wallet_file.as_str());
    let address: Value = serde_json::from_str(&run(&["address", "--output", "json"])).unwrap();
    assert_eq!(address["address"], wallet.pubkey().to_string());
}
