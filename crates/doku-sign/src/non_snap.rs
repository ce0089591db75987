//! DOKU's Non-SNAP signature: `Signature: HMACSHA256=<base64>`, used by the Partner API (and Checkout/Jokul).
//!
//! The string to sign is one `Name:value` line per component, joined by `\n`, with no trailing newline:
//!
//! ```text
//! Client-Id:<Client-Id>
//! Request-Id:<Request-Id>
//! Request-Timestamp:<Request-Timestamp>     (Response-Timestamp:… when signing a response)
//! Request-Target:<path, no scheme or host>
//! Digest:<base64(SHA-256(body bytes))>      (only when there is a body)
//! ```
//!
//! The signature is `HMACSHA256=` + base64(HMAC-SHA256(secret key bytes, string to sign)).
//!
//! Signing streams the components straight into the MAC: no string is built and nothing is allocated, so the
//! cost is the SHA-256 of the body plus one short HMAC. [`string_to_sign`] builds the same bytes through the
//! same code path, for debugging.

use alloc::string::String;
use core::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};

use crate::{base64_fixed, headers, Error, SecretKey};

type HmacSha256 = Hmac<Sha256>;

/// The header-value prefix naming the algorithm. DOKU compares it case-sensitively, and so do we.
pub const ALGORITHM_PREFIX: &str = "HMACSHA256=";

/// Bytes in an HMAC-SHA256 output.
pub const MAC_LEN: usize = 32;

/// Bytes in a `Signature` header value: [`ALGORITHM_PREFIX`] and the base64 of the MAC.
pub const HEADER_VALUE_LEN: usize = ALGORITHM_PREFIX.len() + B64_LEN;

/// Characters in the base64 form of a SHA-256 digest or HMAC-SHA256 output.
const B64_LEN: usize = 44;

/// Which side signed: the third line of the string to sign is `Request-Timestamp` for requests (and DOKU's
/// notifications) and `Response-Timestamp` for DOKU's responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A request to DOKU, or a notification from DOKU (`Request-Timestamp:` line).
    Request,
    /// A response from DOKU (`Response-Timestamp:` line).
    Response,
}

impl Kind {
    /// The label of the timestamp line for this kind.
    pub fn timestamp_label(self) -> &'static str {
        match self {
            Kind::Request => headers::REQUEST_TIMESTAMP,
            Kind::Response => headers::RESPONSE_TIMESTAMP,
        }
    }
}

/// The signed components of one message, exactly as they appear in the headers.
///
/// `body` is `None` for a message without a body (a GET): then there is no `Digest` line. `Some(b"")` is an
/// empty body *with* a Digest line — DOKU never sends one, but the distinction is kept rather than guessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// The `Client-Id` header value.
    pub client_id: &'a str,
    /// The `Request-Id` header value.
    pub request_id: &'a str,
    /// The `Request-Timestamp` (or `Response-Timestamp`) header value, byte for byte.
    pub timestamp: &'a str,
    /// The request path, e.g. `/adv-core-api/partner/v1.0/token` (for a notification: the merchant's own path).
    pub target: &'a str,
    /// The exact body bytes sent or received, or `None` when there is no body.
    pub body: Option<&'a [u8]>,
}

impl<'a> Message<'a> {
    /// The signed components of an inbound message (a request at a server, DOKU's response at a client, or a
    /// notification at a receiver), read from its headers through `header` (a case-insensitive lookup by
    /// name, e.g. over `http::HeaderMap`), with the `Request-Timestamp` or `Response-Timestamp` line chosen by
    /// `kind`. `target` and `body` are the path and the exact bytes received.
    ///
    /// Also returns the `Signature` header's value, to pass to [`verify`]. A missing header is
    /// [`Error::MissingHeader`].
    pub fn from_headers(
        kind: Kind,
        header: impl Fn(&'static str) -> Option<&'a str>,
        target: &'a str,
        body: Option<&'a [u8]>,
    ) -> Result<(Self, &'a str), Error> {
        let get = |name: &'static str| header(name).ok_or(Error::MissingHeader { name });
        let message = Message {
            client_id: get(headers::CLIENT_ID)?,
            request_id: get(headers::REQUEST_ID)?,
            timestamp: get(kind.timestamp_label())?,
            target,
            body,
        };
        Ok((message, get(headers::SIGNATURE)?))
    }
}

/// A body digest in the `Digest:` line's form: base64(SHA-256(body)), held on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BodyDigest {
    encoded: [u8; B64_LEN],
}

