//! SNAP symmetric signatures (`X-SIGNATURE` on SNAP transaction calls and inbound SNAP notifications).
//!
//! String to sign: `METHOD:path:accessToken:lowercase(hex(SHA-256(body))):X-TIMESTAMP`; signature:
//! base64(HMAC-SHA512(client secret, string)). SNAP asks for the SHA-256 of the *minified* body: send the
//! minified bytes (see [`crate::minify_json`]) and hash those same bytes — [`sign`] and [`verify`] never
//! re-serialise. The access token is empty for inbound notifications that carry none.
//!
//! On the receiving side, a peer may have hashed its own re-serialisation of the body rather than the bytes it
//! sent (DOKU's SDKs do). [`verify_received`] checks the raw bytes first and then each
//! [`MinifyReading`] the caller allows, and says which form matched.
//!
//! Signatures are compared in constant time, byte for byte after base64 decoding: never as text, never
//! case-insensitively. A hexadecimal value (DOKU's SNAP notification sample shows 64 hex characters) is
//! refused as [`Error::HexSignature`].
//!
//! ```
//! use doku_sign::{snap_symmetric::{self, BodyForm, Message}, MinifyReading, SecretKey};
//!
//! let key = SecretKey::from("merchant-client-secret");
//! let received = br#"{ "trxId": "INV-1", "paidAmount": { "value": "10000.00", "currency": "IDR" }, "url": "https:\/\/shop.example" }"#;
//! let message = Message {
//!     method: "POST",
//!     path: "/v1.1/transfer-va/payment",
//!     access_token: "",
//!     body: received,
//!     timestamp: "2024-03-19T14:39:01+07:00",
//! };
//! // The peer signed PHP's re-serialisation of the body, not the bytes it sent.
//! let php_form = doku_sign::minify_as(MinifyReading::Php, core::str::from_utf8(received).unwrap()).unwrap();
//! let signature = snap_symmetric::sign(&key, &Message { body: php_form.as_bytes(), ..message }).to_string();
//!
//! assert!(snap_symmetric::verify(&key, &message, &signature).is_err());
//! let form = snap_symmetric::verify_received(&key, &message, &signature, &MinifyReading::ALL);
//! assert_eq!(form, Ok(BodyForm::Minified(MinifyReading::Php)));
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256, Sha512};

use crate::{base64_fixed, minify_as, Error, MinifyReading, SecretKey};

type HmacSha512 = Hmac<Sha512>;

/// Bytes in an HMAC-SHA512 output.
pub const MAC_LEN: usize = 64;
const B64_LEN: usize = 88;

/// The signed components of a SNAP symmetric message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// HTTP method in upper case, e.g. `POST`.
    pub method: &'a str,
    /// Endpoint path (with query string, if the request has one), e.g. `/snap/v1.0/transfer-va/create-va`.
    pub path: &'a str,
    /// The B2B access token, or `""` when there is none.
    pub access_token: &'a str,
    /// The exact (minified) body bytes sent; `b""` for no body.
    pub body: &'a [u8],
    /// The `X-TIMESTAMP` header value, byte for byte.
    pub timestamp: &'a str,
}

/// Lower-case hex SHA-256 of the body, as it appears in the string to sign (64 ASCII bytes on the stack).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BodyHash {
    hex: [u8; 64],
}

impl BodyHash {
    /// Hashes the exact body bytes.
    pub fn of(body: &[u8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let hash: [u8; 32] = Sha256::digest(body).into();
        let mut hex = [0u8; 64];
        for (i, byte) in hash.iter().enumerate() {
            hex[2 * i] = HEX[usize::from(byte >> 4)];
            hex[2 * i + 1] = HEX[usize::from(byte & 0x0f)];
        }
        Self { hex }
    }

    /// The 64 lower-case hex characters.
    pub fn as_str(&self) -> &str {
        base64_fixed::as_str(&self.hex)
    }
}

impl fmt::Debug for BodyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BodyHash({})", self.as_str())
    }
}

/// Lower-case hex SHA-256 of `body` as a `String`.
pub fn body_hash(body: &[u8]) -> String {
    String::from(BodyHash::of(body).as_str())
}

fn write_string_to_sign(message: &Message<'_>, mut sink: impl FnMut(&[u8])) {
    let hash = BodyHash::of(message.body);
    sink(message.method.as_bytes());
    sink(b":");
    sink(message.path.as_bytes());
    sink(b":");
    sink(message.access_token.as_bytes());
    sink(b":");
    sink(hash.as_str().as_bytes());
    sink(b":");
    sink(message.timestamp.as_bytes());
}

