//! The README's "Use it" journeys, run verbatim: every ```sh block preceded
//! by `<!-- walkthrough -->`, in order, in one bash shell (`set -euo
//! pipefail`, so variables carry over and any failing command fails the
//! test), with the `depin` binary on PATH, a fresh home whose Solana CLI
//! config points at a fresh `solana-test-validator` with the programs, and
//! a funded wallet at `~/.config/solana/id.json`. `#[ignore]`d in the plain
//! native run; `scripts/test.sh` runs it.

#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;

use std::path::Path;
use std::process::Command;

use depin_client::Signer;

use harness::{repo, Localnet, SOL};

const MARK: &str = "<!-- walkthrough -->";

/// The marked blocks of `markdown`, in order.
fn walkthrough_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = vec![];
    let mut rest = markdown;
    while let Some(at) = rest.find(MARK) {
        let after = rest[at + MARK.len()..].trim_start();
        let body = after
            .strip_prefix("```sh\n")
            .unwrap_or_else(|| panic!("{MARK} must be followed by a ```sh block"));
        let end = body.find("\n```").expect("an unterminated ```sh block");
        blocks.push(body[..end].to_string());
        rest = &body[end..];
    }
    blocks
}

#[test]
fn blocks_are_found_in_order() {
    let markdown = format!(
        "x\n{MARK}\n```sh\na\nb\n```\ntext\n```sh\nnot marked\n```\n{MARK}\n\n```sh\nc\n```\n"
    );
    assert_eq!(walkthrough_blocks(&markdown), ["a\nb", "c"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs solana-test-validator: scripts/test.sh runs it"]
async fn the_readme_walkthrough_runs_verbatim() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let blocks = walkthrough_blocks(&readme);
    assert!(!blocks.is_empty(), "no {MARK} blocks in README.md");

    let net = Localnet::with_programs().await;
    let home = tempfile::tempdir().unwrap();
    let work = home.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let wallet_dir = home.path().join(".config/solana");
    std::fs::create_dir_all(&wallet_dir).unwrap();
    let wallet = net.payer();
    std::fs::copy(&net.payer_file, wallet_dir.join("id.json")).unwrap();
    net.cluster(wallet.insecure_clone())
        .airdrop(&wallet.pubkey(), SOL)
        .await
        .unwrap();

    let depin = Path::new(env!("CARGO_BIN_EXE_depin"));
    let path = format!(
        "{}:{}",
        depin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let setup = Command::new(depin)
        .env("HOME", home.path())
        .args(["config", "set", "-u", &net.url()])
        .output()
        .unwrap();
    assert!(setup.status.success(), "{setup:?}");

    let script = format!("set -euo pipefail\n{}\n", blocks.join("\n"));
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&work)
        .env("HOME", home.path())
        .env("PATH", path)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "the README walkthrough failed ({}):\n--- stderr\n{stderr}\n--- stdout\n{stdout}\n--- script\n{script}",
        output.status
    );
}
