//! Exact decimal amounts as DOKU sends them: `20000`, `"39000"` or `19000.00`.
//!
//! DOKU's Checkout page says amounts are "In IDR Currency and without decimal", yet real answers
//! carry the same amount as a JSON string (`"39000"` in a create answer), an integer (`39000` in
//! Check Status) or a decimal (`19000.00` in a QRIS notification). [`Amount`] reads all three,
//! compares by value (never as `f64`), and writes back the form it was read in.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// An exact, non-negative decimal amount with the JSON form it arrived in.
#[derive(Clone)]
pub struct Amount {
    /// Canonical digits: no sign, no leading zeros (but `0`), fraction without trailing zeros.
    integer: String,
    fraction: String,
    /// How it is written back.
    form: Form,
}

/// The JSON form of an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A JSON integer, e.g. `20000`.
    Integer,
    /// A JSON number with a fraction, e.g. `19000.00`; written back as a JSON float.
    Decimal,
    /// A JSON string, e.g. `"39000"`, written back verbatim.
    Text,
}

/// Why a value is not an amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountError(String);

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a non-negative decimal amount", self.0)
    }
}

impl std::error::Error for AmountError {}

impl Amount {
    /// A whole amount in IDR (what Checkout requests carry), written as a JSON integer.
    pub fn idr(value: u64) -> Self {
        Self {
            integer: value.to_string(),
            fraction: String::new(),
            form: Form::Integer,
        }
    }

    /// Parses `text` such as `39000`, `19000.00` or `0.5` (digits, at most one `.`); the amount
    /// is written back as a JSON string.
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let (integer, fraction) = split_decimal(text).ok_or_else(|| AmountError(text.into()))?;
        Ok(Self {
            integer,
            fraction,
            form: Form::Text,
        })
    }

    /// The whole value, if the amount has no fractional part (`19000.00` → `19000`).
    pub fn whole(&self) -> Option<u64> {
        if self.fraction.is_empty() {
            self.integer.parse().ok()
        } else {
            None
        }
    }

    /// Number of digits before the decimal point (DOKU's "Max length: 12" counts these).
    pub fn integer_digits(&self) -> usize {
        self.integer.len()
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.integer == "0" && self.fraction.is_empty()
    }

    /// The canonical decimal text, e.g. `19000` for `19000.00`, `0.5` for `"0.50"`.
    pub fn to_canonical(&self) -> String {
        if self.fraction.is_empty() {
            self.integer.clone()
        } else {
            format!("{}.{}", self.integer, self.fraction)
        }
    }

    /// The amount as `(digits, scale)`, value = digits / 10^scale (`None` past `u128`).
    pub(crate) fn scaled(&self) -> Option<(u128, u32)> {
        let scale = u32::try_from(self.fraction.len()).ok()?;
        let digits = format!("{}{}", self.integer, self.fraction).parse().ok()?;
        Some((digits, scale))
    }

    fn from_number(text: &str, form: Form) -> Result<Self, AmountError> {
        let (integer, fraction) = split_decimal(text).ok_or_else(|| AmountError(text.into()))?;
        Ok(Self {
            integer,
            fraction,
            form,
        })
    }
}

/// Splits `text` into canonical integer and fraction digits; `None` unless it is
/// `digits[.digits]`.
fn split_decimal(text: &str) -> Option<(String, String)> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int) || !digits(frac) || (text.contains('.') && frac.is_empty()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    Some((int.to_owned(), frac.trim_end_matches('0').to_owned()))
}

impl PartialEq for Amount {
    /// Equal by value: `20000`, `"20000"` and `20000.00` are the same amount.
    fn eq(&self, other: &Self) -> bool {
        self.integer == other.integer && self.fraction == other.fraction
    }
}

impl Eq for Amount {}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.to_canonical())
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_canonical())
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.form {
            Form::Text => s.serialize_str(&self.to_canonical()),
            Form::Integer => match self.whole() {
                Some(n) => s.serialize_u64(n),
                None => s.serialize_str(&self.to_canonical()),
            },
            // A decimal JSON number can only be written through f64; amounts of up to 15
            // significant digits (DOKU's are at most 12 + 2) come back exactly.
            Form::Decimal => match self.to_canonical().parse::<f64>() {
                Ok(v) => s.serialize_f64(v),
                Err(_) => s.serialize_str(&self.to_canonical()),
            },
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct AmountVisitor;

        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount: a non-negative number or a string of digits")
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount::idr(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                u64::try_from(v)
                    .map(Amount::idr)
                    .map_err(|_| E::custom(AmountError(v.to_string())))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                if !(0.0..1e15).contains(&v) {
                    return Err(E::custom(AmountError(v.to_string())));
                }
                // Shortest text that reads back as `v`: exact for DOKU's amounts (≤ 15 digits).
                Amount::from_number(&format!("{v}"), Form::Decimal).map_err(E::custom)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                Amount::parse(v.trim()).map_err(E::custom)
            }
        }

        d.deserialize_any(AmountVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form_doku_sends_and_compares_by_value() {
        let int: Amount = serde_json::from_str("20000").unwrap();
        let text: Amount = serde_json::from_str("\"20000\"").unwrap();
        let dec: Amount = serde_json::from_str("20000.00").unwrap();
        assert_eq!(int, text);
        assert_eq!(int, dec);
        assert_eq!(dec.whole(), Some(20000));
        assert_eq!(int.integer_digits(), 5);
        let half: Amount = serde_json::from_str("\"0.50\"").unwrap();
        assert_eq!(half.to_canonical(), "0.5");
        assert_eq!(half.whole(), None);
    }

    #[test]
    fn writes_back_the_form_it_read() {
        for json in ["20000", "\"39000\"", "19000.0", "0"] {
            let a: Amount = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&a).unwrap(), json);
        }
        // `19000.00` parses to the same JSON value as `19000.0`.
        let a: Amount = serde_json::from_str("19000.00").unwrap();
        let back: serde_json::Value = serde_json::to_value(&a).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>("19000.00").unwrap()
        );
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        for json in [
            "-1", "\"abc\"", "\"1.\"", "\".5\"", "\"1e5\"", "true", "null", "\"\"",
        ] {
            assert!(serde_json::from_str::<Amount>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn twelve_digit_amounts_are_exact() {
        let a: Amount = serde_json::from_str("999999999999.99").unwrap();
        assert_eq!(a.to_canonical(), "999999999999.99");
        let b: Amount = serde_json::from_str("999999999999").unwrap();
        assert_eq!(b.whole(), Some(999_999_999_999));
    }
}