/// The exact string that is signed, for debugging.
pub fn string_to_sign(message: &Message<'_>) -> String {
    let mut bytes =
        alloc::vec::Vec::with_capacity(96 + message.path.len() + message.access_token.len());
    write_string_to_sign(message, |chunk| bytes.extend_from_slice(chunk));
    String::from_utf8(bytes).expect("concatenation of str is UTF-8")
}

fn mac_for(key: &SecretKey, message: &Message<'_>) -> HmacSha512 {
    let mut mac =
        HmacSha512::new_from_slice(key.expose_bytes()).expect("HMAC takes any key length");
    write_string_to_sign(message, |chunk| mac.update(chunk));
    mac
}

/// A SNAP symmetric signature; `Display` gives the `X-SIGNATURE` header value (plain base64).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    mac: [u8; MAC_LEN],
}

impl Signature {
    /// The raw 64 MAC bytes.
    pub fn as_bytes(&self) -> &[u8; MAC_LEN] {
        &self.mac
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (encoded, _) = base64_fixed::encode::<MAC_LEN, B64_LEN>(&self.mac);
        f.write_str(base64_fixed::as_str(&encoded))
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({self})")
    }
}

/// Signs a SNAP symmetric message.
pub fn sign(key: &SecretKey, message: &Message<'_>) -> Signature {
    Signature {
        mac: mac_for(key, message).finalize().into_bytes().into(),
    }
}

/// Verifies an `X-SIGNATURE` value (base64 of 64 bytes) over the exact message, in constant time.
pub fn verify(key: &SecretKey, message: &Message<'_>, signature: &str) -> Result<(), Error> {
    let received = decode(signature)?;
    mac_for(key, message)
        .verify_slice(&received)
        .map_err(|_| Error::Mismatch)
}

/// The 64 MAC bytes of an `X-SIGNATURE` value; a long run of hex digits gets its own error, because that is
/// what DOKU's SNAP notification sample shows and a bare "wrong length" would not say why.
fn decode(signature: &str) -> Result<[u8; MAC_LEN], Error> {
    base64_fixed::decode_exact::<MAC_LEN>(signature).map_err(|error| {
        if signature.len() >= 32 && signature.bytes().all(|b| b.is_ascii_hexdigit()) {
            Error::HexSignature {
                chars: signature.len(),
            }
        } else {
            error
        }
    })
}

/// Which bytes a verified signature covers: what [`verify_received`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyForm {
    /// The body exactly as received: the peer signed what it sent.
    Raw,
    /// The body as this reading re-serialises it: the peer signed its own minification, not the bytes it sent.
    /// Worth a warning in logs, since the signature then covers the JSON's value rather than its bytes.
    Minified(MinifyReading),
}

impl fmt::Display for BodyForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyForm::Raw => f.write_str("the raw body"),
            BodyForm::Minified(reading) => write!(f, "the body minified as {reading} does"),
        }
    }
}

