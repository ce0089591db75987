//! A JSON number kept exactly as it was written.
//!
//! Checkout's answer carries `response.uuid` as an unquoted 40-digit JSON number (131 bits): it
//! fits neither `u64` nor `u128`, and `f64` would round it. [`RawNumber`] keeps its text.
//! Keeping the text needs the bytes as they arrive, so a type holding a `RawNumber` must be
//! decoded straight from JSON bytes, not from a `serde_json::Value` or a flattened struct.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

/// A JSON number (or a string of digits, if DOKU ever quotes it) with its exact text.
#[derive(Clone)]
pub struct RawNumber(Box<RawValue>);

impl RawNumber {
    /// The number's digits as written, e.g. `2225240712094712339107164227041411929328` (without
    /// quotes if it came as a string).
    pub fn as_str(&self) -> &str {
        self.0.get().trim_matches('"')
    }
}

impl PartialEq for RawNumber {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for RawNumber {}

impl fmt::Debug for RawNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawNumber({})", self.as_str())
    }
}

impl fmt::Display for RawNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RawNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RawNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        let digits = text.trim_matches('"');
        let quoted = text.len() == digits.len() + 2 && text.starts_with('"');
        let number_like = !digits.is_empty()
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e' | b'E' | b'+'));
        if number_like && (quoted || text == digits) {
            Ok(Self(raw))
        } else {
            Err(de::Error::custom("expected a JSON number"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_digits_survive_decode_and_encode() {
        let text = "2225240712094712339107164227041411929328";
        let n: RawNumber = serde_json::from_str(text).unwrap();
        assert_eq!(n.as_str(), text);
        assert_eq!(serde_json::to_string(&n).unwrap(), text);
        let quoted: RawNumber = serde_json::from_str(&format!("\"{text}\"")).unwrap();
        assert_eq!(quoted, n);
        assert!(serde_json::from_str::<RawNumber>("\"abc\"").is_err());
        assert!(serde_json::from_str::<RawNumber>("{}").is_err());
    }
}
