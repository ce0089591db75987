//! Identifiers and constrained strings, validated at construction.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// Maximum length of a `Request-Id` (DOKU: "max 128 characters").
pub const REQUEST_ID_MAX_LEN: usize = 128;

fn check_visible_ascii(what: &'static str, value: &str, max_len: usize) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid(what, "must not be empty"));
    }
    if value.len() > max_len {
        return Err(Error::invalid(
            what,
            format!(
                "is {} characters long, at most {max_len} allowed",
                value.len()
            ),
        ));
    }
    if let Some((i, c)) = value.char_indices().find(|(_, c)| !c.is_ascii_graphic()) {
        return Err(Error::invalid(
            what,
            format!("character {c:?} at byte {i} is not visible ASCII (0x21..=0x7E)"),
        ));
    }
    Ok(())
}

macro_rules! visible_ascii_id {
    ($(#[$meta:meta])* $name:ident, $what:literal, $max:expr) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Checks `value` (non-empty, visible ASCII only, length limit) and wraps it.
            pub fn new(value: impl Into<String>) -> Result<Self, Error> {
                let value = value.into();
                check_visible_ascii($what, &value, $max)?;
                Ok(Self(value))
            }

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Unwraps the inner string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(value: String) -> Result<Self, Error> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(value: &str) -> Result<Self, Error> {
                Self::new(value)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Self::new(value).map_err(serde::de::Error::custom)
            }
        }
    };
}

visible_ascii_id!(
    /// The `Request-Id` header: DOKU's idempotency key. Non-empty, at most 128 characters,
    /// visible ASCII only (so it can go in a header and in the string to sign unchanged).
    RequestId,
    "Request-Id",
    REQUEST_ID_MAX_LEN
);

impl RequestId {
    /// A fresh random Request-Id (a UUID v4, 36 characters). Never collides in practice,
    /// unlike the `rand(1, 100000)` ids of DOKU's own samples.
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }
}

visible_ascii_id!(
    /// A DOKU client id (`Client-Id` header), e.g. the partner's Brand ID
    /// `BRN-0001-10791114622547`, or the client id of a business under the partner.
    /// Non-empty, at most 128 characters, visible ASCII only.
    ClientId,
    "Client-Id",
    128
);

visible_ascii_id!(
    /// The identifier DOKU gives an uploaded file (e.g. `CNT-0104-1676639713907`), used to
    /// refer to the file in Business Registration. Non-empty, visible ASCII, at most 128.
    FileId,
    "file id",
    128
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_id_limits() {
        assert!(RequestId::new("a".repeat(128)).is_ok());
        assert!(RequestId::new("a".repeat(129)).is_err());
        assert!(RequestId::new("").is_err());
        assert!(RequestId::new("has space").is_err());
        assert!(RequestId::new("tab\t").is_err());
        assert!(RequestId::new("é").is_err());
        assert!(RequestId::new("fdb69f47-96da-499d-acec-7cdc318ab2fe").is_ok());
    }

    #[test]
    fn random_request_ids_are_valid_and_distinct() {
        let a = RequestId::random();
        let b = RequestId::random();
        assert_ne!(a, b);
        assert!(RequestId::new(a.as_str()).is_ok());
    }

    #[test]
    fn request_id_serde_validates() {
        let id: RequestId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(id.as_str(), "abc");
        assert!(serde_json::from_str::<RequestId>("\"\"").is_err());
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"abc\"");
    }

    #[test]
    fn error_message_names_the_problem() {
        let err = RequestId::new("a".repeat(200)).unwrap_err().to_string();
        assert!(err.contains("Request-Id"), "{err}");
        assert!(err.contains("200"), "{err}");
    }
}
