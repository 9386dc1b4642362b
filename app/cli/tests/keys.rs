//! `depin keys` on a temporary copy of the program sources.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Anchor.toml, and each program's Cargo.toml and src/lib.rs: what `keys` reads.
fn copy_sources(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("depin-keys-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(workspace().join("Anchor.toml"), dir.join("Anchor.toml")).unwrap();
    for entry in std::fs::read_dir(workspace().join("programs")).unwrap() {
        let program = entry.unwrap().path();
        let name = program.file_name().unwrap();
        let to = dir.join("programs").join(name);
        std::fs::create_dir_all(to.join("src")).unwrap();
        std::fs::copy(program.join("Cargo.toml"), to.join("Cargo.toml")).unwrap();
        std::fs::copy(program.join("src/lib.rs"), to.join("src/lib.rs")).unwrap();
    }
    dir
}

fn depin(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_depin"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .output()
        .unwrap()
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

fn programs(list: &Value) -> &Vec<Value> {
    list["programs"].as_array().unwrap()
}

#[test]
fn the_committed_ids_match_the_public_localnet_keys() {
    let list = json(&depin(
        &workspace(),
        &[
            "keys",
            "list",
            "--keypair-dir",
            "keys/localnet",
            "--output",
            "json",
        ],
    ));
    assert_eq!(programs(&list).len(), depin_client::PROGRAMS.len());
    for program in programs(&list) {
        assert_eq!(program["matches"], true, "{program}");
    }
}

#[test]
fn sync_creates_keypairs_and_rewrites_the_sources() {
    let dir = copy_sources("sync");
    let before = json(&depin(&dir, &["keys", "list", "--output", "json"]));
    for program in programs(&before) {
        assert_eq!(
            program["keypair_id"],
            Value::Null,
            "no keypairs in target/deploy yet"
        );
        assert_eq!(program["matches"], false);
    }

    let synced = json(&depin(&dir, &["keys", "sync", "--output", "json-compact"]));
    assert_eq!(synced["rebuild_needed"], true);
    assert_eq!(synced["anchor_toml_updated"], true);
    let anchor_toml = std::fs::read_to_string(dir.join("Anchor.toml")).unwrap();
    for program in programs(&synced) {
        assert_eq!(program["keypair_created"], true);
        assert_eq!(program["source_updated"], true);
        let name = program["program"].as_str().unwrap();
        let id = program["id"].as_str().unwrap();
        assert!(dir
            .join(format!("target/deploy/{name}-keypair.json"))
            .exists());
        let crate_dir = name.trim_start_matches("depin_");
        let source =
            std::fs::read_to_string(dir.join(format!("programs/{crate_dir}/src/lib.rs"))).unwrap();
        assert!(source.contains(&format!("declare_id!(\"{id}\")")), "{name}");
        // localnet and devnet both name it.
        assert_eq!(
            anchor_toml.matches(&format!("{name} = \"{id}\"")).count(),
            2,
            "{anchor_toml}"
        );
    }
    assert!(
        anchor_toml.contains("[scripts]"),
        "the rest of Anchor.toml is kept"
    );

    let after = json(&depin(&dir, &["keys", "list", "--output", "json"]));
    assert!(programs(&after).iter().all(|p| p["matches"] == true));
    let again = json(&depin(&dir, &["keys", "sync", "--output", "json"]));
    assert_eq!(again["rebuild_needed"], false);
    assert_eq!(again["anchor_toml_updated"], false);
    assert!(programs(&again)
        .iter()
        .all(|p| p["keypair_created"] == false && p["source_updated"] == false));

    // A lost keypair: a new one, a new id, and the human output says what
    // to rebuild.
    std::fs::remove_file(dir.join("target/deploy/depin_staking-keypair.json")).unwrap();
    let human = depin(&dir, &["keys", "sync"]);
    let stdout = String::from_utf8_lossy(&human.stdout);
    assert!(human.status.success());
    assert!(
        stdout.contains("scripts/build-sbf") && stdout.contains("depin-cli"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keys_outside_a_workspace_and_new_wallets() {
    let dir = std::env::temp_dir().join(format!("depin-keys-none-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let outside = depin(&dir, &["keys", "list"]);
    assert_eq!(outside.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&outside.stderr);
    assert!(stderr.contains("no Anchor.toml"), "{stderr}");

    let wallet = dir.join("wallet.json");
    let _ = std::fs::remove_file(&wallet);
    let made = json(&depin(
        &dir,
        &["keys", "new", wallet.to_str().unwrap(), "--output", "json"],
    ));
    assert!(made["pubkey"].as_str().unwrap().len() >= 32);
    let twice = depin(&dir, &["keys", "new", wallet.to_str().unwrap()]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("exists already"));
    let _ = std::fs::remove_dir_all(&dir);
}
