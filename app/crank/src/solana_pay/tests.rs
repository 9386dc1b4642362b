use super::http::{deposit_of, parse_request};
use super::link::encode_uri_component;
use super::offer::{duration, ui_amount};
use super::*;

const DEVICE: &str = "7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2";

#[test]
fn a_link_without_a_query_stays_readable_and_one_with_a_query_is_encoded() {
    let device: Pubkey = DEVICE.parse().unwrap();
    let plain = pay_link("https://pay.example.com/", &device, None).unwrap();
    assert_eq!(
        plain.link,
        format!("https://pay.example.com/v1/pay/sessions/{DEVICE}")
    );
    assert_eq!(plain.url, format!("solana:{}", plain.link));
    let with_deposit = pay_link("https://pay.example.com", &device, Some(5_000_000)).unwrap();
    assert_eq!(
        with_deposit.link,
        format!("https://pay.example.com/v1/pay/sessions/{DEVICE}?deposit=5000000")
    );
    assert_eq!(
        with_deposit.url,
        format!("solana:https%3A%2F%2Fpay.example.com%2Fv1%2Fpay%2Fsessions%2F{DEVICE}%3Fdeposit%3D5000000")
    );
    assert!(pay_link("pay.example.com", &device, None).is_err());
    assert!(pay_link("https://pay.example.com/?a=b", &device, None).is_err());
    assert!(pay_link("https://", &device, None).is_err());
}

#[test]
fn encode_uri_component_matches_javascript() {
    assert_eq!(
        encode_uri_component("https://a.b/c?d=1&e=f g~'()*!é"),
        "https%3A%2F%2Fa.b%2Fc%3Fd%3D1%26e%3Df%20g~'()*!%C3%A9"
    );
}

#[test]
fn the_deposit_query_is_a_whole_number_given_once() {
    assert_eq!(deposit_of(None), Ok(None));
    assert_eq!(deposit_of(Some("")), Ok(None));
    assert_eq!(deposit_of(Some("deposit=42")), Ok(Some(42)));
    assert_eq!(deposit_of(Some("ref=x&deposit=7&label")), Ok(Some(7)));
    for bad in [
        "deposit=",
        "deposit=-1",
        "deposit=+1",
        "deposit=1.5",
        "deposit=abc",
        "deposit=18446744073709551616",
        "deposit=1&deposit=2",
    ] {
        let error = deposit_of(Some(bad)).unwrap_err();
        assert_eq!(error.code(), "malformed_deposit", "{bad}");
    }
}

#[test]
fn amounts_and_durations_read_like_a_person_would_write_them() {
    assert_eq!(ui_amount(5_000_000, 6), "5");
    assert_eq!(ui_amount(2_500, 6), "0.0025");
    assert_eq!(ui_amount(1_234_500, 6), "1.2345");
    assert_eq!(ui_amount(7, 0), "7");
    assert_eq!(ui_amount(u64::MAX, 9), "18446744073.709551615");
    assert_eq!(duration(7_200), "2 h");
    assert_eq!(duration(5_400), "90 min");
    assert_eq!(duration(3 * 86_400), "3 d");
    assert_eq!(duration(61), "61 s");
}

#[test]
fn malformed_requests_are_named() {
    let body = br#"{"account":"7Np41oeYqPefeNQEHSv1UDhYrehxin3NStELsSKCT4K2"}"#;
    assert!(parse_request(DEVICE, None, body).is_ok());
    let code = |device: &str, body: &[u8]| parse_request(device, None, body).unwrap_err().code();
    assert_eq!(code("nope", body), "malformed_device");
    assert_eq!(code(DEVICE, b"not json"), "malformed_account");
    assert_eq!(code(DEVICE, br#"{"acount":"x"}"#), "malformed_account");
    assert_eq!(code(DEVICE, br#"{"account":42}"#), "malformed_account");
    assert_eq!(code(DEVICE, br#"{"account":"0OIl"}"#), "malformed_account");
}
