//! An identifier DOKU documents as a string but accepts as a JSON integer too.
//!
//! DOKU's Checkout tables type `order.line_items[].id`, `sku` and `customer.id` as strings, yet
//! DOKU's own WooCommerce plugin sends WordPress's numeric ids as JSON integers (`"id": 42`),
//! and DOKU takes them. [`TextOrInteger`] reads both, keeps the form it was read in and writes
//! it back in that form, so nothing a merchant sent is changed on the way through.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A string or a JSON integer, with the form it arrived in.
///
/// Compare and validate through [`TextOrInteger::as_str`]: `42` and `"42"` have the same text
/// but are different values (they are written back differently).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TextOrInteger {
    text: String,
    integer: bool,
}

impl TextOrInteger {
    /// An identifier sent as a JSON string (the documented form).
    pub fn text(value: impl Into<String>) -> Self {
        Self {
            text: value.into(),
            integer: false,
        }
    }

    /// An identifier sent as a JSON integer, as DOKU's WooCommerce plugin sends ids.
    pub fn integer(value: i64) -> Self {
        Self {
            text: value.to_string(),
            integer: true,
        }
    }

    /// The identifier's text: the string, or the integer's decimal digits.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it arrived (and is written) as a JSON integer rather than the documented string.
    pub fn is_integer(&self) -> bool {
        self.integer
    }
}

impl fmt::Debug for TextOrInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.integer {
            f.write_str(&self.text)
        } else {
            write!(f, "{:?}", self.text)
        }
    }
}

impl fmt::Display for TextOrInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<String> for TextOrInteger {
    fn from(value: String) -> Self {
        Self::text(value)
    }
}

impl From<&str> for TextOrInteger {
    fn from(value: &str) -> Self {
        Self::text(value)
    }
}

impl PartialEq<str> for TextOrInteger {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for TextOrInteger {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl Serialize for TextOrInteger {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.integer, self.text.parse::<i64>()) {
            (true, Ok(n)) => s.serialize_i64(n),
            // A u64 past i64's range was read as an integer too.
            (true, Err(_)) => match self.text.parse::<u64>() {
                Ok(n) => s.serialize_u64(n),
                Err(_) => s.serialize_str(&self.text),
            },
            (false, _) => s.serialize_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for TextOrInteger {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextOrIntegerVisitor;

        impl Visitor<'_> for TextOrIntegerVisitor {
            type Value = TextOrInteger;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<TextOrInteger, E> {
                Ok(TextOrInteger::text(v))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<TextOrInteger, E> {
                Ok(TextOrInteger::text(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TextOrInteger, E> {
                Ok(TextOrInteger::integer(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TextOrInteger, E> {
                Ok(TextOrInteger {
                    text: v.to_string(),
                    integer: true,
                })
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TextOrInteger, E> {
                Err(E::custom(format_args!(
                    "{v} is a number with a fraction or exponent; an id is a string or a whole integer"
                )))
            }
        }

        d.deserialize_any(TextOrIntegerVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::TextOrInteger;

    #[test]
    fn keeps_the_form_it_was_read_in() {
        for (json, text, integer) in [
            (r#""JC-01""#, "JC-01", false),
            (r#""42""#, "42", false),
            ("42", "42", true),
            ("-7", "-7", true),
            ("18446744073709551615", "18446744073709551615", true),
        ] {
            let id: TextOrInteger = serde_json::from_str(json).unwrap();
            assert_eq!((id.as_str(), id.is_integer()), (text, integer), "{json}");
            assert_eq!(serde_json::to_string(&id).unwrap(), json, "written back");
        }
    }

    #[test]
    fn refuses_fractions_and_other_kinds_with_a_reason() {
        for json in ["4.5", "1e3", "true", "null", "[]", "{}"] {
            let err = serde_json::from_str::<TextOrInteger>(json).unwrap_err();
            assert!(
                err.to_string()
                    .contains("id is a string or a whole integer")
                    || err.to_string().contains("a string or an integer"),
                "{json}: {err}"
            );
        }
    }

    #[test]
    fn debug_shows_the_form() {
        assert_eq!(format!("{:?}", TextOrInteger::integer(42)), "42");
        assert_eq!(format!("{:?}", TextOrInteger::from("42")), "\"42\"");
    }
}
