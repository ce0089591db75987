//! Async client for DOKU's Partner API — the crate a partner platform adds to its
//! `Cargo.toml` to onboard businesses onto DOKU.
//!
//! | step | method | endpoint |
//! |---|---|---|
//! | 0 | [`Client::token`] (optional: tokens are fetched and cached automatically) | `POST /token` |
//! | 1 | [`Client::check_requirements`] | `GET /file?…` |
//! | 2 | [`Client::upload_file`], [`Client::upload_file_from_path`] | `POST /file` |
//! | 3a | [`Client::register_business`] | `POST /business` |
//! | 3b | [`Client::create_business_lite`] | `POST /business/lite/registration` |
//! | 4 | [`Client::get_business`] | `GET /business/{client id}` |
//! | pay | [`Merchant::create_checkout`] (a brand's handle: [`Client::merchant`], [`Client::merchant_from_brand`]) | `POST /checkout/v1/payment` |
//! | pay | [`Merchant::check_status`] | `GET /orders/v1/status/{invoice}` |
//!
//! Each method has a `*_with(…, CallOptions)` variant taking a caller-supplied Request-Id.
//!
//! What the client does for you:
//!
//! - **Validation first.** Every request is checked with [`doku_model::Validate`] (and
//!   uploads with [`check_upload`]) before anything is sent; [`Error::Validation`] lists every
//!   violation.
//! - **Signing.** Non-SNAP `Signature` over the exact bytes sent; a fresh `Request-Timestamp`
//!   from the injected clock ([`ConfigBuilder::clock`], any [`doku_sign::clock::Clock`]) on
//!   every attempt. `Request-Target` is the path without the query string.
//! - **Tokens.** Cached until [`ConfigBuilder::refresh_margin`] before expiry (from the JWT
//!   `exp` claim, else `valid_time`); concurrent callers share one refresh; a 401 on an
//!   authenticated call refreshes the token and repeats the call once.
//! - **Retries.** Connection failures, timeouts, dropped connections and 429/502/503/504
//!   (500 for GET only) are retried with backoff and jitter, `Retry-After` honoured, bounded
//!   by attempts ([`decide`]). The **same Request-Id** is used on every such retry, and DOKU's
//!   `409` replay of an already processed request is returned as the success it was — so a
//!   retry never registers a business twice. After a 401 or a 429 (refusals DOKU did not
//!   process) a generated Request-Id is replaced by a fresh one; a 409 replaying a refusal is
//!   [`Error::ReplayedRefusal`], never success.
//! - **A deadline is a deadline**: [`RetryPolicy::total_deadline`] bounds the whole call —
//!   token fetch, attempts in flight, waits, the 401 repeat ([`Error::DeadlineExceeded`]).
//! - **Response signatures** are verified when present ([`ResponseSignatureMode`]), before
//!   any retry decision; a GET answer may be signed with or without the `Digest` line.
//! - **Logs** go through `tracing` (span `doku_partner.call` with `endpoint`, `request_id`,
//!   `attempt`, `status`, `latency_ms`); the secret, tokens and bodies are never logged.
//!
//! # Example
//!
//! ```no_run
//! use doku_model::{BusinessType, DocumentCode, FileCategory, RequirementsQuery};
//! use doku_partner::{Client, Config, Environment};
//! use doku_sign::SecretKey;
//!
//! # async fn run() -> Result<(), doku_partner::Error> {
//! let config = Config::builder("BRN-0001-10791114622547", SecretKey::new("SK-…"))
//!     .environment(Environment::Uat)
//!     .build()?;
//! let client = Client::new(config)?;
//!
//! let query = RequirementsQuery::personal("ID");
//! let requirements = client.check_requirements(&query).await?;
//! println!("mandatory: {:?}", requirements.mandatory_codes());
//!
//! let ktp = client
//!     .upload_file_from_path(FileCategory::Document, Some(DocumentCode::Ktp), "ktp.png")
//!     .await?;
//! println!("uploaded {}", ktp.id);
//! # Ok(()) }
//! ```
//!
//! `examples/onboarding.rs` runs the whole flow against an in-process simulator.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::panic))]

mod api;
mod attempt;
mod base_url;
mod call;
mod call_log;
mod client;
mod config;
mod environment;
mod error;
mod interpret;
mod merchant;
mod notification;
mod observer;
mod progress;
mod request;
mod request_id;
mod request_timestamp;
mod retry;
mod signer;
mod token_cache;
mod verify;
mod wire_headers;

pub use api::upload::{check_upload, content_type_for};
pub use client::{Answer, Client};
pub use config::{Config, ConfigBuilder, ResponseSignatureMode, DEFAULT_REFRESH_MARGIN};
pub use environment::Environment;
pub use error::{CallStage, Error, SharedCause, SignatureProblem, MAX_ERROR_BODY_BYTES};
pub use merchant::Merchant;
pub use notification::{verify_notification, MerchantKeys, NotificationRefusal, Verified};
pub use observer::{Exchange, Observer};
pub use request::{ApiRequest, CallOptions};
pub use request_id::{RequestIdGenerator, UuidV4};
pub use retry::RetryPolicy;
pub use token_cache::TokenLifetime;

/// The README's Rust examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
