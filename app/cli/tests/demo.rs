//! `depin demo --output json`: the story on an in-process bank prints one
//! JSON document (and nothing else on stdout) listing every step.

use std::process::Command;

#[test]
fn the_demo_has_a_json_form() {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_depin"))
        .env("HOME", home.path())
        .args(["demo", "--output", "json"])
        .output()
        .expect("running depin demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{stdout}"));
    assert_eq!(json["mode"], "native");
    let steps = json["steps"].as_array().unwrap();
    assert!(steps.len() > 20, "{} steps", steps.len());
    let sent: Vec<&serde_json::Value> = steps
        .iter()
        .filter(|s| s["signature"].is_string())
        .collect();
    assert!(sent.len() > 20, "{} steps sent a transaction", sent.len());
    // Natively there are no compute-unit figures (the VM is not running).
    assert!(steps.iter().all(|s| s["compute_units"].is_null()));
    assert!(steps
        .iter()
        .any(|s| s["step"].as_str().unwrap().contains("register")));
    // The crank chapter: reports over HTTP, an epoch closed and paid, and
    // the proofs API answering for the battery's (pushed) reward.
    let said = |text: &str| {
        steps
            .iter()
            .any(|s| s["step"].as_str().unwrap().contains(text))
    };
    assert!(said("devices send 5 signed reports to the crank over HTTP"));
    assert!(said("posted the root and pushed the rewards"));
    assert!(
        said("416.67 DPIN claimed of 416.67 DPIN"),
        "the battery's reward is pushed: {steps:?}"
    );
    // The pay chapter: the battery's signed meter settles erin's session and
    // its share holders earn at once.
    assert!(said("erin unplugs: the meter signs a final 7.5 kWh"));
    assert!(
        said("the share holders can claim 1.9688 USDC more, deposited by nobody"),
        "the holders earn from the session: {steps:?}"
    );
}
