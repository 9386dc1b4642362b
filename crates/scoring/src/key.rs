//! A 32-byte account key (device, owner or operator), without Solana crates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 32-byte public key. Shown and (in human-readable formats such as JSON
/// or TOML) serialized in base58, as Solana shows keys; raw bytes in binary
/// formats. Orders by its bytes, which is the order scores and new leaf
/// indexes follow.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Key(pub [u8; 32]);

/// A string that is not a base58 32-byte key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a base58 32-byte key: {0:?}")]
pub struct ParseKeyError(pub String);

impl Key {
    pub const fn new(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    pub const fn to_bytes(self) -> [u8; 32] {
        self.0
    }
}

impl From<[u8; 32]> for Key {
    fn from(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).into_string())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({self})")
    }
}

impl FromStr for Key {
    type Err = ParseKeyError;

    fn from_str(text: &str) -> Result<Key, ParseKeyError> {
        let mut bytes = [0u8; 32];
        match bs58::decode(text).onto(&mut bytes) {
            Ok(32) => Ok(Key(bytes)),
            _ => Err(ParseKeyError(text.to_owned())),
        }
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            self.0.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        if deserializer.is_human_readable() {
            let text = String::deserialize(deserializer)?;
            text.parse().map_err(serde::de::Error::custom)
        } else {
            <[u8; 32]>::deserialize(deserializer).map(Key)
        }
    }
}
