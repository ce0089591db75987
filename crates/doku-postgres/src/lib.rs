//! PostgreSQL stores for doku-rs, for a partner platform that runs several instances of its app.
//!
//! One process needs nothing of this crate: `doku_partner::Client` keeps its token in memory. Several
//! processes with the same DOKU credentials each fetching their own token may revoke each other's (DOKU
//! does not say whether a new token invalidates the older ones); this crate lets them share one token
//! per client id and environment, fetched by one process at a time, in a database they already run.
//!
//! - **Connections** are made with [`tokio_postgres`]: pure Rust on the tokio runtime the SDK already
//!   uses, no libpq. TLS is a non-goal: connect over loopback, a Unix socket or a private network (a
//!   managed database reached over the internet needs a TLS-terminating proxy beside the app).
//! - **Errors fail closed**: when the database cannot be reached or answers an error, no call goes
//!   to DOKU without the shared state, and the caller gets the [`Error`] with what failed.
//!
//! | store | what it shares | table |
//! |---|---|---|
//! | [`PgTokenStore`] | one bearer token per client id and environment (Partner and SNAP B2B), one fetch at a time under a row lease | `doku_tokens` ([`TOKENS_DDL`]) |
//!
//! Nothing of this crate ever holds a secret key.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::panic))]

// The stores' shared connection (the token store and the notification store build on it).
mod db;
mod error;
pub mod notifications;
mod tokens;

pub use error::Error;
pub use tokens::{PgTokenStore, DEFAULT_LEASE, DEFAULT_LEASE_POLL, TOKENS_DDL};
/// The PostgreSQL driver this crate is built on, for callers that need its types.
pub use tokio_postgres;
