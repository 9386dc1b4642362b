//! Unit tests of the pay commands' parsing and checks.

use depin_client::payments::TariffTerms;

use super::tariff::*;
use super::*;

#[test]
fn durations_are_seconds_or_suffixed() {
    assert_eq!(parse_duration("60").unwrap(), 60);
    assert_eq!(parse_duration("90s").unwrap(), 90);
    assert_eq!(parse_duration("30m").unwrap(), 1_800);
    assert_eq!(parse_duration("12h").unwrap(), 43_200);
    assert_eq!(parse_duration("7d").unwrap(), 604_800);
    assert!(parse_duration("7w").is_err());
    assert!(parse_duration("h").is_err());
    assert!(parse_duration("").is_err());
    assert!(parse_duration("100000d").unwrap_err().contains("too long"));
}

#[test]
fn terms_out_of_range_are_named() {
    let terms = TariffTerms {
        unit: MeterUnit::WattHour,
        price_per_unit: 1,
        min_deposit: 1,
        max_session_secs: 60,
        operator_cut_bps: 0,
    };
    assert!(check_terms(&terms).is_ok());
    let short = TariffTerms {
        max_session_secs: 59,
        ..terms
    };
    assert!(check_terms(&short)
        .unwrap_err()
        .to_string()
        .contains("--max-session"));
    let greedy = TariffTerms {
        operator_cut_bps: 5_001,
        ..terms
    };
    assert!(check_terms(&greedy)
        .unwrap_err()
        .to_string()
        .contains("--operator-cut"));
}
