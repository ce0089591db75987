//! Async client for DOKU's Partner API — the crate a partner platform adds to its
//! `Cargo.toml` to onboard businesses onto DOKU.
//!
//! One way to call: a typed request value per endpoint, sent by [`Client::send`] (Partner
//! calls, the partner's credentials) or [`Merchant::send`] (a brand's Checkout calls, its own
//! credentials). Every `send` returns `Result<`[`Answer<T>`]`, `[`Error`]`>`: the decoded value,
//! the body as DOKU sent it, the Request-Id, the number of attempts and whether it was a replay.
//!
//! | step | request value ([`Operation`]) | sent by | endpoint |
//! |---|---|---|---|
//! | 0 | [`GenerateToken`] (optional: tokens are fetched and cached automatically) | [`Client::send`] | `POST /token` |
//! | 1 | [`RequirementsQuery`](doku_model::RequirementsQuery) | [`Client::send`] | `GET /file?…` |
//! | 2 | [`UploadFile`](doku_model::UploadFile) (from disk: [`upload_from_path`]) | [`Client::send`] | `POST /file` |
//! | 3a | [`BusinessRegistrationRequest`](doku_model::BusinessRegistrationRequest) | [`Client::send`] | `POST /business` |
//! | 3b | [`BusinessLiteRequest`](doku_model::BusinessLiteRequest) | [`Client::send`] | `POST /business/lite/registration` |
//! | 4 | [`GetBusiness`] | [`Client::send`] | `GET /business/{client id}` |
//! | pay | [`CheckoutRequest`](doku_model::CheckoutRequest) | [`Merchant::send`] ([`Client::merchant`], [`Client::merchant_from_brand`]) | `POST /checkout/v1/payment` |
//! | pay | [`CheckStatus`] | [`Merchant::send`] | `GET /orders/v1/status/{invoice}` |
//!
//! Per-call options are a value built around the request: [`Call::new`]`(&request)` with
//! [`.request_id(…)`](Call::request_id) (repeat a call whose outcome is unknown under its
//! Request-Id) and [`.deadline(…)`](Call::deadline) (this call's whole-call deadline). A Partner
//! request sent to a [`Merchant`], or a merchant request to the [`Client`], does not compile:
//! each request names its [`Sender`].
//!
//! What the client does for you:
//!
//! - **Validation first.** Every request is checked with [`doku_model::Validate`] (and
//!   uploads with [`doku_model::check_upload`]) before anything is sent; [`Error::Validation`] lists every
//!   violation.
//! - **Signing.** Non-SNAP `Signature` over the exact bytes sent; a fresh `Request-Timestamp`
//!   from the injected clock ([`ConfigBuilder::clock`], any [`doku_sign::clock::Clock`]) on
//!   every attempt. `Request-Target` is the path without the query string.
//! - **Tokens.** Cached until [`ConfigBuilder::refresh_margin`] before expiry (from the JWT
//!   `exp` claim, else `valid_time`); concurrent callers share one refresh; a 401 on an
//!   authenticated call refreshes the token and repeats the call once.
//! - **Retries.** Connection failures, timeouts, dropped connections and 429/502/503/504
//!   (500 for GET only) are retried with backoff and jitter, `Retry-After` honoured, bounded
//!   by [`RetryPolicy`]'s attempts. The **same Request-Id** is used on every such retry, and DOKU's
//!   `409` replay of an already processed request is returned as the success it was — so a
//!   retry never registers a business twice. After a 401 or a 429 (refusals DOKU did not
//!   process) a generated Request-Id is replaced by a fresh one; a 409 replaying a refusal is
//!   [`Error::ReplayedRefusal`], never success.
//! - **A deadline is a deadline**: [`RetryPolicy::total_deadline`] (or a call's own
//!   [`Call::deadline`]) bounds the whole call — token fetch, attempts in flight, waits, the 401
//!   repeat ([`Error::DeadlineExceeded`]).
//! - **Response signatures** are verified when present ([`ResponseSignatureMode`]), before
//!   any retry decision; a GET answer may be signed with or without the `Digest` line.
//! - **Logs** go through `tracing` (span `doku_partner.call` with `endpoint`, `request_id`,
//!   `attempt`, `status`, `latency_ms`); the secret, tokens and bodies are never logged.
//!
#![cfg_attr(feature = "snap", doc = include_str!("snap/crate_docs.md"))]
#![cfg_attr(
    not(feature = "snap"),
    doc = "# SNAP Virtual Accounts\n\nWith the `snap` feature (off by default; it enables doku-sign's `rsa`), a merchant handle also sends SNAP Virtual Account calls (`Merchant::send_snap`).\n"
)]
//!
//! # Example
//!
//! ```no_run
//! use doku_model::{DocumentCode, FileCategory, RequirementsQuery};
//! use doku_partner::{upload_from_path, Client, Config, Environment};
//! use doku_sign::SecretKey;
//!
//! # async fn run() -> Result<(), doku_partner::Error> {
//! let config = Config::builder("BRN-0001-10791114622547", SecretKey::new("SK-…"))
//!     .environment(Environment::Uat)
//!     .build()?;
//! let client = Client::new(config)?;
//!
//! let query = RequirementsQuery::personal("ID");
//! let requirements = client.send(&query).await?.value;
//! println!("mandatory: {:?}", requirements.mandatory_codes());
//!
//! let ktp = upload_from_path(FileCategory::Document, Some(DocumentCode::Ktp), "ktp.png").await?;
//! let uploaded = client.send(&ktp).await?;
//! println!("uploaded {} in {} attempt(s)", uploaded.value.id, uploaded.attempts);
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
mod operation;
mod progress;
mod request;
mod request_id;
mod request_timestamp;
mod retry;
mod signer;
#[cfg(feature = "snap")]
mod snap;
#[cfg(feature = "snap")]
mod snap_inbound;
mod token_cache;
mod token_store;
mod verify;
mod wire_headers;

