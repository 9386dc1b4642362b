//! How `depin` finds its cluster and keypair: the Solana CLI's config file,
//! then flags; and what it says when the keypair file is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn home(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("depin-config-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn depin(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_depin"))
        .args(args)
        .current_dir(home)
        .env("HOME", home)
        .output()
        .unwrap()
}

fn config(home: &Path, args: &[&str]) -> Value {
    let mut all = vec!["config", "--output", "json"];
    all.extend_from_slice(args);
    let output = depin(home, &all);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn defaults_then_config_file_then_flags() {
    let home = home("layers");
    let defaults = config(&home, &[]);
    assert_eq!(defaults["config_file"], Value::Null);
    assert_eq!(
        defaults["json_rpc_url"],
        "https://api.mainnet-beta.solana.com"
    );
    assert_eq!(defaults["commitment"], "confirmed");
    assert_eq!(
        defaults["keypair_path"],
        home.join(".config/solana/id.json").to_str().unwrap()
    );

    let config_dir = home.join(".config/solana/cli");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.yml"),
        "---\njson_rpc_url: https://api.devnet.solana.com\nwebsocket_url: ''\n\
         keypair_path: ~/wallets/payer.json\naddress_labels:\n  \
         '11111111111111111111111111111111': System Program\ncommitment: finalized\n",
    )
    .unwrap();
    let from_file = config(&home, &[]);
    assert_eq!(from_file["json_rpc_url"], "https://api.devnet.solana.com");
    assert_eq!(from_file["websocket_url"], "wss://api.devnet.solana.com");
    assert_eq!(from_file["commitment"], "finalized");
    assert_eq!(
        from_file["keypair_path"],
        home.join("wallets/payer.json").to_str().unwrap()
    );

    for (moniker, url) in [
        ("m", "https://api.mainnet-beta.solana.com"),
        ("mainnet-beta", "https://api.mainnet-beta.solana.com"),
        ("d", "https://api.devnet.solana.com"),
        ("devnet", "https://api.devnet.solana.com"),
        ("t", "https://api.testnet.solana.com"),
        ("testnet", "https://api.testnet.solana.com"),
        ("l", "http://localhost:8899"),
        ("localhost", "http://localhost:8899"),
        ("http://127.0.0.1:18899", "http://127.0.0.1:18899"),
    ] {
        assert_eq!(
            config(&home, &["-u", moniker])["json_rpc_url"],
            url,
            "{moniker}"
        );
    }
    let overridden = config(
        &home,
        &[
            "-u",
            "http://127.0.0.1:18899",
            "-k",
            "/tmp/k.json",
            "--commitment",
            "processed",
        ],
    );
    assert_eq!(overridden["websocket_url"], "ws://127.0.0.1:18900");
    assert_eq!(overridden["keypair_path"], "/tmp/k.json");
    assert_eq!(overridden["commitment"], "processed");

    // Another config file with -C.
    let other = home.join("other.yml");
    std::fs::write(&other, "json_rpc_url: http://10.1.2.3:8899\n").unwrap();
    let chosen = config(&home, &["-C", other.to_str().unwrap()]);
    assert_eq!(chosen["json_rpc_url"], "http://10.1.2.3:8899");
    assert_eq!(chosen["config_file"], other.to_str().unwrap());
    let missing = depin(&home, &["config", "-C", "/nonexistent/config.yml"]);
    assert_eq!(missing.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_missing_keypair_file_is_named_with_what_to_do() {
    let home = home("keypair");
    // `init` needs the payer before it connects anywhere.
    let output = depin(&home, &["init", "-u", "l", "-k", "/nonexistent/payer.json"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/nonexistent/payer.json"), "{stderr}");
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(stderr.contains("-k/--keypair"), "{stderr}");
    assert!(stderr.contains("depin keys new"), "{stderr}");

    // From the config file: the message says so.
    let config_dir = home.join(".config/solana/cli");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(
        config_dir.join("config.yml"),
        "keypair_path: /nonexistent/id.json\n",
    )
    .unwrap();
    let output = depin(&home, &["init", "-u", "l"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("keypair_path in"), "{stderr}");

    // A bad moniker-free commitment is refused by the parser (exit 2).
    let output = depin(&home, &["config", "--commitment", "max"]);
    assert_eq!(output.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&home);
}