impl BodyDigest {
    /// Digests the exact body bytes.
    pub fn of(body: &[u8]) -> Self {
        let hash: [u8; 32] = Sha256::digest(body).into();
        let (encoded, _) = base64_fixed::encode::<32, B64_LEN>(&hash);
        Self { encoded }
    }

    /// The base64 text, as it appears after `Digest:`.
    pub fn as_str(&self) -> &str {
        base64_fixed::as_str(&self.encoded)
    }
}

impl fmt::Display for BodyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for BodyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BodyDigest({})", self.as_str())
    }
}

/// base64(SHA-256(body)) as a `String`, the value of the `Digest:` line.
pub fn digest(body: &[u8]) -> String {
    String::from(BodyDigest::of(body).as_str())
}

/// Feeds the string to sign to `sink` piece by piece: the single definition of the format.
fn write_string_to_sign(kind: Kind, message: &Message<'_>, mut sink: impl FnMut(&[u8])) {
    let digest = message.body.map(BodyDigest::of);
    // Each line is `Label:value`; lines are joined by `\n`, with none after the last.
    let mut line = |separator: &[u8], label: &str, value: &str| {
        sink(separator);
        sink(label.as_bytes());
        sink(b":");
        sink(value.as_bytes());
    };
    line(b"", headers::CLIENT_ID, message.client_id);
    line(b"\n", headers::REQUEST_ID, message.request_id);
    line(b"\n", kind.timestamp_label(), message.timestamp);
    line(b"\n", headers::REQUEST_TARGET, message.target);
    if let Some(digest) = &digest {
        line(b"\n", headers::DIGEST, digest.as_str());
    }
}

/// The exact string that is signed, for debugging "signature mismatch" reports.
pub fn string_to_sign(kind: Kind, message: &Message<'_>) -> String {
    let mut bytes = alloc::vec::Vec::with_capacity(160 + message.target.len());
    write_string_to_sign(kind, message, |chunk| bytes.extend_from_slice(chunk));
    // Every component is `&str` and every literal is ASCII, so the concatenation is UTF-8.
    String::from_utf8(bytes).expect("concatenation of str is UTF-8")
}

fn mac_for(key: &SecretKey, kind: Kind, message: &Message<'_>) -> HmacSha256 {
    // Keyed once per `SecretKey`: only the string to sign is hashed here.
    let mut mac = key.hmac_sha256();
    write_string_to_sign(kind, message, |chunk| mac.update(chunk));
    mac
}

/// A computed Non-SNAP signature. `Display` gives the full header value, `HMACSHA256=<base64>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    mac: [u8; MAC_LEN],
}

impl Signature {
    /// The raw 32 MAC bytes.
    pub fn as_bytes(&self) -> &[u8; MAC_LEN] {
        &self.mac
    }

    /// The base64 part of the header value (without `HMACSHA256=`).
    pub fn base64(&self) -> String {
        let (encoded, _) = base64_fixed::encode::<MAC_LEN, B64_LEN>(&self.mac);
        String::from(base64_fixed::as_str(&encoded))
    }

    /// The whole header value, `HMACSHA256=<base64>`, as ASCII bytes on the stack: what
    /// `Display` writes, for a caller that builds a header value from bytes without going
    /// through `fmt`.
    pub fn header_bytes(&self) -> [u8; HEADER_VALUE_LEN] {
        let mut out = [0u8; HEADER_VALUE_LEN];
        let (prefix, rest) = out.split_at_mut(ALGORITHM_PREFIX.len());
        prefix.copy_from_slice(ALGORITHM_PREFIX.as_bytes());
        let (encoded, _) = base64_fixed::encode::<MAC_LEN, B64_LEN>(&self.mac);
        rest.copy_from_slice(&encoded);
        out
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(base64_fixed::as_str(&self.header_bytes()))
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({self})")
    }
}

