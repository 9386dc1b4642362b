//! Reading and validating the scoring config.

use super::config;
use crate::{ConfigError, RawScoringConfig, ScoringConfig};

const TOML: &str = "
emission_per_epoch = 1_000_000_000
per_device_cap = 50_000_000
operator_share_bps = 2_000
min_work_wh = 100
";

fn raw(operator_bps: u16) -> RawScoringConfig {
    RawScoringConfig {
        emission_per_epoch: 1_000,
        per_device_cap: 100,
        operator_share_bps: operator_bps,
        min_work_wh: 0,
    }
}

#[test]
fn reads_toml() {
    let parsed: ScoringConfig = toml::from_str(TOML).unwrap();
    assert_eq!(parsed, config(1_000_000_000, 50_000_000, 2_000, 100));
    assert_eq!(parsed.emission_per_epoch(), 1_000_000_000);
    assert_eq!(parsed.per_device_cap(), 50_000_000);
    assert_eq!(parsed.operator_share_bps(), 2_000);
    assert_eq!(parsed.min_work_wh(), 100);
}

#[test]
fn reads_json_and_writes_it_back() {
    let json =
        r#"{"emission_per_epoch":5,"per_device_cap":3,"operator_share_bps":0,"min_work_wh":1}"#;
    let parsed: ScoringConfig = serde_json::from_str(json).unwrap();
    assert_eq!(parsed, config(5, 3, 0, 1));
    assert_eq!(serde_json::to_string(&parsed).unwrap(), json);
}

#[test]
fn whole_share_to_operators_is_allowed() {
    assert!(ScoringConfig::new(raw(10_000)).is_ok());
}

#[test]
fn operator_share_above_whole_is_refused() {
    assert_eq!(
        ScoringConfig::new(raw(10_001)),
        Err(ConfigError::OperatorShareAboveWhole(10_001))
    );
    let text = TOML.replace("2_000", "10_001");
    let error = toml::from_str::<ScoringConfig>(&text).unwrap_err();
    assert!(error.to_string().contains("more than 10000"), "{error}");
}

#[test]
fn zero_emission_is_refused() {
    let zero = RawScoringConfig {
        emission_per_epoch: 0,
        ..raw(0)
    };
    assert_eq!(ScoringConfig::new(zero), Err(ConfigError::ZeroEmission));
}

#[test]
fn zero_cap_is_refused() {
    let zero = RawScoringConfig {
        per_device_cap: 0,
        ..raw(0)
    };
    assert_eq!(ScoringConfig::new(zero), Err(ConfigError::ZeroCap));
}

#[test]
fn unknown_and_missing_fields_are_refused() {
    let typo = TOML.replace("min_work_wh", "min_work_kwh");
    let error = toml::from_str::<ScoringConfig>(&typo).unwrap_err();
    assert!(error.to_string().contains("min_work_kwh"), "{error}");
    let missing = TOML.replace("per_device_cap = 50_000_000", "");
    let error = toml::from_str::<ScoringConfig>(&missing).unwrap_err();
    assert!(error.to_string().contains("per_device_cap"), "{error}");
}

#[test]
fn negative_values_are_refused() {
    let negative = TOML.replace("min_work_wh = 100", "min_work_wh = -1");
    assert!(toml::from_str::<ScoringConfig>(&negative).is_err());
}
