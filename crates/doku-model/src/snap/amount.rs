//! SNAP's money object `{"value":"11500.00","currency":"IDR"}`.
//!
//! `value` is a JSON **string** with exactly two decimals. [`AmountValue`] keeps the received
//! text (so nothing a sender wrote is changed on the way through), decodes any string, and
//! reads it exactly as minor units (cents) without floats; [`AmountValue::check`] says why a
//! text is not SNAP's form, and `Validate` reports it with the field's path.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Most digits before the decimal point (SNAP's `String(16,2)`).
pub const MAX_AMOUNT_INTEGER_DIGITS: usize = 16;

/// The only currency DOKU's SNAP Virtual Accounts use.
pub const IDR: &str = "IDR";

/// SNAP's amount text, e.g. `"11500.00"`, kept exactly as received.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AmountValue(String);

impl AmountValue {
    /// `whole` IDR written with two decimals: `11500` → `"11500.00"`.
    pub fn from_idr(whole: u64) -> Self {
        Self(format!("{whole}.00"))
    }

    /// An amount in minor units (cents): `1150050` → `"11500.50"`.
    pub fn from_minor_units(cents: u64) -> Self {
        Self(format!("{}.{:02}", cents / 100, cents % 100))
    }

    /// Parses `text`, refusing anything that is not SNAP's form (see [`AmountValue::check`]).
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        check(text)?;
        Ok(Self(text.to_owned()))
    }

    /// Any text, kept verbatim (what decoding does); check it with [`AmountValue::check`].
    pub fn unchecked(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Why the text is not SNAP's form (digits, a point, exactly two decimals, no sign, no
    /// leading zeros, at most [`MAX_AMOUNT_INTEGER_DIGITS`] digits before the point).
    pub fn check(&self) -> Result<(), &'static str> {
        check(&self.0)
    }

    /// The exact value in minor units (`"11500.00"` → `1150000`), `None` when the text is not
    /// SNAP's form.
    pub fn minor_units(&self) -> Option<u128> {
        check(&self.0).ok()?;
        let (int, frac) = self.0.split_once('.')?;
        let int: u128 = int.parse().ok()?;
        let frac: u128 = frac.parse().ok()?;
        int.checked_mul(100)?.checked_add(frac)
    }

    /// The value in whole IDR when it has no cents (`"11500.00"` → `11500`).
    pub fn whole_idr(&self) -> Option<u64> {
        let units = self.minor_units()?;
        (units % 100 == 0)
            .then(|| u64::try_from(units / 100).ok())
            .flatten()
    }
}

fn check(text: &str) -> Result<(), &'static str> {
    let Some((int, frac)) = text.split_once('.') else {
        return Err("must have exactly two decimals, e.g. \"11500.00\"");
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) {
        return Err(
            "must be digits, a point and two decimals, e.g. \"11500.00\" (no sign, \
                    space or exponent)",
        );
    }
    if frac.len() != 2 {
        return Err("must have exactly two decimals, e.g. \"11500.00\"");
    }
    if int.len() > 1 && int.starts_with('0') {
        return Err("must not have leading zeros");
    }
    if int.len() > MAX_AMOUNT_INTEGER_DIGITS {
        return Err("has more than 16 digits before the point");
    }
    Ok(())
}

impl fmt::Debug for AmountValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AmountValue({:?})", self.0)
    }
}

impl fmt::Display for AmountValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `{"value":"11500.00","currency":"IDR"}` (`totalAmount`, `paidAmount`, `billAmount`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapAmount {
    /// The amount as a string with two decimals.
    pub value: AmountValue,
    /// ISO 4217 code; always `IDR` for DOKU's Virtual Accounts.
    pub currency: String,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl SnapAmount {
    /// `whole` IDR: `{"value":"<whole>.00","currency":"IDR"}`.
    pub fn idr(whole: u64) -> Self {
        Self::new(AmountValue::from_idr(whole))
    }

    /// An IDR amount with this value.
    pub fn new(value: AmountValue) -> Self {
        Self {
            value,
            currency: IDR.to_owned(),
            extra: serde_json::Map::new(),
        }
    }

    /// Records every problem of the amount at `path` (`path.value`, `path.currency`).
    pub(crate) fn check_into(&self, e: &mut crate::validate::ValidationErrors, path: &str) {
        if let Err(why) = self.value.check() {
            e.push(
                format!("{path}.value"),
                format!("{:?} {why}", self.value.as_str()),
            );
        }
        if self.currency != IDR {
            e.push(
                format!("{path}.currency"),
                format!("must be \"IDR\", got {:?}", self.currency),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_exactly_and_keeps_the_text() {
        let a: SnapAmount =
            serde_json::from_str(r#"{"value":"11500.00","currency":"IDR"}"#).unwrap();
        assert_eq!(a.value.minor_units(), Some(1_150_000));
        assert_eq!(a.value.whole_idr(), Some(11500));
        assert_eq!(a, SnapAmount::idr(11500));
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"value":"11500.00","currency":"IDR"}"#
        );
        let big = AmountValue::parse("9999999999999999.99").unwrap();
        assert_eq!(big.minor_units(), Some(999_999_999_999_999_999));
        assert_eq!(
            AmountValue::from_minor_units(1_150_050).as_str(),
            "11500.50"
        );
        assert_eq!(AmountValue::from_minor_units(5).as_str(), "0.05");
        assert_eq!(AmountValue::parse("0.50").unwrap().whole_idr(), None);
    }

    #[test]
    fn other_forms_decode_but_fail_the_check() {
        for text in [
            "11500",
            "11500.0",
            "11500.000",
            "-1.00",
            "+1.00",
            "1e3.00",
            " 1.00",
            "01.00",
            ".50",
            "1.",
            "",
            "12345678901234567.00",
            "١٢.٠٠",
        ] {
            let v: AmountValue = serde_json::from_value(serde_json::json!(text)).unwrap();
            assert!(v.check().is_err(), "{text:?}");
            assert_eq!(v.minor_units(), None, "{text:?}");
            assert_eq!(serde_json::to_value(&v).unwrap(), serde_json::json!(text));
        }
        assert!(serde_json::from_str::<AmountValue>("11500.00").is_err());
    }
}