/// Signs a message. Allocation-free; `to_string()` on the result gives the `Signature` header value.
pub fn sign(key: &SecretKey, kind: Kind, message: &Message<'_>) -> Signature {
    Signature {
        mac: mac_for(key, kind, message).finalize().into_bytes().into(),
    }
}

/// Splits a `Signature` header value into its MAC bytes, with a distinct error for each malformation.
///
/// The prefix must be exactly `HMACSHA256=` (case-sensitive); the rest must be padded standard base64 of 32
/// bytes. Surrounding whitespace is not trimmed: header parsers already strip it, and a verifier should not be
/// more lenient than DOKU.
pub fn parse_header(header_value: &str) -> Result<[u8; MAC_LEN], Error> {
    let Some((algorithm, encoded)) = header_value.split_once('=') else {
        return Err(Error::MissingPrefix);
    };
    if algorithm != &ALGORITHM_PREFIX[..ALGORITHM_PREFIX.len() - 1] {
        // A base64 value with padding but no prefix splits at its first '=' with an empty remainder-ish
        // label that is pure base64; report that as a missing prefix rather than an odd algorithm name.
        if algorithm.len() >= 40 {
            return Err(Error::MissingPrefix);
        }
        let found = algorithm.chars().take(32).collect();
        return Err(Error::UnsupportedAlgorithm { found });
    }
    base64_fixed::decode_exact::<MAC_LEN>(encoded)
}

