//! Exact decimal amounts as DOKU sends them: `20000`, `"39000"` or `19000.00`.
//!
//! DOKU's Checkout page says amounts are "In IDR Currency and without decimal", yet real answers
//! carry the same amount as a JSON string (`"39000"` in a create answer), an integer (`39000` in
//! Check Status) or a decimal (`19000.00` in a QRIS notification). [`Amount`] reads all three,
//! compares by value (never as `f64`), and writes back the form it was read in.
//!
//! The value is read from the number's **text** (through serde_json's raw value), never through
//! `f64`: `19999.99999999999999` would otherwise become `20000`. What DOKU writes is digits with
//! an optional fraction; anything else is refused with the reason: a sign, an exponent (`1e2`),
//! spaces (`" 5"`), or more than two decimal places that are not zeros (`10000.001`; IDR has no
//! unit below the cent, and DOKU's `10000.00` keeps its zeros).

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

/// Most decimal places an amount may have that are not zeros (cents).
pub(crate) const MAX_AMOUNT_DECIMALS: usize = 2;

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

/// Why a value is not an amount: the text (at most 40 characters of it) and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountError {
    text: String,
    reason: &'static str,
}

impl AmountError {
    fn new(text: &str, reason: &'static str) -> Self {
        const SHOWN: usize = 40;
        // Only number-like text is quoted back: a mistyped field may hold a token or a key.
        let number_like = text
            .bytes()
            .all(|b| b.is_ascii_digit() || b" .+-eE\"".contains(&b));
        if !number_like {
            return Self {
                text: "this value".to_owned(),
                reason,
            };
        }
        let text = match text.char_indices().nth(SHOWN) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.to_owned(),
        };
        Self { text, reason }
    }

    /// Why the text is not an amount, e.g. "an exponent is not accepted".
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for AmountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an amount: {} (DOKU writes amounts as digits with an optional \
             fraction, e.g. 10000 or 10000.00)",
            self.text, self.reason
        )
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

    /// Parses `text` such as `39000`, `19000.00` or `0.5`: digits, at most one `.` followed by
    /// digits, at most two decimal places that are not zeros; no sign, exponent or space. The
    /// amount is written back as a JSON string.
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let (integer, fraction) = split_decimal(text)?;
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

    /// Reads the exact JSON text of a value: a number (`20000`, `19000.00`) or a string of
    /// digits (`"39000"`).
    fn from_json_text(text: &str) -> Result<Self, AmountError> {
        if let Some(inner) = text.strip_prefix('"') {
            // DOKU's strings are plain digits; an escape (`\u0035`) is refused like any other
            // character that is not a digit or the point.
            let inner = inner.strip_suffix('"').unwrap_or(inner);
            return Self::parse(inner);
        }
        match text.bytes().next() {
            Some(b'-' | b'0'..=b'9') => {}
            _ => {
                return Err(AmountError::new(
                    text,
                    "expected a number or a string of digits",
                ))
            }
        }
        let (integer, fraction) = split_decimal(text)?;
        let form = if text.contains('.') {
            Form::Decimal
        } else {
            Form::Integer
        };
        Ok(Self {
            integer,
            fraction,
            form,
        })
    }
}

/// Splits `text` into canonical integer and fraction digits, or says why it is not
/// `digits[.digits]` with at most [`MAX_AMOUNT_DECIMALS`] decimal places that are not zeros.
fn split_decimal(text: &str) -> Result<(String, String), AmountError> {
    let refuse = |reason| Err(AmountError::new(text, reason));
    if text.is_empty() {
        return refuse("it is empty");
    }
    if text.bytes().any(|b| b.is_ascii_whitespace()) {
        return refuse("spaces are not accepted");
    }
    if text.starts_with(['-', '+']) {
        return refuse("a sign is not accepted (amounts are never negative)");
    }
    if text.contains(['e', 'E']) {
        return refuse("an exponent is not accepted");
    }
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return refuse("only digits and one decimal point between digits are accepted");
    }
    let frac = frac.unwrap_or("").trim_end_matches('0');
    if frac.len() > MAX_AMOUNT_DECIMALS {
        return refuse("more than 2 decimal places that are not zeros");
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    Ok((int.to_owned(), frac.to_owned()))
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
    /// Reads the value's JSON text exactly (serde_json's raw value): from JSON bytes, or from a
    /// `serde_json::Value` (whose numbers are already `f64`; decode from bytes to be exact).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(d)?;
        Amount::from_json_text(raw.get()).map_err(de::Error::custom)
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
    fn the_text_is_read_never_an_f64() {
        // Each would read as a plain amount through f64 (20000, 100, 5).
        for (json, why) in [
            ("19999.99999999999999", "more than 2 decimal places"),
            ("1e2", "exponent"),
            ("1E2", "exponent"),
            ("100.0e0", "exponent"),
            ("\" 5\"", "spaces"),
            ("\"5 \"", "spaces"),
            ("\"1e2\"", "exponent"),
            ("10000.001", "more than 2 decimal places"),
            ("-0", "sign"),
            ("\"+5\"", "sign"),
            ("\"\\u0035\"", "only digits"),
        ] {
            let err = serde_json::from_str::<Amount>(json)
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{json}: {err}");
        }
        // Every form DOKU sends is still read, zeros past the cents included.
        for (json, canonical) in [
            ("10000", "10000"),
            ("10000.00", "10000"),
            ("\"10000.00\"", "10000"),
            ("\"10000\"", "10000"),
            ("19000.000", "19000"),
            ("0.50", "0.5"),
            ("12.34", "12.34"),
        ] {
            let a: Amount = serde_json::from_str(json).unwrap();
            assert_eq!(a.to_canonical(), canonical, "{json}");
        }
    }

    #[test]
    fn an_error_never_quotes_what_is_not_number_like() {
        let err = Amount::parse("eyJhbGciOiJIUzI1NiJ9")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("eyJ"), "{err}");
        let long = "1".repeat(100) + "e5";
        let err = Amount::parse(&long).unwrap_err().to_string();
        assert!(err.len() < 250, "{err}");
    }

    #[test]
    fn twelve_digit_amounts_are_exact() {
        let a: Amount = serde_json::from_str("999999999999.99").unwrap();
        assert_eq!(a.to_canonical(), "999999999999.99");
        let b: Amount = serde_json::from_str("999999999999").unwrap();
        assert_eq!(b.whole(), Some(999_999_999_999));
    }
}