pub use api::business::GetBusiness;
pub use api::token::GenerateToken;
pub use api::upload::upload_from_path;
pub use client::{Answer, Client};
pub use config::{Config, ConfigBuilder, ResponseSignatureMode, DEFAULT_REFRESH_MARGIN};
pub use environment::Environment;
#[cfg(feature = "snap")]
pub use error::SnapRefusal;
pub use error::{
    CallStage, Error, LikelyCause, SharedCause, SignatureProblem, UnverifiedAnswer,
    MAX_ERROR_BODY_BYTES,
};
pub use merchant::{CheckStatus, Merchant};
pub use notification::{verify_notification, MerchantKeys, NotificationRefusal, Verified};
pub use observer::{Exchange, Observer};
pub use operation::{Call, Operation, RequestContext, Sender};
pub use request::ApiRequest;
pub use request_id::{RequestIdGenerator, UuidV4};
pub use retry::RetryPolicy;
#[cfg(feature = "snap")]
pub use snap::{
    ExternalId, SnapCall, SnapKeys, SnapOperation, SnapTimestamp, DEFAULT_CHANNEL_ID,
    MAX_EXTERNAL_ID_LEN,
};
#[cfg(feature = "snap")]
pub use snap_inbound::{
    inquiry_reply, snap_notification_ack, BearerClaims, SnapDelivery, SnapInboundRefusal,
    SnapReceiver, SnapReply, SnapTokenIssuer, SnapTokenRefusal, SnapTokenReply, VerifiedInquiry,
    VerifiedSnapNotification, DEFAULT_SNAP_TOKEN_ISSUER, DEFAULT_SNAP_TOKEN_LIFETIME_SECONDS,
    DEFAULT_SNAP_TOKEN_TOLERANCE_SECONDS, SNAP_REPLY_CONTENT_TYPE,
};
pub use token_cache::TokenLifetime;
pub use token_store::{
    FetchLease, MemoryTokenStore, StoreFuture, StoredToken, TokenKey, TokenKind, TokenStore,
    TokenStoreError,
};

/// The README's Rust examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
