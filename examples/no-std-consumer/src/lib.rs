//! A `#![no_std]` consumer of `doku-sign`: what firmware or a WASM verifier would write.
//!
//! This crate exists to keep a promise honest. `doku-sign` says it is `no_std` (it needs `alloc`, not
//! `std`); `.ci/run` builds this crate for `thumbv7em-none-eabihf`, a target that has no `std` at all, so
//! the promise breaks the build the day a `std` import slips into doku-sign or its dependencies. On the
//! host it builds like any other crate, and its test checks the signature against an independently
//! computed vector (Python `hmac`/`hashlib`, `vectors/independent/partner-token-post.json`).
#![no_std]
#![forbid(unsafe_code)]

use doku_sign::non_snap::{self, Kind, Message, Signature};
use doku_sign::SecretKey;

/// The Partner API's Generate Token path: the `Request-Target` the signature covers.
pub const TOKEN_TARGET: &str = "/adv-core-api/partner/v1.0/token";

/// Signs a Partner API Generate Token request (`POST` [`TOKEN_TARGET`] with `body`).
///
/// The caller passes everything, including the timestamp, because a device without a clock still has to
/// get the time from somewhere it trusts. The returned [`Signature`]'s `Display` is the `Signature` header
/// value (`HMACSHA256=…`); writing it needs only `core::fmt`.
pub fn sign_token_request(
    secret: &[u8],
    client_id: &str,
    request_id: &str,
    timestamp: &str,
    body: &[u8],
) -> Signature {
    let key = SecretKey::new(secret);
    let message = Message {
        client_id,
        request_id,
        timestamp,
        target: TOKEN_TARGET,
        body: Some(body),
    };
    non_snap::sign(&key, Kind::Request, &message)
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    use alloc::string::ToString as _;

    /// `vectors/independent/partner-token-post.json`, computed with Python's hmac/hashlib.
    #[test]
    fn signs_the_independent_token_vector() {
        let signature = super::sign_token_request(
            b"SK-python-independent",
            "BRN-0001-10791114622547",
            "3f2b8a0e-1c4d-4f6a-9b7e-5d2c1a0f9e8d",
            "2026-11-29T03:00:00Z",
            br#"{"grant_type":"client_credentials","valid_time":"360"}"#,
        );
        assert_eq!(
            signature.to_string(),
            "HMACSHA256=C7jqAz8rNn4Oa/IR2PHtHRlJCxgfFhEkHxZ2yRHGYjs="
        );
    }
}
