//! HTTP executor for doku-rs: sends one request to DOKU and returns the whole
//! response, or an error that says whether DOKU may have seen the request.
//!
//! This is the bottom layer of the SDK. It owns the connection pool, TLS,
//! timeouts and the response size cap, and nothing else: it does not sign,
//! build DOKU headers, or retry. Those decisions live in `doku-partner`, which
//! uses [`TransportError::may_have_reached_server`] to tell a safe retry (the
//! request never left) from one that could double an effect.
//!
//! - **Client**: `hyper_util`'s pooled legacy client; HTTPS through rustls
//!   with the bundled Mozilla roots (`webpki-roots`), HTTP/1.1 or HTTP/2 as
//!   the server's ALPN decides.
//! - **Crypto provider**: the process-wide rustls `CryptoProvider` if the
//!   application installed one, else ring. Nothing is installed globally.
//! - **Timeouts**: a connect timeout on the connector and a deadline on each
//!   attempt covering connect, send, headers and body (hyper has no request
//!   timeout of its own).
//! - **Body cap**: bodies are buffered up to
//!   [`TransportConfigBuilder::max_body_bytes`] (4 MiB by default).
//! - **Scheme policy**: `https://` always; `http://` only to loopback
//!   (a local simulator) unless [`TransportConfigBuilder::allow_insecure_http`]
//!   is set; any other scheme is refused.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use bytes::Bytes;
//! use doku_transport::{Transport, TransportConfig, TransportError};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let transport = Transport::new(
//!     TransportConfig::builder()
//!         .attempt_timeout(Duration::from_secs(20))
//!         .build(),
//! )?;
//!
//! let request = http::Request::post("https://api-uat.doku.com/adv-core-api/partner/v1.0/token")
//!     .header(http::header::CONTENT_TYPE, "application/json")
//!     // … Client-Id, Request-Id, Request-Timestamp and Signature from doku-sign …
//!     .body(Bytes::from_static(br#"{"grant_type":"client_credentials"}"#))?;
//!
//! match transport.send(request).await {
//!     Ok(response) => println!("{} ({} bytes)", response.status, response.body.len()),
//!     Err(e) if !e.may_have_reached_server() => {
//!         // Never left this process: safe to send again.
//!         eprintln!("not sent: {e}");
//!     }
//!     Err(e) => {
//!         // DOKU may have processed it: only retry with the same Request-Id.
//!         eprintln!("outcome unknown: {e}");
//!     }
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod body;
mod client;
mod config;
mod deadline;
mod error;
mod response;
mod scheme_policy;
mod tls;

pub use client::Transport;
pub use config::{TransportConfig, TransportConfigBuilder};
pub use error::{ConnectFailure, TimeoutPhase, TransportError};
pub use response::Response;