/// Verifies an inbound `X-SIGNATURE` against the body as received (`message.body`, the raw bytes), and, only
/// if that fails, against the body as each of `readings` minifies it, in the order given. Returns the first
/// form that matches.
///
/// Each comparison is constant-time over the decoded MAC. A body that is not UTF-8 or not JSON is only checked
/// raw; a reading that refuses the body, or gives bytes already tried, is skipped. Errors: the signature's
/// format ([`Error::InvalidBase64`], [`Error::InvalidLength`], [`Error::HexSignature`]) before any MAC is
/// computed, then [`Error::Mismatch`] when no form matches. Pass `&[]` to accept the raw body only (then this
/// is [`verify`]), or [`MinifyReading::ALL`] to accept any peer doku-sign knows.
pub fn verify_received(
    key: &SecretKey,
    message: &Message<'_>,
    signature: &str,
    readings: &[MinifyReading],
) -> Result<BodyForm, Error> {
    let received = decode(signature)?;
    if mac_for(key, message).verify_slice(&received).is_ok() {
        return Ok(BodyForm::Raw);
    }
    let Ok(text) = core::str::from_utf8(message.body) else {
        return Err(Error::Mismatch);
    };
    let mut tried: Vec<String> = Vec::new();
    for &reading in readings {
        let Ok(minified) = minify_as(reading, text) else {
            continue;
        };
        if minified.as_bytes() == message.body || tried.contains(&minified) {
            continue;
        }
        let candidate = Message {
            body: minified.as_bytes(),
            ..*message
        };
        if mac_for(key, &candidate).verify_slice(&received).is_ok() {
            return Ok(BodyForm::Minified(reading));
        }
        tried.push(minified);
    }
    Err(Error::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn published_known_answer_for_the_body_hash() {
        let body = br#"{"partnerServiceId":"  088899","customerNo":"12345678901234567890","virtualAccountNo":"  08889912345678901234567890","virtualAccountName":"Jokul Doe","virtualAccountEmail":"jokul@email.com","virtualAccountPhone":"6281828384858","trxId":"abcdefgh1234","totalAmount":{"value":"12345678.00","currency":"IDR"}}"#;
        assert_eq!(
            body_hash(body),
            "3274fab8dac896837b106a16da2a974e7e65142dcecb4b768ef0294102838977"
        );
    }

    /// A SNAP request without an access token.
    const CREATE_VA: Message<'static> = Message {
        method: "POST",
        path: "/snap/v1.0/transfer-va/create-va",
        access_token: "",
        body: b"{}",
        timestamp: "2024-03-19T14:39:01+07:00",
    };

    #[test]
    fn round_trip_and_errors() {
        let (key, message) = (SecretKey::from("client-secret"), CREATE_VA);
        assert_eq!(
            string_to_sign(&message),
            "POST:/snap/v1.0/transfer-va/create-va::44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a:2024-03-19T14:39:01+07:00"
        );
        let signature = sign(&key, &message).to_string();
        assert_eq!(verify(&key, &message, &signature), Ok(()));
        let other = Message {
            access_token: "tok",
            ..message
        };
        assert_eq!(verify(&key, &other, &signature), Err(Error::Mismatch));
        assert_eq!(verify(&key, &message, "%%%"), Err(Error::InvalidBase64));
        assert!(matches!(
            verify(&key, &message, "AAAA"),
            Err(Error::InvalidLength { expected: 64, .. })
        ));
        assert_eq!(
            verify(&key, &message, &signature.to_lowercase()),
            Err(Error::Mismatch)
        );
    }

    #[test]
    fn a_hex_signature_is_refused_with_its_own_error() {
        // 64 hex characters, as in DOKU's SNAP notification sample: valid base64 characters, wrong scheme.
        let hex = "d8e3bb4e0e4cab6f0f7a2ab24ef6f88b07f88a8b5c2a8b3b1d0d4e0c5a1f7e21";
        let (key, message) = (SecretKey::from("client-secret"), CREATE_VA);
        let refused = verify(&key, &message, hex);
        assert_eq!(refused, Err(Error::HexSignature { chars: 64 }));
        let text = refused.unwrap_err().to_string();
        assert!(
            text.contains("64 hexadecimal") && text.contains("base64"),
            "{text}"
        );
        assert_eq!(
            verify_received(&key, &message, &hex.to_uppercase(), &MinifyReading::ALL),
            Err(Error::HexSignature { chars: 64 })
        );
    }

    #[test]
    fn verify_received_says_which_form_matched() {
        let key = SecretKey::from("client-secret");
        let raw = "{ \"a\" : \"x\\/y\", \"n\": 10000.00 }";
        let received = Message {
            body: raw.as_bytes(),
            ..CREATE_VA
        };
        let signed_over = |body: &str| {
            sign(
                &key,
                &Message {
                    body: body.as_bytes(),
                    ..received
                },
            )
            .to_string()
        };
        let all = MinifyReading::ALL;
        assert_eq!(
            verify_received(&key, &received, &signed_over(raw), &[]),
            Ok(BodyForm::Raw)
        );
        for (reading, form) in [
            (
                MinifyReading::Whitespace,
                "{\"a\":\"x\\/y\",\"n\":10000.00}",
            ),
            (MinifyReading::Php, "{\"a\":\"x/y\",\"n\":10000}"),
            (MinifyReading::Jackson, "{\"a\":\"x/y\",\"n\":10000.0}"),
        ] {
            let signature = signed_over(form);
            assert_eq!(
                verify_received(&key, &received, &signature, &all),
                Ok(BodyForm::Minified(reading))
            );
            assert_eq!(
                verify_received(&key, &received, &signature, &[]),
                Err(Error::Mismatch)
            );
        }
        // Node prints this body as PHP does: the first reading listed is the one reported.
        let php_and_node = signed_over("{\"a\":\"x/y\",\"n\":10000}");
        assert_eq!(
            verify_received(
                &key,
                &received,
                &php_and_node,
                &[MinifyReading::Node, MinifyReading::Php]
            ),
            Ok(BodyForm::Minified(MinifyReading::Node))
        );
        let not_json = Message {
            body: b"\xff{",
            ..received
        };
        assert_eq!(
            verify_received(&key, &not_json, &php_and_node, &all),
            Err(Error::Mismatch)
        );
    }
}