/// Verifies a `Signature` header value against a message, comparing MACs in constant time.
pub fn verify(
    key: &SecretKey,
    kind: Kind,
    message: &Message<'_>,
    header_value: &str,
) -> Result<(), Error> {
    let received = parse_header(header_value)?;
    mac_for(key, kind, message)
        .verify_slice(&received)
        .map_err(|_| Error::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A signed answer to a POST, as `from_headers` reads it back.
    const ANSWER: Message<'static> = Message {
        client_id: "BRN-1",
        request_id: "r-1",
        timestamp: "2020-08-11T08:45:42Z",
        target: "/p",
        body: Some(b"{}"),
    };

    #[test]
    fn from_headers_reads_what_sign_signs_and_names_a_missing_header() {
        let (key, sent) = (SecretKey::new("SK-from-headers"), ANSWER);
        let signature = sign(&key, Kind::Response, &sent).to_string();
        let lookup = |name: &'static str| match name {
            "Client-Id" => Some("BRN-1"),
            "Request-Id" => Some("r-1"),
            "Response-Timestamp" => Some("2020-08-11T08:45:42Z"),
            "Signature" => Some(signature.as_str()),
            _ => None,
        };
        let (read, header) =
            Message::from_headers(Kind::Response, lookup, "/p", Some(b"{}")).unwrap();
        assert_eq!(read, sent);
        assert_eq!(verify(&key, Kind::Response, &read, header), Ok(()));
        assert_eq!(
            Message::from_headers(Kind::Request, lookup, "/p", None).map(|_| ()),
            Err(Error::MissingHeader {
                name: headers::REQUEST_TIMESTAMP
            })
        );
    }
    use alloc::string::ToString;

    const GET: Message<'static> = Message {
        client_id: "MCH-0001-10791114622547",
        request_id: "d895fb53-479c-4f77-a76a-ab81b40d77cb",
        timestamp: "2020-08-11T08:45:42Z",
        target: "/orders/v1/status/INV-123123-12313",
        body: None,
    };

    #[test]
    fn sha256_of_empty_input_is_the_known_answer() {
        // FIPS 180-2: SHA-256("") = e3b0c442...b855, whose base64 is below.
        assert_eq!(digest(b""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231_case_2() {
        let mut mac = HmacSha256::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let out: [u8; 32] = mac.finalize().into_bytes().into();
        let hex: String = out.iter().map(|b| alloc::format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn get_has_no_digest_line_and_no_trailing_newline() {
        let s = string_to_sign(Kind::Request, &GET);
        assert_eq!(
            s,
            "Client-Id:MCH-0001-10791114622547\nRequest-Id:d895fb53-479c-4f77-a76a-ab81b40d77cb\n\
             Request-Timestamp:2020-08-11T08:45:42Z\nRequest-Target:/orders/v1/status/INV-123123-12313"
        );
    }

    #[test]
    fn response_uses_response_timestamp_label() {
        let s = string_to_sign(Kind::Response, &GET);
        assert!(s.contains("\nResponse-Timestamp:2020-08-11T08:45:42Z\n"));
        assert!(!s.contains("Request-Timestamp"));
    }

    #[test]
    fn post_ends_with_digest_line() {
        let message = Message {
            body: Some(b"{}"),
            ..GET
        };
        let s = string_to_sign(Kind::Request, &message);
        assert!(s.ends_with("\nDigest:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="));
    }

    #[test]
    fn sign_then_verify_round_trips_and_tamper_fails() {
        let key = SecretKey::from("SK-EXAMPLE-ONLY");
        let message = Message {
            body: Some(b"{\"a\":10000.00}"),
            ..GET
        };
        let header = sign(&key, Kind::Request, &message).to_string();
        assert_eq!(verify(&key, Kind::Request, &message, &header), Ok(()));
        let tampered = Message {
            body: Some(b"{\"a\":10000.0}"),
            ..message
        };
        assert_eq!(
            verify(&key, Kind::Request, &tampered, &header),
            Err(Error::Mismatch)
        );
        assert_eq!(
            verify(&key, Kind::Response, &message, &header),
            Err(Error::Mismatch)
        );
    }

    #[test]
    fn malformed_headers_get_distinct_errors() {
        let key = SecretKey::from("k");
        let sig = sign(&key, Kind::Request, &GET);
        let b64 = sig.base64();
        assert_eq!(
            verify(&key, Kind::Request, &GET, "no-equals-sign"),
            Err(Error::MissingPrefix)
        );
        assert_eq!(
            verify(&key, Kind::Request, &GET, &b64),
            Err(Error::MissingPrefix)
        );
        assert!(matches!(
            verify(&key, Kind::Request, &GET, &alloc::format!("HMACSHA512={b64}")),
            Err(Error::UnsupportedAlgorithm { found }) if found == "HMACSHA512"
        ));
        assert!(matches!(
            verify(
                &key,
                Kind::Request,
                &GET,
                &alloc::format!("hmacsha256={b64}")
            ),
            Err(Error::UnsupportedAlgorithm { .. })
        ));
        assert_eq!(
            verify(&key, Kind::Request, &GET, "HMACSHA256=!!!notbase64!!!"),
            Err(Error::InvalidBase64)
        );
        assert_eq!(
            verify(&key, Kind::Request, &GET, "HMACSHA256=AAAA"),
            Err(Error::InvalidLength {
                expected: 32,
                found: 3
            })
        );
        let long = alloc::format!("HMACSHA256={}", "A".repeat(4000));
        assert!(matches!(
            verify(&key, Kind::Request, &GET, &long),
            Err(Error::InvalidLength { .. })
        ));
        assert_eq!(
            verify(&key, Kind::Request, &GET, "HMACSHA256="),
            Err(Error::InvalidLength {
                expected: 32,
                found: 0
            })
        );
    }

    #[test]
    fn display_is_header_value() {
        let sig = sign(&SecretKey::from("k"), Kind::Request, &GET);
        let header = sig.to_string();
        assert_eq!(header, alloc::format!("HMACSHA256={}", sig.base64()));
        assert_eq!(header.as_bytes(), &sig.header_bytes()[..]);
        assert_eq!(header.len(), HEADER_VALUE_LEN);
        assert_eq!(parse_header(&header).unwrap(), *sig.as_bytes());
    }
}
