//! `depin maker ...` and `depin device ...` through the real binary on a
//! real `solana-test-validator` (`scripts/test.sh` runs them:
//! `cargo test -p depin-cli --test cli_device -- --ignored --test-threads=1`).
//! One validator walks through every command: state and balances are
//! asserted from `--output json` and read back over RPC; error paths check
//! the exit code and what stderr says; the offline path signs a
//! registration on the device's side and sends it from the maker's side.

#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;

use std::path::Path;

use depin_client::registry;
use depin_client::{token, Cluster, Keypair, Pubkey, Signer};
use depin_registry::pda;
use depin_registry::state::{DeviceKind, DeviceStatus};
use serde_json::Value;

use harness::{fails, pubkey, Localnet};

/// San Francisco, H3 resolution 9, and a finer cell inside it.
const SF_CELL: &str = "8928308280fffff";
const SF_FINE: &str = "8c2830828000dff";

/// A new keypair written where `depin` can read it.
fn keyfile(dir: &Path, name: &str) -> (Keypair, String) {
    let keypair = Keypair::new();
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, format!("{:?}", keypair.to_bytes().to_vec())).unwrap();
    (keypair, path.to_str().unwrap().to_string())
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn makers_and_devices_through_the_cli() {
    let net = Localnet::with_programs().await;
    let dir = tempfile::tempdir().unwrap();
    let payer = net.payer();
    let cluster = net.cluster(payer.insecure_clone());
    let (manager, manager_file) = keyfile(dir.path(), "manager");
    let (oracle, oracle_file) = keyfile(dir.path(), "oracle");
    let (maker, maker_file) = keyfile(dir.path(), "maker");
    let (maker2, maker2_file) = keyfile(dir.path(), "maker2");
    let (dev1, dev1_file) = keyfile(dir.path(), "dev1");
    let (dev2, dev2_file) = keyfile(dir.path(), "dev2");
    let (dev3, dev3_file) = keyfile(dir.path(), "dev3");
    let (dave, dave_file) = keyfile(dir.path(), "dave");
    let (operator, operator_file) = keyfile(dir.path(), "operator");
    let s = |k: &Keypair| k.pubkey().to_string();

    let init = net.run(&[
        "init",
        "--network",
        "t",
        "--grant",
        &format!("maker-manager,device-manager={}", s(&manager)),
        "--grant",
        &format!("oracle={}", s(&oracle)),
    ]);
    let network = pubkey(&init["network"]["address"]);
    assert_eq!(network, pda::network(0).0);

    // ---- makers ----
    // An oracle is no maker-manager: the program's error is named.
    let error = fails(
        &net,
        &[
            "maker",
            "approve",
            "0",
            &s(&maker),
            "--name",
            "Acme",
            "--quota",
            "3",
            "--authority",
            &oracle_file,
        ],
    );
    assert!(error.contains("MissingPermission"), "{error}");
    let approved = net.run(&[
        "maker",
        "approve",
        "0",
        &s(&maker),
        "--name",
        "Acme Batteries",
        "--quota",
        "3",
        "--authority",
        &manager_file,
    ]);
    let maker_address = pda::maker(&network, &maker.pubkey()).0;
    assert_eq!(pubkey(&approved["address"]), maker_address);
    assert_eq!(approved["name"], "Acme Batteries");
    assert_eq!(approved["quota"], 3);
    assert!(approved["transaction"]["signature"].is_string());
    net.run(&[
        "maker",
        "approve",
        "0",
        &s(&maker2),
        "--name",
        "Volt",
        "--quota",
        "1",
        "--authority",
        &manager_file,
    ]);
    let quota = net.run(&[
        "maker",
        "quota",
        "0",
        &s(&maker),
        "5",
        "--authority",
        &manager_file,
    ]);
    assert_eq!(quota["quota"], 5);
    let shown = net.run(&["maker", "show", "0", &s(&maker)]);
    assert_eq!(shown["address"], maker_address.to_string());
    assert_eq!(shown["authority"], s(&maker));
    assert_eq!(shown["name"], "Acme Batteries");
    assert_eq!(
        (
            &shown["id"],
            &shown["quota"],
            &shown["devices_onboarded"],
            &shown["active"]
        ),
        (
            &Value::from(0),
            &Value::from(5),
            &Value::from(0),
            &Value::from(true)
        )
    );
    let stored = registry::maker(&cluster, &network, &maker.pubkey())
        .await
        .unwrap();
    assert_eq!((stored.quota, stored.active), (5, true));
    let list = net.run(&["maker", "list", "0"]);
    let makers = list["makers"].as_array().unwrap();
    assert_eq!(makers.len(), 2);
    assert_eq!(
        (makers[0]["id"].as_u64(), makers[1]["id"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(makers[1]["name"], "Volt");

    // ---- register ----
    let register = |device_file: &str, maker_file: &str| -> Vec<String> {
        [
            "device",
            "register",
            "0",
            "--device-key",
            device_file,
            "--maker-authority",
            maker_file,
            "--kind",
            "battery",
            "--location",
            SF_CELL,
            "--capacity",
            "13500",
        ]
        .map(String::from)
        .to_vec()
    };
    let run = |v: Vec<String>| net.run(&strs(&v));

    // --dry-run: a simulation that creates the device account; nothing sent.
    let before = cluster.lamports(&payer.pubkey()).await.unwrap();
    let mut dry = register(&dev1_file, &maker_file);
    dry.push("--dry-run".into());
    let dry = run(dry);
    let device1 = pda::device(&network, &dev1.pubkey()).0;
    let created: Vec<&Value> = dry["dry_run"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["created"] == true)
        .collect();
    assert_eq!(created.len(), 1, "{dry}");
    assert_eq!(pubkey(&created[0]["address"]), device1);
    assert!(dry["dry_run"]["rent_lamports"].as_u64().unwrap() > 0);
    assert!(dry.get("transaction").is_none());
    assert_eq!(cluster.lamports(&payer.pubkey()).await.unwrap(), before);
    assert!(cluster.get_account(&device1).await.unwrap().is_none());

    let registered = run(register(&dev1_file, &maker_file));
    assert_eq!(pubkey(&registered["address"]), device1);
    assert_eq!(registered["owner"], s(&payer));
    assert_eq!(registered["kind"], "battery");
    assert_eq!(registered["location"], SF_CELL);
    assert_eq!(registered["fee"], Value::Null);
    let rent = cluster
        .get_account(&device1)
        .await
        .unwrap()
        .unwrap()
        .lamports;
    let fee = registered["transaction"]["fee_lamports"].as_u64().unwrap();
    assert_eq!(
        cluster.lamports(&payer.pubkey()).await.unwrap(),
        before - rent - fee
    );
    let shown = net.run(&["device", "show", "0", &s(&dev1)]);
    assert_eq!(shown["address"], device1.to_string());
    assert_eq!(shown["owner"], s(&payer));
    assert_eq!(shown["operator"], Value::Null);
    assert_eq!(shown["status"], "active");
    assert_eq!(shown["capacity"], 13500);
    assert_eq!(shown["maker_id"], 0);
    assert_eq!(shown["attestation_nonce"], 0);

    // Registered twice, a missing keypair file, an unknown network.
    let error = fails(&net, &strs(&register(&dev1_file, &maker_file)));
    assert!(error.contains("already registered"), "{error}");
    let missing = dir.path().join("nowhere.json");
    let error = fails(
        &net,
        &strs(&register(missing.to_str().unwrap(), &maker_file)),
    );
    assert!(
        error.contains("--device-key") && error.contains("nowhere.json"),
        "{error}"
    );
    let error = fails(&net, &["device", "show", "77", &s(&dev1)]);
    assert!(
        error.contains("no network") && error.contains("depin network list"),
        "{error}"
    );
    let error = fails(&net, &["device", "show", "0", &s(&dev2)]);
    assert!(error.contains("no device"), "{error}");
    // A bad H3 cell is refused by the command line (exit 2).
    let output = net
        .depin()
        .args(["device", "update", "0", &s(&dev1), "--location", "1234"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("H3"));

    // ---- offline: the device signs on its side, the maker sends ----
    let blockhash = net.run(&["blockhash"])["blockhash"]
        .as_str()
        .unwrap()
        .to_string();
    let device_side = |capacity: &str| {
        let mut v = register(&dev2_file, &s(&maker));
        let at = v.iter().position(|a| a == "13500").unwrap();
        v[at] = capacity.into();
        v.extend(
            [
                "--owner",
                &s(&dave),
                "--fee-payer",
                &s(&payer),
                "--sign-only",
                "--blockhash",
                &blockhash,
            ]
            .map(String::from),
        );
        run(v)
    };
    let signed = device_side("5000");
    assert_eq!(signed["blockhash"], blockhash.as_str());
    let signers: Vec<&str> = signed["signers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(signers.len(), 1);
    assert!(signers[0].starts_with(&format!("{}=", s(&dev2))));
    let absent: Vec<String> = signed["absent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert!(
        absent.contains(&s(&payer)) && absent.contains(&s(&maker)),
        "{signed}"
    );
    // The maker's side: a signature over other terms is refused, nothing sent.
    let other = device_side("6000");
    let maker_side = |signature: &str| {
        let mut v = register(&s(&dev2), &maker_file);
        let at = v.iter().position(|a| a == "13500").unwrap();
        v[at] = "5000".into();
        v.extend(
            [
                "--owner",
                &s(&dave),
                "--blockhash",
                &blockhash,
                "--signer",
                signature,
            ]
            .map(String::from),
        );
        v
    };
    let before = cluster.lamports(&payer.pubkey()).await.unwrap();
    let tampered = maker_side(other["signers"][0].as_str().unwrap());
    let error = fails(&net, &strs(&tampered));
    assert!(error.contains("does not sign this transaction"), "{error}");
    let device2 = pda::device(&network, &dev2.pubkey()).0;
    assert!(cluster.get_account(&device2).await.unwrap().is_none());
    assert_eq!(cluster.lamports(&payer.pubkey()).await.unwrap(), before);
    let sent = run(maker_side(signers[0]));
    assert!(sent["transaction"]["signature"].is_string(), "{sent}");
    assert_eq!(sent["owner"], s(&dave));
    let stored = registry::device(&cluster, &network, &dev2.pubkey())
        .await
        .unwrap();
    assert_eq!((stored.owner, stored.capacity), (dave.pubkey(), 5000));

    // ---- the onboarding fee, paid from the payer's token account ----
    let mint = token::create_mint(&cluster, &payer.pubkey(), 6)
        .await
        .unwrap();
    let treasury = token::create_token_account(&cluster, &mint, &payer.pubkey())
        .await
        .unwrap();
    let source = token::create_token_account(&cluster, &mint, &payer.pubkey())
        .await
        .unwrap();
    token::mint_to(&cluster, &mint, &source, &payer, 10_000_000)
        .await
        .unwrap();
    net.run(&[
        "network",
        "fee",
        "0",
        "--amount",
        "1500000",
        "--mint",
        &mint.to_string(),
        "--treasury",
        &treasury.to_string(),
    ]);
    let mut with_fee = register(&dev3_file, &maker2_file);
    with_fee.extend(["--fee-account".to_string(), source.to_string()]);
    let paid = run(with_fee);
    assert_eq!(pubkey(&paid["fee"]["source"]), source);
    assert_eq!(pubkey(&paid["fee"]["treasury"]), treasury);
    assert_eq!(paid["fee"]["amount"], 1_500_000);
    assert_eq!(paid["fee"]["ui_amount"], "1.5");
    assert_eq!(paid["fee"]["decimals"], 6);
    assert_eq!(token::balance(&cluster, &source).await.unwrap(), 8_500_000);
    assert_eq!(
        token::balance(&cluster, &treasury).await.unwrap(),
        1_500_000
    );
    net.run(&["network", "fee", "0", "--amount", "0"]);

    // ---- list by network, owner, maker ----
    let all = net.run(&["device", "list", "0"]);
    let keys: Vec<Pubkey> = all["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| pubkey(&d["device_key"]))
        .collect();
    assert_eq!(keys, vec![dev1.pubkey(), dev2.pubkey(), dev3.pubkey()]);
    let of_dave = net.run(&["device", "list", "0", "--owner", &s(&dave)]);
    assert_eq!(of_dave["devices"].as_array().unwrap().len(), 1);
    assert_eq!(of_dave["devices"][0]["device_key"], s(&dev2));
    let of_volt = net.run(&["device", "list", "0", "--maker", &s(&maker2)]);
    assert_eq!(of_volt["devices"].as_array().unwrap().len(), 1);
    assert_eq!(of_volt["devices"][0]["device_key"], s(&dev3));
    assert_eq!(of_volt["devices"][0]["maker_id"], 1);
    let both = net.run(&[
        "device",
        "list",
        "0",
        "--owner",
        &s(&dave),
        "--maker",
        &s(&maker2),
    ]);
    assert!(both["devices"].as_array().unwrap().is_empty());

    // ---- update, operator ----
    let updated = net.run(&[
        "device",
        "update",
        "0",
        &s(&dev1),
        "--location",
        SF_FINE,
        "--capacity",
        "14000",
    ]);
    assert_eq!(updated["location"], SF_FINE);
    let stored = registry::device(&cluster, &network, &dev1.pubkey())
        .await
        .unwrap();
    assert_eq!(
        (stored.location, stored.capacity),
        (0x8c2830828000dff, 14000)
    );
    let set = net.run(&["device", "operator", "0", &s(&dev1), &s(&operator)]);
    assert_eq!(set["operator"], s(&operator));
    net.run(&[
        "device",
        "update",
        "0",
        &s(&dev1),
        "--capacity",
        "15000",
        "--authority",
        &operator_file,
    ]);
    let shown = net.run(&["device", "show", "0", &s(&dev1)]);
    assert_eq!(
        (shown["operator"].clone(), shown["capacity"].clone()),
        (Value::from(s(&operator)), Value::from(15000))
    );
    let cleared = net.run(&["device", "operator", "0", &s(&dev1), "--clear"]);
    assert_eq!(cleared["operator"], Value::Null);
    let stored = registry::device(&cluster, &network, &dev1.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.operator, Pubkey::default());

    // ---- transfer ----
    let error = fails(
        &net,
        &[
            "device",
            "transfer",
            "0",
            &s(&dev1),
            &s(&dave),
            "--owner",
            &dave_file,
        ],
    );
    assert!(error.contains("NotDeviceOwner"), "{error}");
    let moved = net.run(&["device", "transfer", "0", &s(&dev1), &s(&dave)]);
    assert_eq!(
        (moved["from"].clone(), moved["to"].clone()),
        (Value::from(s(&payer)), Value::from(s(&dave)))
    );
    let stored = registry::device(&cluster, &network, &dev1.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.owner, dave.pubkey());

    // ---- attestations signed by the device key ----
    let attested = net.run(&[
        "device",
        "attest",
        "0",
        &s(&dev1),
        "--device-key",
        &dev1_file,
        "--location",
        SF_CELL,
    ]);
    assert_eq!(attested["nonce"], 1);
    assert_eq!(attested["kind"], "location");
    let report = "ab".repeat(32);
    let attested = net.run(&[
        "device",
        "attest",
        "0",
        &s(&dev1),
        "--device-key",
        &dev1_file,
        "--work-report",
        &report,
    ]);
    assert_eq!(
        (attested["nonce"].clone(), attested["work_report"].clone()),
        (Value::from(2), Value::from(report.clone()))
    );
    let stored = registry::device(&cluster, &network, &dev1.pubkey())
        .await
        .unwrap();
    assert_eq!(
        (stored.location, stored.attestation_nonce),
        (0x8928308280fffff, 2)
    );
    let error = fails(
        &net,
        &[
            "device",
            "attest",
            "0",
            &s(&dev1),
            "--device-key",
            &dev1_file,
            "--location",
            SF_CELL,
            "--nonce",
            "2",
        ],
    );
    assert!(error.contains("AttestationReplayed"), "{error}");
    let error = fails(
        &net,
        &[
            "device",
            "attest",
            "0",
            &s(&dev1),
            "--device-key",
            &dev2_file,
            "--location",
            SF_CELL,
        ],
    );
    assert!(error.contains("not the device"), "{error}");

    // ---- suspend / resume (device-manager) ----
    let error = fails(
        &net,
        &[
            "device",
            "suspend",
            "0",
            &s(&dev1),
            "--authority",
            &oracle_file,
        ],
    );
    assert!(error.contains("MissingPermission"), "{error}");
    let suspended = net.run(&[
        "device",
        "suspend",
        "0",
        &s(&dev1),
        "--reason",
        "7",
        "--authority",
        &manager_file,
    ]);
    assert_eq!(
        (suspended["status"].clone(), suspended["reason"].clone()),
        (Value::from("suspended"), Value::from(7))
    );
    let stored = registry::device(&cluster, &network, &dev1.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.status, DeviceStatus::Suspended);
    let error = fails(
        &net,
        &[
            "device",
            "attest",
            "0",
            &s(&dev1),
            "--device-key",
            &dev1_file,
            "--work-report",
            &report,
        ],
    );
    assert!(error.contains("DeviceNotActive"), "{error}");
    net.run(&[
        "device",
        "resume",
        "0",
        &s(&dev1),
        "--authority",
        &manager_file,
    ]);
    let stored = registry::device(&cluster, &network, &dev1.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.status, DeviceStatus::Active);

    // ---- a revoked maker onboards nothing ----
    let revoked = net.run(&[
        "maker",
        "revoke",
        "0",
        &s(&maker),
        "--authority",
        &manager_file,
    ]);
    assert_eq!(revoked["active"], false);
    let shown = net.run(&["maker", "show", "0", &s(&maker)]);
    assert_eq!(
        (shown["active"].clone(), shown["devices_onboarded"].clone()),
        (Value::from(false), Value::from(2))
    );
    let (_, dev4_file) = keyfile(dir.path(), "dev4");
    let error = fails(&net, &strs(&register(&dev4_file, &maker_file)));
    assert!(error.contains("MakerRevoked"), "{error}");

    // ---- retire and close: the rent goes to the owner ----
    let error = fails(
        &net,
        &["device", "close", "0", &s(&dev1), "--owner", &dave_file],
    );
    assert!(error.contains("DeviceNotRetired"), "{error}");
    let retired = net.run(&["device", "retire", "0", &s(&dev1), "--owner", &dave_file]);
    assert_eq!(retired["status"], "retired");
    let stored = registry::device(&cluster, &network, &dev1.pubkey())
        .await
        .unwrap();
    assert_eq!(stored.status, DeviceStatus::Retired);
    assert_eq!(stored.kind, DeviceKind::Battery);
    let dave_before = cluster.lamports(&dave.pubkey()).await.unwrap();
    let closed = net.run(&["device", "close", "0", &s(&dev1), "--owner", &dave_file]);
    assert_eq!(closed["rent_lamports"].as_u64(), Some(rent));
    assert_eq!(closed["rent_to"], s(&dave));
    assert!(cluster.get_account(&device1).await.unwrap().is_none());
    assert_eq!(
        cluster.lamports(&dave.pubkey()).await.unwrap(),
        dave_before + rent
    );
    let shown = net.run(&["network", "show", "0"]);
    assert_eq!(shown["devices"], 2);
    let all = net.run(&["device", "list", "0"]);
    assert_eq!(all["devices"].as_array().unwrap().len(), 2);

    // The same reads for a person: tables and key: value lines.
    let display = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_depin"))
            .env("HOME", dir.path())
            .args(["-u", &net.url(), "-k"])
            .arg(&net.payer_file)
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "depin {args:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let table = display(&["device", "list", "0"]);
    assert!(table.starts_with("2 device(s)"), "{table}");
    assert!(
        table.contains(&s(&dev2)) && table.contains("battery"),
        "{table}"
    );
    let table = display(&["maker", "list", "0"]);
    assert!(
        table.contains("Acme Batteries") && table.contains("Volt"),
        "{table}"
    );
    let shown = display(&["device", "show", "0", &s(&dev3)]);
    assert!(shown.contains(&format!("owner: {}", s(&payer))), "{shown}");
}
