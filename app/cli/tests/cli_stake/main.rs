//! `depin staking ...` and `depin rewards ...` through the real binary on a
//! real `solana-test-validator` (with the SBF builds). `#[ignore]`d in the
//! plain native run; run with
//! `cargo test -p depin-cli --test cli_stake -- --ignored --test-threads=1`.

#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

use depin_client::rpc::RpcCluster;
use depin_client::{token, Cluster, Keypair, Pubkey, Signer};
use serde_json::Value;

use harness::{amount, fails_with, pubkey, wait_for_cluster_time, Localnet};

/// One whole token of the 6-decimal reward mint `init` creates.
const TOKEN: u64 = 1_000_000;

/// A keypair saved where the CLI can read it.
fn keypair_file(dir: &Path, name: &str) -> (Keypair, PathBuf) {
    let keypair = Keypair::new();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, format!("{:?}", keypair.to_bytes().to_vec())).unwrap();
    (keypair, path)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

struct Setup {
    net: Localnet,
    cluster: RpcCluster,
    payer: Keypair,
    mint: Pubkey,
    dir: tempfile::TempDir,
}

/// A validator with the programs, `depin init` (network 0, 6-decimal
/// reward mint whose authority is the payer) granting `grants`.
async fn setup(grants: &[String]) -> Setup {
    let net = Localnet::with_programs().await;
    let payer = net.payer();
    let mut args = vec!["init", "--network", "t"];
    for grant in grants {
        args.extend(["--grant", grant.as_str()]);
    }
    let init = net.run(&args);
    let mint = pubkey(&init["reward_mint"]["address"]);
    let cluster = net.cluster(payer.insecure_clone());
    Setup {
        net,
        cluster,
        payer,
        mint,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    /// A token account of the reward mint for `owner` holding `amount`.
    async fn funded_account(&self, owner: &Pubkey, amount: u64) -> Pubkey {
        let account = token::create_token_account(&self.cluster, &self.mint, owner)
            .await
            .unwrap();
        if amount > 0 {
            token::mint_to(&self.cluster, &self.mint, &account, &self.payer, amount)
                .await
                .unwrap();
        }
        account
    }

    async fn balance(&self, account: &Pubkey) -> u64 {
        token::balance(&self.cluster, account).await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn staking_from_pool_to_slash() {
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (slasher, slasher_file) = keypair_file(dir.path(), "slasher");
    let setup = setup(&[format!("slasher={}", slasher.pubkey())]).await;
    let net = &setup.net;
    let payer = setup.payer.pubkey();
    let (staker, staker_file) = keypair_file(setup.dir.path(), "staker");
    let staker_file = s(&staker_file);
    let stake_account = setup.funded_account(&staker.pubkey(), 100 * TOKEN).await;
    let treasury = setup.funded_account(&payer, 0).await;
    let funding = setup.funded_account(&payer, 1_000 * TOKEN).await;
    let sa = stake_account.to_string();

    // A network without a pool says how to create one.
    let error = fails_with(net, &["staking", "pool", "--network", "0"], 1);
    assert!(error.contains("create-pool"), "{error}");

    let created = net.run(&[
        "staking",
        "create-pool",
        "--network",
        "0",
        "--treasury",
        &treasury.to_string(),
        "--max-lockup-days",
        "365",
        "--max-multiplier",
        "2.5",
        "--cooldown-days",
        "0",
    ]);
    assert_eq!(created["params"]["max_multiplier_bps"], 25_000);
    assert!(created["transaction"]["signature"].is_string());
    let pool = net.run(&["staking", "pool", "--network", "0"]);
    assert_eq!(pool["address"], created["pool"]);
    assert_eq!(pool["mint"], setup.mint.to_string());
    assert_eq!(pool["treasury"], treasury.to_string());
    assert_eq!(amount(&pool["total_staked"]), 0);
    assert_eq!(pool["params"]["cooldown_secs"], 0);

    // --dry-run sends nothing.
    let dry = net.run(&[
        "staking",
        "stake",
        "10",
        "--network",
        "0",
        "--owner",
        staker_file,
        "--source",
        &sa,
        "--dry-run",
    ]);
    assert!(dry["dry_run"]["compute_units"].as_u64().unwrap() > 0);
    assert!(dry.get("transaction").is_none());
    assert_eq!(setup.balance(&stake_account).await, 100 * TOKEN);

    // Stake 10 locked for 30 days (position 0), then 5 unlocked (position 1).
    let staked = net.run(&[
        "staking",
        "stake",
        "10",
        "--network",
        "0",
        "--lockup-days",
        "30",
        "--owner",
        staker_file,
        "--source",
        &sa,
    ]);
    assert_eq!(staked["id"], 0);
    assert_eq!(amount(&staked["amount"]), 10 * TOKEN);
    assert_eq!(staked["amount"]["ui_amount"], "10");
    assert_eq!(staked["lockup_secs"], 30 * 86_400);
    let staked = net.run(&[
        "staking",
        "stake",
        "5.5",
        "--network",
        "0",
        "--owner",
        staker_file,
        "--source",
        &sa,
    ]);
    assert_eq!(staked["id"], 1);
    assert_eq!(amount(&staked["amount"]), 5_500_000);
    assert_eq!(setup.balance(&stake_account).await, 84_500_000);

    // More than the account holds: a clear message, nothing sent.
    let error = fails_with(
        net,
        &[
            "staking",
            "stake",
            "1000",
            "--network",
            "0",
            "--owner",
            staker_file,
            "--source",
            &sa,
        ],
        1,
    );
    assert!(
        error.contains("not enough tokens")
            && error.contains(&sa)
            && error.contains("84.5")
            && error.contains("1000"),
        "{error}"
    );
    // Bad input: an amount with too many decimals; a flag clap refuses.
    let error = fails_with(
        net,
        &[
            "staking",
            "stake",
            "1.0000001",
            "--network",
            "0",
            "--owner",
            staker_file,
        ],
        1,
    );
    assert!(error.contains("decimals"), "{error}");
    fails_with(
        net,
        &[
            "staking",
            "stake",
            "1",
            "--network",
            "0",
            "--lockup-days",
            "x",
        ],
        2,
    );
    // A missing keypair file.
    let error = fails_with(
        net,
        &[
            "staking",
            "stake",
            "1",
            "--network",
            "0",
            "--owner",
            "/nonexistent/owner.json",
        ],
        1,
    );
    assert!(error.contains("/nonexistent/owner.json"), "{error}");
    // Several positions: the command asks which.
    let error = fails_with(
        net,
        &[
            "staking",
            "claim",
            "--network",
            "0",
            "--owner",
            staker_file,
            "--destination",
            &sa,
        ],
        1,
    );
    assert!(error.contains("--id") && error.contains("0, 1"), "{error}");

    // Rewards: 100 tokens streamed over 100 seconds.
    let funded = net.run(&[
        "staking",
        "fund",
        "100",
        "--network",
        "0",
        "--duration-secs",
        "100",
        "--source",
        &funding.to_string(),
    ]);
    assert_eq!(amount(&funded["amount"]), 100 * TOKEN);
    assert_eq!(funded["duration_secs"], 100);
    assert_eq!(setup.balance(&funding).await, 900 * TOKEN);
    let funded_at = setup.cluster.unix_timestamp().await.unwrap();
    wait_for_cluster_time(&setup.cluster, funded_at + 2).await;

    let shown = net.run(&[
        "staking",
        "position",
        &staker.pubkey().to_string(),
        "--network",
        "0",
    ]);
    let positions = shown["positions"].as_array().unwrap();
    assert_eq!(positions.len(), 2);
    assert!(shown["bond"].is_null());
    let locked = &positions[0];
    assert_eq!(locked["id"], 0);
    assert_eq!(locked["kind"], "stake");
    assert_eq!(locked["locked"], true);
    assert_eq!(amount(&locked["amount"]), 10 * TOKEN);
    // Locked 30 of 365 days at up to 2.5x: weight above the amount.
    let weight: u128 = locked["weight"].as_str().unwrap().parse().unwrap();
    assert!(weight > u128::from(10 * TOKEN), "{locked}");
    assert!(amount(&locked["pending_rewards"]) > 0, "{locked}");
    let unlocked = &positions[1];
    assert_eq!(unlocked["locked"], false);
    let pending = amount(&unlocked["pending_rewards"]);
    assert!(pending > 0, "{unlocked}");
    let position_1 = pubkey(&unlocked["address"]);
    // What the client computes is what the CLI shows (at its own reading).
    let client_pending = depin_client::staking::pending_rewards(
        &setup.cluster,
        &depin_client::depin_registry::pda::network(0).0,
        &position_1,
    )
    .await
    .unwrap();
    assert!(client_pending >= pending);

    let pool = net.run(&["staking", "pool", "--network", "0"]);
    assert_eq!(amount(&pool["total_staked"]), 15_500_000);
    assert_eq!(amount(&pool["total_rewards_funded"]), 100 * TOKEN);
    assert_eq!(amount(&pool["reward_vault_balance"]), 100 * TOKEN);

    // Claim position 1's rewards.
    let before = setup.balance(&stake_account).await;
    let claimed = net.run(&[
        "staking",
        "claim",
        "--network",
        "0",
        "--id",
        "1",
        "--owner",
        staker_file,
        "--destination",
        &sa,
    ]);
    let gained = setup.balance(&stake_account).await - before;
    assert!(
        gained >= amount(&claimed["amount"]) && gained > 0,
        "{claimed}"
    );

    // Extend position 0's lock; a shorter one is refused by the program.
    let lock_end_before = locked["lockup_end"].as_i64().unwrap();
    net.run(&[
        "staking",
        "extend",
        "--network",
        "0",
        "--id",
        "0",
        "--lockup-days",
        "60",
        "--owner",
        staker_file,
    ]);
    let shown = net.run(&[
        "staking",
        "position",
        &staker.pubkey().to_string(),
        "--network",
        "0",
    ]);
    let lock_end_after = shown["positions"][0]["lockup_end"].as_i64().unwrap();
    assert!(lock_end_after >= lock_end_before + 29 * 86_400, "{shown}");
    let error = fails_with(
        net,
        &[
            "staking",
            "extend",
            "--network",
            "0",
            "--id",
            "0",
            "--lockup-days",
            "1",
            "--owner",
            staker_file,
        ],
        1,
    );
    assert!(error.contains("LockupNotExtended"), "{error}");

    // A locked position cannot be unstaked; an unlocked one can, then withdrawn.
    let error = fails_with(
        net,
        &[
            "staking",
            "unstake",
            "--network",
            "0",
            "--id",
            "0",
            "--owner",
            staker_file,
        ],
        1,
    );
    assert!(error.contains("StillLocked"), "{error}");
    let unstaked = net.run(&[
        "staking",
        "unstake",
        "--network",
        "0",
        "--id",
        "1",
        "--owner",
        staker_file,
    ]);
    assert_eq!(amount(&unstaked["amount"]), 5_500_000);
    let before = setup.balance(&stake_account).await;
    let withdrawn = net.run(&[
        "staking",
        "withdraw",
        "--network",
        "0",
        "--id",
        "1",
        "--owner",
        staker_file,
        "--destination",
        &sa,
    ]);
    assert_eq!(amount(&withdrawn["principal"]), 5_500_000);
    let gained = setup.balance(&stake_account).await - before;
    assert!(gained >= 5_500_000, "{withdrawn}");
    let shown = net.run(&[
        "staking",
        "position",
        &staker.pubkey().to_string(),
        "--network",
        "0",
    ]);
    assert_eq!(shown["positions"].as_array().unwrap().len(), 1);

    // Nothing is due to expire today (locks end at a coming midnight).
    let expired = net.run(&["staking", "expire", "--network", "0"]);
    assert_eq!(expired["days"], serde_json::json!([]));
    assert!(expired.get("transaction").is_none());

    // The staker bonds 20 as an operator.
    let bonded = net.run(&[
        "staking",
        "bond",
        "20",
        "--network",
        "0",
        "--operator",
        staker_file,
        "--source",
        &sa,
    ]);
    assert_eq!(amount(&bonded["amount"]), 20 * TOKEN);
    let shown = net.run(&[
        "staking",
        "position",
        &staker.pubkey().to_string(),
        "--network",
        "0",
    ]);
    assert_eq!(shown["bond"]["kind"], "operator-bond");
    assert_eq!(amount(&shown["bond"]["amount"]), 20 * TOKEN);
    assert_eq!(shown["bond"]["address"], bonded["bond"]);

    // The payer (the network's creator, with every role) gives up slashing.
    net.run(&[
        "network",
        "roles",
        "revoke",
        "0",
        &payer.to_string(),
        "slasher",
    ]);
    let operator = staker.pubkey().to_string();
    let error = fails_with(
        net,
        &["staking", "slash", &operator, "1", "--network", "0"],
        1,
    );
    assert!(error.contains("MissingPermission"), "{error}");
    assert_eq!(setup.balance(&treasury).await, 0);

    // The slasher signs offline; the payer's side sends.
    let blockhash = net.run(&["blockhash"]);
    let blockhash = blockhash["blockhash"].as_str().unwrap().to_string();
    let signed = net.run(&[
        "staking",
        "slash",
        &operator,
        "2.5",
        "--network",
        "0",
        "--reason",
        "7",
        "--authority",
        s(&slasher_file),
        "--fee-payer",
        &payer.to_string(),
        "--sign-only",
        "--blockhash",
        &blockhash,
    ]);
    let signers: Vec<String> = signed["signers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(signers.len(), 1);
    assert!(signers[0].starts_with(&slasher.pubkey().to_string()));
    assert_eq!(signed["absent"][0], payer.to_string());
    let slashed = net.run(&[
        "staking",
        "slash",
        &operator,
        "2.5",
        "--network",
        "0",
        "--reason",
        "7",
        "--authority",
        &slasher.pubkey().to_string(),
        "--blockhash",
        &blockhash,
        "--signer",
        &signers[0],
    ]);
    assert_eq!(slashed["reason"], 7);
    assert_eq!(amount(&slashed["amount"]), 2_500_000);
    assert_eq!(setup.balance(&treasury).await, 2_500_000);
    let pool = net.run(&["staking", "pool", "--network", "0"]);
    assert_eq!(amount(&pool["total_slashed"]), 2_500_000);

    // The operator unbonds; with no cooldown, withdraws the rest at once.
    net.run(&[
        "staking",
        "unstake",
        "--network",
        "0",
        "--bond",
        "--owner",
        staker_file,
    ]);
    let before = setup.balance(&stake_account).await;
    net.run(&[
        "staking",
        "withdraw",
        "--network",
        "0",
        "--bond",
        "--owner",
        staker_file,
        "--destination",
        &sa,
    ]);
    assert!(setup.balance(&stake_account).await - before >= 17_500_000);
    println!("staking test: {:.1} s", started.elapsed().as_secs_f64());
    drop(dir);
}

/// Serves `body` to every HTTP request on a loopback port; returns its URL.
fn serve(body: String) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buffer[..n]),
                }
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    format!("http://127.0.0.1:{port}/proofs.json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn rewards_from_distributor_to_clawback() {
    let started = std::time::Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (oracle, oracle_file) = keypair_file(dir.path(), "oracle");
    let setup = setup(&[format!("oracle={}", oracle.pubkey())]).await;
    let net = &setup.net;
    let payer = setup.payer.pubkey();
    let (alice, alice_file) = keypair_file(dir.path(), "alice");
    let (carol, carol_file) = keypair_file(dir.path(), "carol");
    let bob = Keypair::new().pubkey();
    let alice_account = setup.funded_account(&alice.pubkey(), 0).await;
    let bob_account = setup.funded_account(&bob, 0).await;
    let carol_account = setup.funded_account(&carol.pubkey(), 0).await;
    let treasury = setup.funded_account(&payer, 0).await;
    let funding = setup.funded_account(&payer, 1_000 * TOKEN).await;
    let (alice_file, carol_file, oracle_file) = (s(&alice_file), s(&carol_file), s(&oracle_file));

    let created = net.run(&[
        "rewards",
        "create-distributor",
        "--network",
        "0",
        "--treasury",
        &treasury.to_string(),
    ]);
    let distributor = created["distributor"].as_str().unwrap().to_string();
    let d = distributor.as_str();
    assert_eq!(created["mint"], setup.mint.to_string());
    assert_eq!(created["guards"]["required_approvals"], 1);
    assert!(created["guards"]["outflow_limit"].is_null());
    let status = net.run(&["rewards", "status", d]);
    assert_eq!(status["epoch"], 0);
    assert_eq!(status["ledger_pages"], 0);
    assert_eq!(status["proposal"]["status"], "empty");

    // A root before any ledger page: the CLI says what to run.
    let entitlements = dir.path().join("epoch1.csv");
    std::fs::write(
        &entitlements,
        format!("recipient,amount\n{},10\n{bob},5.5\n", alice.pubkey()),
    )
    .unwrap();
    let proofs1 = dir.path().join("proofs1.json");
    let post_args = |file: &Path, out: &Path| -> Vec<String> {
        [
            "rewards",
            "post-root",
            d,
            "--file",
            s(file),
            "--proofs-out",
            s(out),
        ]
        .map(String::from)
        .to_vec()
    };
    let args = post_args(&entitlements, &proofs1);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let error = fails_with(net, &args, 1);
    assert!(error.contains("ledger-pages"), "{error}");

    let pages = net.run(&["rewards", "ledger-pages", d, "--recipients", "3"]);
    assert_eq!(pages["created"], serde_json::json!([0]));
    assert!(pages["transaction"]["signature"].is_string());
    let pages = net.run(&["rewards", "ledger-pages", d, "--recipients", "1000"]);
    assert_eq!(pages["created"], serde_json::json!([]));
    assert!(pages.get("transaction").is_none());

    // Unfunded, the root is refused by the program.
    let error = fails_with(net, &args, 1);
    assert!(error.contains("RootUnfunded"), "{error}");
    let funded = net.run(&[
        "rewards",
        "fund",
        d,
        "100",
        "--source",
        &funding.to_string(),
    ]);
    assert_eq!(amount(&funded["amount"]), 100 * TOKEN);
    assert_eq!(setup.balance(&funding).await, 900 * TOKEN);

    let posted = net.run(&args);
    assert_eq!(posted["epoch"], 1);
    assert_eq!(posted["recipient_count"], 2);
    assert_eq!(amount(&posted["cumulative_total"]), 15_500_000);
    assert_eq!(posted["proposal"]["status"], "activated");
    let proofs: Value = serde_json::from_str(&std::fs::read_to_string(&proofs1).unwrap()).unwrap();
    assert_eq!(proofs["root"], posted["root"]);
    assert_eq!(
        proofs["claims"][alice.pubkey().to_string()]["amount"],
        10 * TOKEN
    );
    assert_eq!(proofs["claims"][bob.to_string()]["index"], 1);
    let status = net.run(&["rewards", "status", d]);
    assert_eq!(status["root"], posted["root"]);
    assert_eq!(status["epoch"], 1);
    assert_eq!(amount(&status["vault_balance"]), 100 * TOKEN);
    assert_eq!(amount(&status["total_funded"]), 100 * TOKEN);

    // Alice claims (a dry run first: nothing moves).
    let p1 = s(&proofs1);
    let a_acc = alice_account.to_string();
    let claim = [
        "rewards",
        "claim",
        "--proofs",
        p1,
        "--recipient",
        alice_file,
        "--destination",
        &a_acc,
    ];
    let dry = net.run(&[&claim[..], &["--dry-run"]].concat());
    assert!(dry["dry_run"].is_object());
    assert_eq!(setup.balance(&alice_account).await, 0);
    let claimed = net.run(&claim);
    assert_eq!(amount(&claimed["amount"]), 10 * TOKEN);
    assert_eq!(amount(&claimed["claimed_before"]), 0);
    assert_eq!(setup.balance(&alice_account).await, 10 * TOKEN);
    // Twice: the program refuses, nothing moves.
    let error = fails_with(net, &claim, 1);
    assert!(error.contains("NothingToClaim"), "{error}");
    assert_eq!(setup.balance(&alice_account).await, 10 * TOKEN);

    // Carol presents Bob's leaf as hers: the proof does not verify.
    let mut forged = proofs.clone();
    let bobs = forged["claims"][bob.to_string()].clone();
    forged["claims"][carol.pubkey().to_string()] = bobs;
    let forged_file = dir.path().join("forged.json");
    std::fs::write(&forged_file, forged.to_string()).unwrap();
    let error = fails_with(
        net,
        &[
            "rewards",
            "claim",
            "--proofs",
            s(&forged_file),
            "--recipient",
            carol_file,
            "--destination",
            &carol_account.to_string(),
        ],
        1,
    );
    assert!(error.contains("InvalidProof"), "{error}");
    assert_eq!(setup.balance(&carol_account).await, 0);
    // Someone not in the proofs is told so.
    let error = fails_with(
        net,
        &[
            "rewards",
            "claim",
            "--proofs",
            p1,
            "--recipient",
            carol_file,
        ],
        1,
    );
    assert!(error.contains("no leaf"), "{error}");

    // Anyone pushes Bob's claim with the proofs from a URL.
    let url = serve(std::fs::read_to_string(&proofs1).unwrap());
    let pushed = net.run(&[
        "rewards",
        "push-claim",
        &bob.to_string(),
        "--proofs",
        &url,
        "--destination",
        &bob_account.to_string(),
    ]);
    assert_eq!(amount(&pushed["claims"][0]["amount"]), 5_500_000);
    assert_eq!(setup.balance(&bob_account).await, 5_500_000);

    // Epoch 2 needs two oracles and a 2-second challenge period.
    let guards = net.run(&[
        "rewards",
        "guards",
        d,
        "--approvals",
        "2",
        "--challenge-period",
        "2",
    ]);
    assert_eq!(guards["guards"]["required_approvals"], 2);
    // An oracle is no admin.
    let error = fails_with(
        net,
        &[
            "rewards",
            "guards",
            d,
            "--approvals",
            "1",
            "--authority",
            oracle_file,
        ],
        1,
    );
    assert!(error.contains("MissingPermission"), "{error}");
    let entitlements2 = dir.path().join("epoch2.json");
    std::fs::write(
        &entitlements2,
        format!(
            r#"[{{"recipient": "{}", "amount": "3"}}, {{"recipient": "{}", "amount": 12}}]"#,
            carol.pubkey(),
            alice.pubkey()
        ),
    )
    .unwrap();
    let proofs2 = dir.path().join("proofs2.json");
    let posted = net.run(&[
        "rewards",
        "post-root",
        d,
        "--file",
        s(&entitlements2),
        "--previous",
        p1,
        "--proofs-out",
        s(&proofs2),
    ]);
    assert_eq!(posted["epoch"], 2);
    assert_eq!(posted["recipient_count"], 3);
    assert_eq!(amount(&posted["cumulative_total"]), 20_500_000);
    assert_eq!(posted["proposal"]["status"], "pending");
    assert_eq!(posted["proposal"]["approvals"], 1);
    let proofs: Value = serde_json::from_str(&std::fs::read_to_string(&proofs2).unwrap()).unwrap();
    // Indexes are kept: Alice 0, Bob 1 (absent from the file, amount kept), Carol new at 2.
    assert_eq!(proofs["claims"][alice.pubkey().to_string()]["index"], 0);
    assert_eq!(proofs["claims"][bob.to_string()]["amount"], 5_500_000);
    assert_eq!(proofs["claims"][carol.pubkey().to_string()]["index"], 2);

    // The second oracle rebuilds the tree: a different file is refused...
    let other = dir.path().join("other.csv");
    std::fs::write(
        &other,
        format!("{},13\n{},3\n", alice.pubkey(), carol.pubkey()),
    )
    .unwrap();
    let error = fails_with(
        net,
        &[
            "rewards",
            "approve-root",
            d,
            "--file",
            s(&other),
            "--previous",
            p1,
            "--authority",
            oracle_file,
        ],
        1,
    );
    assert!(
        error.contains("differs from the pending proposal"),
        "{error}"
    );
    // ...the same one approves; activation waits for the challenge period.
    let approved = net.run(&[
        "rewards",
        "approve-root",
        d,
        "--file",
        s(&entitlements2),
        "--previous",
        p1,
        "--authority",
        oracle_file,
    ]);
    assert_eq!(approved["proposal"]["status"], "approved");
    assert_eq!(approved["root"], posted["root"]);
    let error = fails_with(net, &["rewards", "activate-root", d], 1);
    assert!(error.contains("ChallengePeriodActive"), "{error}");
    let activates_at = net.run(&["rewards", "status", d])["proposal"]["activates_at"]
        .as_i64()
        .expect("an approved proposal has an activation time");
    wait_for_cluster_time(&setup.cluster, activates_at).await;
    let activated = net.run(&["rewards", "activate-root", d]);
    assert_eq!(activated["epoch"], 2);
    let status = net.run(&["rewards", "status", d]);
    assert_eq!(status["epoch"], 2);
    assert_eq!(status["proposal"]["status"], "activated");
    assert_eq!(status["proposal"]["approvers"].as_array().unwrap().len(), 2);

    // Stale proofs are refused before sending; the new ones pay the difference.
    let error = fails_with(net, &claim, 1);
    assert!(error.contains("current root is epoch 2"), "{error}");
    let p2 = s(&proofs2);
    let claim2 = [
        "rewards",
        "claim",
        "--proofs",
        p2,
        "--recipient",
        alice_file,
        "--destination",
        &a_acc,
    ];
    // Paused, nothing can be claimed.
    net.run(&["rewards", "pause", d]);
    let error = fails_with(net, &claim2, 1);
    assert!(error.contains("Paused"), "{error}");
    net.run(&["rewards", "unpause", d]);
    let claimed = net.run(&claim2);
    assert_eq!(amount(&claimed["claimed_before"]), 10 * TOKEN);
    assert_eq!(amount(&claimed["amount"]), 2 * TOKEN);
    assert_eq!(setup.balance(&alice_account).await, 12 * TOKEN);

    // A third root, vetoed by the admin.
    let entitlements3 = dir.path().join("epoch3.csv");
    std::fs::write(&entitlements3, format!("{},20\n", alice.pubkey())).unwrap();
    let posted = net.run(&[
        "rewards",
        "post-root",
        d,
        "--file",
        s(&entitlements3),
        "--previous",
        p2,
        "--proofs-out",
        s(&dir.path().join("proofs3.json")),
    ]);
    assert_eq!(posted["proposal"]["status"], "pending");
    net.run(&["rewards", "veto-root", d]);
    let status = net.run(&["rewards", "status", d]);
    assert_eq!(status["proposal"]["status"], "vetoed");
    assert_eq!(status["epoch"], 2);

    // No expiry: no clawback. A distributor that expires in 3 s: clawback.
    let error = fails_with(net, &["rewards", "clawback", d], 1);
    assert!(error.contains("NotExpired"), "{error}");
    let short = net.run(&[
        "rewards",
        "create-distributor",
        "--network",
        "0",
        "--pool-id",
        "1",
        "--treasury",
        &treasury.to_string(),
        "--expires-in",
        "3",
    ]);
    let short = short["distributor"].as_str().unwrap().to_string();
    net.run(&[
        "rewards",
        "fund",
        &short,
        "1.25",
        "--source",
        &funding.to_string(),
    ]);
    let expires_at = net.run(&["rewards", "status", &short])["expires_at"]
        .as_i64()
        .unwrap();
    wait_for_cluster_time(&setup.cluster, expires_at + 1).await;
    let clawed = net.run(&["rewards", "clawback", &short]);
    assert_eq!(amount(&clawed["amount"]), 1_250_000);
    assert_eq!(setup.balance(&treasury).await, 1_250_000);
    let status = net.run(&["rewards", "status", &short]);
    assert_eq!(status["clawed_back"], true);
    println!("rewards test: {:.1} s", started.elapsed().as_secs_f64());
}
