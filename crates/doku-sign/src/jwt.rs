//! Compact RS256 JSON Web Tokens (feature `rsa`): the access token a merchant issues to DOKU in SNAP's
//! DOKU → merchant flow (claims `iss`, `clientId`, `exp` in DOKU's SDKs).
//!
//! [`encode`] writes `base64url(header).base64url(claims).base64url(signature)` with the fixed header
//! [`HEADER`], no padding, signed with SHA256withRSA over the first two parts. [`verify`] checks the structure,
//! that the header's `alg` is exactly `RS256` (nothing else is accepted, `none` and `HS256` included), and the
//! signature, then returns the claims as bytes. The claims are the caller's JSON: this module neither writes nor
//! reads them, so checking `exp` (with the caller's clock), `iss` and the rest is the caller's job.
//!
//! ```
//! use doku_sign::jwt;
//! use doku_sign::snap_asymmetric::PrivateKey;
//!
//! # let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../vectors/keys/merchant-pkcs8.pem")).unwrap();
//! let key = PrivateKey::from_pem(&pem)?;
//! let claims = br#"{"iss":"DOKU","clientId":"MCH-0001","exp":1710835141}"#;
//! let token = jwt::encode(&key, claims)?;
//! assert!(token.starts_with("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."));
//! assert_eq!(jwt::verify(&key.public_key(), &token)?, claims);
//! # Ok::<(), doku_sign::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::json::{self, Container, Unit, Visitor};
use crate::snap_asymmetric::{PrivateKey, PublicKey};
use crate::Error;

/// The header [`encode`] writes, byte for byte (before base64url).
pub const HEADER: &str = r#"{"alg":"RS256","typ":"JWT"}"#;

/// Signs `claims` (the caller's JSON, used as given) into a compact RS256 JWT.
pub fn encode(key: &PrivateKey, claims: &[u8]) -> Result<String, Error> {
    let mut token = String::new();
    URL_SAFE_NO_PAD.encode_string(HEADER, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(claims, &mut token);
    let signature = key.sign_bytes(token.as_bytes())?;
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

fn invalid(reason: &'static str) -> Error {
    Error::InvalidJwt { reason }
}

/// Verifies a compact RS256 JWT and returns its claims (the decoded payload bytes).
///
/// Refused: anything but three base64url parts without padding ([`Error::InvalidJwt`]); a header that is not a
/// JSON object, names `alg` twice, or carries `crit` ([`Error::InvalidJwt`]); an `alg` other than exactly
/// `RS256` ([`Error::UnsupportedAlgorithm`]); a signature of the wrong length ([`Error::InvalidLength`]) or
/// that does not match ([`Error::Mismatch`]). The claims are not read: expiry is the caller's to check.
pub fn verify(key: &PublicKey, token: &str) -> Result<Vec<u8>, Error> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(
            "a compact JWT has exactly three parts separated by `.`",
        ));
    };
    let decode =
        |part: &str, what: &'static str| URL_SAFE_NO_PAD.decode(part).map_err(|_| invalid(what));
    let header = decode(header, "the header is not base64url without padding")?;
    check_header(&header)?;
    let claims = decode(payload, "the payload is not base64url without padding")?;
    let signature = decode(signature, "the signature is not base64url without padding")?;
    let (signed, _) = token
        .rsplit_once('.')
        .ok_or_else(|| invalid("a compact JWT has exactly three parts separated by `.`"))?;
    key.verify_bytes(signed.as_bytes(), &signature)?;
    Ok(claims)
}

/// The header must be a JSON object whose `alg` is the string `RS256`, once, with no `crit`.
fn check_header(header: &[u8]) -> Result<(), Error> {
    let text = core::str::from_utf8(header).map_err(|_| invalid("the header is not UTF-8"))?;
    let mut visitor = HeaderVisitor::default();
    json::parse(
        text,
        Some(64),
        || invalid("the header nests too deep"),
        &mut visitor,
    )
    .map_err(|error| match error {
        Error::InvalidJson { .. } => invalid("the header is not JSON"),
        other => other,
    })?;
    match visitor.alg {
        Alg::Missing => Err(invalid("the header has no `alg`")),
        Alg::NotAString => Err(invalid("the header's `alg` is not a string")),
        Alg::Named(name) if name == "RS256" => Ok(()),
        Alg::Named(name) => Err(Error::UnsupportedAlgorithm {
            found: name.chars().take(32).collect(),
        }),
    }
}

/// What the header says about `alg`.
#[derive(Default)]
enum Alg {
    #[default]
    Missing,
    NotAString,
    Named(String),
}

/// The top-level member the visitor is reading the value of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Member {
    Alg,
    Other,
}

#[derive(Default)]
struct HeaderVisitor {
    depth: usize,
    member: Option<Member>,
    alg: Alg,
}

impl HeaderVisitor {
    /// A value other than a string starts at the current position.
    fn other_value(&mut self) -> Result<(), Error> {
        if self.depth == 0 {
            return Err(invalid("the header is not a JSON object"));
        }
        if self.depth == 1 && self.member.take() == Some(Member::Alg) {
            self.alg = Alg::NotAString;
        }
        Ok(())
    }
}

fn decode_string(raw: &str) -> Result<String, Error> {
    json::units(raw)
        .map(|unit| match unit {
            Unit::Char(ch) => Ok(ch),
            Unit::LoneSurrogate(_) => Err(invalid("the header has an unpaired surrogate")),
        })
        .collect()
}

impl Visitor for HeaderVisitor {
    fn begin(&mut self, container: Container) -> Result<(), Error> {
        if self.depth == 0 && container != Container::Object {
            return Err(invalid("the header is not a JSON object"));
        }
        if self.depth > 0 {
            self.other_value()?;
        }
        self.depth += 1;
        Ok(())
    }

    fn key(&mut self, raw: &str) -> Result<(), Error> {
        if self.depth != 1 {
            return Ok(());
        }
        let name = decode_string(raw)?;
        self.member = Some(match name.as_str() {
            "alg" if !matches!(self.alg, Alg::Missing) => {
                return Err(invalid("the header names `alg` twice"))
            }
            "alg" => Member::Alg,
            "crit" => return Err(invalid("the header has `crit` extensions, none supported")),
            _ => Member::Other,
        });
        Ok(())
    }

    fn string(&mut self, raw: &str) -> Result<(), Error> {
        if self.depth == 1 && self.member.take() == Some(Member::Alg) {
            self.alg = Alg::Named(decode_string(raw)?);
            return Ok(());
        }
        self.other_value()
    }

    fn number(&mut self, _: &str, _: bool) -> Result<(), Error> {
        self.other_value()
    }

    fn literal(&mut self, _: &'static str) -> Result<(), Error> {
        self.other_value()
    }

    fn end(&mut self, _: Container) -> Result<(), Error> {
        self.depth = self.depth.saturating_sub(1);
        Ok(())
    }
}
