//! A local simulator of DOKU's Partner API, for tests and demos. Never a production server.
//!
//! It checks every request the way DOKU does (headers, Client-Id, timestamp window,
//! Non-SNAP signature via `doku-sign`, bearer tokens, Request-Id idempotency), keeps files and
//! businesses in memory, signs its responses, and can inject faults per endpoint (latency,
//! status codes, dropped connections, truncated or non-JSON bodies, wrong signatures, early
//! token expiry). See `docs/simulator.md`.
//!
//! ```no_run
//! use doku_model::Endpoint;
//! use doku_sim::{Sim, SimConfig, Fault, FaultKind};
//! use doku_sign::SecretKey;
//!
//! # async fn run() -> Result<(), doku_sim::SimError> {
//! let config = SimConfig::builder()
//!     .credential("BRN-0001-10791114622547", SecretKey::new("SK-EXAMPLE-ONLY"))
//!     .build()?;
//! let sim = Sim::start(config).await?;
//! println!("{}", sim.base_url()); // http://127.0.0.1:PORT
//! sim.set_fault(Endpoint::Token, Fault::once(FaultKind::Status(503)));
//! // … point a client at sim.base_url() …
//! assert_eq!(sim.stats().tokens_for("BRN-0001-10791114622547"), 0);
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod background;
mod backoff;
mod body;
mod channels;
mod checkout_errors;
#[cfg(feature = "cli")]
pub mod cli;
mod config;
mod connections;
mod control;
mod dashboard;
mod deliveries;
mod doubts;
mod echo;
mod error;
mod faults;
mod form;
mod handlers;
mod health;
mod html;
mod idempotency;
mod in_process;
mod limits;
mod multipart;
mod notification_urls;
mod notify;
mod orders;
mod page;
mod pay;
mod pipeline;
mod query;
mod readings;
mod response;
mod retention;
mod server;
mod setters;
mod signature_check;
mod snap;
mod sniff;
mod state;
mod stats;
mod tokens;

pub use background::BackgroundSim;
pub use config::{
    SimConfig, SimConfigBuilder, DEFAULT_DIRECT_INQUIRY_CHANNEL, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TIMESTAMP_WINDOW_SECONDS,
};
pub use control::SimControl;
pub use deliveries::{
    Delivery, DeliveryAttempt, DeliveryKind, DeliveryOutcome, DEFAULT_DELIVERIES_KEPT,
    DELIVERIES_PATH, MAX_ATTEMPTS_KEPT, MAX_WAIT_SECONDS,
};
pub use error::SimError;
pub use faults::{Fault, FaultKind, FaultTarget, Times};
pub use in_process::{Delivered, InProcessSim, IN_PROCESS_BASE_URL};
pub use limits::{
    DEFAULT_H2_MAX_STREAMS, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_INFLIGHT_BODY_BYTES,
};
pub use notification_urls::NOTIFICATION_URLS_PATH;
pub use pay::{PayRequest, PayStatus, Payment, PAY_PATH};
pub use readings::{
    BearerReading, GetResponseDigest, IdempotencyReading, NotificationRetryRequestId, Readings,
    RequestTimestampMillis, SnapAck, SnapExternalIdRepeat, SnapMinify, SnapPathVersion,
    SnapReadings, SnapTimestampZone,
};
pub use retention::{
    DEFAULT_IDEMPOTENCY_MAX_AGE, DEFAULT_IDEMPOTENCY_MAX_BYTES, DEFAULT_IDEMPOTENCY_MAX_RECORDS,
};
pub use server::{listen_warning, Sim, SimHandle};
pub use snap::control::{DOKU_PUBLIC_KEY_PATH, PAY_VA_PATH, SNAP_MERCHANTS_PATH};
pub use snap::pay::{PayVaRequest, VaPayment};
pub use snap::SnapMerchant;
pub use stats::Stats;
