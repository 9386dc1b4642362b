//! The key type's text and serde forms.

use super::key;
use crate::{Key, ParseKeyError};

#[test]
fn base58_round_trips() {
    let original = Key([7; 32]);
    let text = original.to_string();
    assert_eq!(text.parse::<Key>(), Ok(original));
    assert_eq!(format!("{original:?}"), format!("Key({text})"));
}

#[test]
fn the_system_program_key_reads_as_zero() {
    let zero: Key = "11111111111111111111111111111111".parse().unwrap();
    assert_eq!(zero, Key::default());
}

#[test]
fn wrong_lengths_and_alphabets_are_refused() {
    let short = bs58::encode([1u8; 31]).into_string();
    let long = bs58::encode([1u8; 33]).into_string();
    for text in [short.as_str(), long.as_str(), "0OIl", ""] {
        assert_eq!(
            text.parse::<Key>(),
            Err(ParseKeyError(text.to_owned())),
            "{text}"
        );
    }
}

#[test]
fn json_holds_base58_text() {
    let json = serde_json::to_string(&key(9)).unwrap();
    assert_eq!(json, format!("\"{}\"", key(9)));
    assert_eq!(serde_json::from_str::<Key>(&json).unwrap(), key(9));
    assert!(serde_json::from_str::<Key>("\"not a key\"").is_err());
}
