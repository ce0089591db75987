//! The crate's one error type.

use core::fmt;

/// Why a signature could not be produced or was refused.
///
/// Each malformed-input case has its own variant so a verifier can tell "the header is broken" from "the
/// signature is well-formed but wrong" (the latter is the one that suggests tampering or a wrong key).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The header value has no `ALGORITHM=` prefix (e.g. bare base64).
    MissingPrefix,
    /// The header names an algorithm other than the one expected (prefixes are case-sensitive).
    UnsupportedAlgorithm {
        /// The algorithm label found before `=` (at most 32 characters are kept).
        found: alloc::string::String,
    },
    /// The signature is not valid standard base64 with padding.
    InvalidBase64,
    /// The decoded signature has the wrong number of bytes for the algorithm.
    InvalidLength {
        /// Bytes the algorithm produces.
        expected: usize,
        /// Bytes found after decoding (or a lower bound when the input was far too long).
        found: usize,
    },
    /// The signature is well-formed but does not match the message: wrong key, or the message was altered.
    Mismatch,
    /// A timestamp could not be parsed as ISO 8601 (`YYYY-MM-DDTHH:MM:SS` with `Z` or `±HH:MM`).
    InvalidTimestamp,
    /// The timestamp is further from `now` than the allowed tolerance (a replay or a skewed clock).
    Stale {
        /// Signed distance `timestamp - now` in seconds.
        skew_seconds: i64,
    },
    /// A PEM key could not be read (wrong format, bad passphrase, unsupported encryption).
    InvalidKey {
        /// What was wrong, without key material.
        reason: &'static str,
    },
    /// The RSA operation failed.
    Rsa,
    /// A header the scheme signs is absent from an inbound message.
    MissingHeader {
        /// The header's name, one of [`crate::headers`].
        name: &'static str,
    },
    /// The signature is hexadecimal where base64 is expected. DOKU's SNAP notification sample shows a 64-hex
    /// `X-SIGNATURE`, but the scheme is base64 of a 64-byte HMAC-SHA512 (88 characters); hex is refused rather
    /// than guessed at.
    HexSignature {
        /// The number of hexadecimal characters received.
        chars: usize,
    },
    /// A body (or a JWT header) is not valid JSON (RFC 8259).
    InvalidJson {
        /// Byte offset in the input where reading stopped.
        offset: usize,
        /// What was wrong there.
        reason: &'static str,
    },
    /// The JSON is valid but the named minification reading cannot re-serialise it, because the runtime it
    /// reproduces refuses it too (PHP and infinite numbers, for one).
    NotMinifiable {
        /// The reading that refused.
        reading: crate::MinifyReading,
        /// Why, in words.
        reason: &'static str,
    },
    /// A JSON Web Token is malformed or not what was expected (its signature failing is [`Error::Mismatch`]).
    InvalidJwt {
        /// What was wrong, without token content.
        reason: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingPrefix => f.write_str("signature header has no algorithm prefix"),
            Error::UnsupportedAlgorithm { found } => {
                write!(f, "signature header names unsupported algorithm `{found}`")
            }
            Error::InvalidBase64 => f.write_str("signature is not valid base64"),
            Error::InvalidLength { expected, found } => {
                write!(f, "signature decodes to {found} bytes, expected {expected}")
            }
            Error::MissingHeader { name } => write!(f, "the `{name}` header is missing"),
            Error::Mismatch => f.write_str("signature does not match the message"),
            Error::InvalidTimestamp => f.write_str("timestamp is not ISO 8601"),
            Error::Stale { skew_seconds } => {
                write!(
                    f,
                    "timestamp is {skew_seconds} s away from now, outside the tolerance"
                )
            }
            Error::InvalidKey { reason } => write!(f, "invalid key: {reason}"),
            Error::Rsa => f.write_str("RSA operation failed"),
            Error::HexSignature { chars } => write!(
                f,
                "signature is {chars} hexadecimal characters; a SNAP X-SIGNATURE is base64 of a 64-byte \
                 HMAC-SHA512 (88 characters)"
            ),
            Error::InvalidJson { offset, reason } => {
                write!(f, "not valid JSON at byte {offset}: {reason}")
            }
            Error::NotMinifiable { reading, reason } => {
                write!(f, "the {reading} minification refuses this JSON: {reason}")
            }
            Error::InvalidJwt { reason } => write!(f, "invalid JWT: {reason}"),
        }
    }
}

impl core::error::Error for Error {}
