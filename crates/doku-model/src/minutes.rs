//! A whole number of minutes that DOKU may send as a number or as a string.
//!
//! Checkout's `payment.payment_due_date` is documented as a number, yet a real sandbox request
//! sent the string `"30"` and DOKU answered the number `30`. [`Minutes`] reads both and writes
//! back the form it was read in.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Minutes, with the JSON form they arrived in (equal and hashed by value only).
#[derive(Clone, Copy)]
pub struct Minutes {
    value: u32,
    quoted: bool,
}

impl Minutes {
    /// Minutes written as a JSON number.
    pub fn new(value: u32) -> Self {
        Self {
            value,
            quoted: false,
        }
    }

    /// The number of minutes.
    pub fn get(self) -> u32 {
        self.value
    }
}

impl PartialEq for Minutes {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl Eq for Minutes {}

impl std::hash::Hash for Minutes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl fmt::Debug for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Minutes({})", self.value)
    }
}

impl fmt::Display for Minutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.value)
    }
}

impl Serialize for Minutes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.quoted {
            s.serialize_str(&self.value.to_string())
        } else {
            s.serialize_u32(self.value)
        }
    }
}

impl<'de> Deserialize<'de> for Minutes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MinutesVisitor;

        impl Visitor<'_> for MinutesVisitor {
            type Value = Minutes;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number of minutes (a number or a string of digits)")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Minutes, E> {
                u32::try_from(v)
                    .map(Minutes::new)
                    .map_err(|_| E::custom("minutes out of range"))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Minutes, E> {
                u32::try_from(v)
                    .map(Minutes::new)
                    .map_err(|_| E::custom("minutes out of range"))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Minutes, E> {
                if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
                    // Checked above: whole and in range.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Ok(Minutes::new(v as u32))
                } else {
                    Err(E::custom("minutes must be a whole number"))
                }
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Minutes, E> {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(E::custom("minutes must be digits"));
                }
                v.parse::<u32>()
                    .map(|value| Minutes {
                        value,
                        quoted: true,
                    })
                    .map_err(|_| E::custom("minutes out of range"))
            }
        }

        d.deserialize_any(MinutesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_or_string_round_trips() {
        for json in ["60", "\"30\""] {
            let m: Minutes = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&m).unwrap(), json);
        }
        let s: Minutes = serde_json::from_str("\"30\"").unwrap();
        assert_eq!(s.get(), 30);
        assert_eq!(s, Minutes::new(30), "equal by value whatever the form");
        for bad in ["-1", "\"3a\"", "1.5", "\"\"", "null"] {
            assert!(serde_json::from_str::<Minutes>(bad).is_err(), "{bad}");
        }
    }
}
