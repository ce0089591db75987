//! SNAP symmetric signatures (`X-SIGNATURE` on SNAP transaction calls and inbound SNAP notifications).
//!
//! String to sign: `METHOD:path:accessToken:lowercase(hex(SHA-256(body))):X-TIMESTAMP`; signature:
//! base64(HMAC-SHA512(client secret, string)). SNAP asks for the SHA-256 of the *minified* body: send the
//! minified bytes (see [`crate::minify_json`]) and hash those same bytes — this module never re-serialises.
//! The access token is empty for inbound notifications that carry none.

use alloc::string::String;
use core::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256, Sha512};

use crate::{base64_fixed, Error, SecretKey};

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

/// Verifies an `X-SIGNATURE` value (base64 of 64 bytes) in constant time.
pub fn verify(key: &SecretKey, message: &Message<'_>, signature: &str) -> Result<(), Error> {
    let received = base64_fixed::decode_exact::<MAC_LEN>(signature)?;
    mac_for(key, message)
        .verify_slice(&received)
        .map_err(|_| Error::Mismatch)
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
    }
}
