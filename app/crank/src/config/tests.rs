use super::*;

const NETWORK: &str = "11111111111111111111111111111112";
const DISTRIBUTOR: &str = "11111111111111111111111111111113";
const TREASURY: &str = "11111111111111111111111111111114";

fn text(extra: &str) -> String {
    format!(
        r#"
url = "http://127.0.0.1:8899"
database = "crank.db"
listen = "127.0.0.1:8080"
network = "{NETWORK}"
distributor = "{DISTRIBUTOR}"
treasury_account = "{TREASURY}"
oracle_keypair = "oracle.json"
treasury_keypair = "treasury.json"
{extra}
[scoring]
emission_per_epoch = 1_000
per_device_cap = 500
operator_share_bps = 2_000
min_work_wh = 1
"#
    )
}

fn no_env() -> Vec<(String, String)> {
    vec![]
}

#[test]
fn a_minimal_file_takes_the_documented_defaults() {
    let config = CrankConfig::parse(&text(""), "crank.toml", no_env()).unwrap();
    assert_eq!(config.role, RoleName::Primary);
    assert_eq!((config.grace_secs, config.tick_secs), (600, 5));
    assert_eq!(config.low_balance_lamports(), 500_000_000);
    let pipeline = config.pipeline();
    assert_eq!(pipeline.network.to_string(), NETWORK);
    assert_eq!(pipeline.push, PushPolicy::default());
    assert_eq!(pipeline.upkeep, UpkeepPolicy::default());
    assert_eq!(pipeline.scoring.emission_per_epoch(), 1_000);
}

#[test]
fn environment_variables_override_the_file() {
    let env = vec![
        ("DEPIN_CRANK_GRACE_SECS".to_string(), "30".to_string()),
        (
            "DEPIN_CRANK_DATABASE".to_string(),
            "/var/lib/crank.db".to_string(),
        ),
        ("DEPIN_CRANK_LISTEN".to_string(), "0.0.0.0:9000".to_string()),
        ("UNRELATED".to_string(), "x".to_string()),
        // The binary's and the fault hook's own variables are not settings.
        ("DEPIN_CRANK_ABORT_AT".to_string(), "sent:fund".to_string()),
        ("DEPIN_CRANK_LOG_FORMAT".to_string(), "json".to_string()),
    ];
    let config = CrankConfig::parse(&text(""), "crank.toml", env).unwrap();
    assert_eq!(config.grace_secs, 30);
    assert_eq!(config.database, PathBuf::from("/var/lib/crank.db"));
    assert_eq!(config.listen.port(), 9000);
}

#[test]
fn solana_pay_settings_have_defaults_and_overrides() {
    let config = CrankConfig::parse(&text(""), "crank.toml", no_env()).unwrap();
    assert_eq!(
        (config.public_url, config.pay_label.as_str()),
        (None, "depin")
    );
    let env = vec![(
        "DEPIN_CRANK_PUBLIC_URL".to_string(),
        "https://pay.example.com".to_string(),
    )];
    let config =
        CrankConfig::parse(&text("pay_label = \"Acme Charging\""), "crank.toml", env).unwrap();
    assert_eq!(
        config.public_url.as_deref(),
        Some("https://pay.example.com")
    );
    assert_eq!(config.pay_label, "Acme Charging");
}

#[test]
fn mistakes_are_named() {
    let error = |extra: &str| {
        CrankConfig::parse(&text(extra), "crank.toml", no_env())
            .unwrap_err()
            .to_string()
    };
    assert!(
        error("colour = 1").contains("unknown field"),
        "{}",
        error("colour = 1")
    );
    assert!(error("role = \"verifier\"").contains("primary_url"));
    assert!(error("tick_secs = 0").contains("tick_secs"));
    assert!(error("public_url = \"pay.example.com\"").contains("public_url"));
    let bad_key = text("").replace(NETWORK, "not-a-key");
    let message = CrankConfig::parse(&bad_key, "crank.toml", no_env())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("\"not-a-key\" is not a base58 address"),
        "{message}"
    );
    let bad_scoring = text("").replace("per_device_cap = 500", "per_device_cap = 0");
    let message = CrankConfig::parse(&bad_scoring, "crank.toml", no_env())
        .unwrap_err()
        .to_string();
    assert!(message.contains("per_device_cap"), "{message}");
    let missing = CrankConfig::load(Path::new("/nonexistent/crank.toml"), no_env()).unwrap_err();
    assert!(missing.to_string().contains("/nonexistent/crank.toml"));
}
