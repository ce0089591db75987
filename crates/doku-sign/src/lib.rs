//! Pure signing and verification for every DOKU signature scheme.
//!
//! `doku-sign` is the bottom layer of doku-rs. It does no I/O, reads no clock and no environment, and knows
//! nothing of HTTP, JSON parsers or async runtimes: inputs are `&str` and `&[u8]`, outputs are plain values.
//! That keeps it usable on its own — in a webhook handler, a WASM verifier or an embedded device — and makes
//! every rule testable from vector files (see `vectors/` in the repository).
//!
//! | scheme | module | used by |
//! |---|---|---|
//! | Non-SNAP request/response (`Signature: HMACSHA256=…`) | [`non_snap`] | Partner API, Checkout, Jokul |
//! | Non-SNAP notification (DOKU → merchant) | [`notification`] | payment notifications |
//! | SNAP symmetric (`X-SIGNATURE`, HMAC-SHA512) | [`snap_symmetric`] | SNAP transactions |
//! | SNAP asymmetric (SHA256withRSA), feature `rsa` | `snap_asymmetric` | SNAP access tokens |
//! | RS256 JSON Web Tokens, feature `rsa` | `jwt` | the token a merchant issues to DOKU |
//! | SNAP body minification as DOKU's peers do it | [`minify_as`], [`MinifyReading`] | verifying SNAP bodies |
//!
//! Every signature is computed over the **exact bytes** the caller passes: never parse and re-serialise a
//! JSON body before signing it, or `10000.00` may become `10000` and the signature will not match.
//!
//! # Example: sign a Partner API request
//!
//! ```
//! use doku_sign::{non_snap::{self, Kind, Message}, SecretKey};
//!
//! let key = SecretKey::new("SK-EXAMPLE-ONLY");
//! let body = br#"{"grant_type":"client_credentials"}"#;
//! let message = Message {
//!     client_id: "BRN-0001-10791114622547",
//!     request_id: "d895fb53-479c-4f77-a76a-ab81b40d77cb",
//!     timestamp: "2020-08-11T08:45:42Z",
//!     target: "/adv-core-api/partner/v1.0/token",
//!     body: Some(body),
//! };
//! let signature = non_snap::sign(&key, Kind::Request, &message);
//! let header_value = signature.to_string(); // "HMACSHA256=…"
//! assert!(header_value.starts_with("HMACSHA256="));
//! assert!(non_snap::verify(&key, Kind::Request, &message, &header_value).is_ok());
//!
//! // What exactly was signed? Useful when DOKU answers "invalid signature".
//! let string_to_sign = non_snap::string_to_sign(Kind::Request, &message);
//! assert!(string_to_sign.ends_with(&format!("Digest:{}", non_snap::digest(body))));
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

mod base64_fixed;
pub mod clock;
mod error;
mod float_text;
pub mod headers;
mod json;
mod minify;
mod minify_readings;
pub mod non_snap;
pub mod notification;
mod secret;
pub mod snap_symmetric;
pub mod timestamp;

#[cfg(feature = "rsa")]
pub mod jwt;
#[cfg(feature = "rsa")]
pub mod snap_asymmetric;

pub use error::Error;
pub use minify::minify_json;
pub use minify_readings::{minify_as, MinifyReading};
pub use secret::SecretKey;
