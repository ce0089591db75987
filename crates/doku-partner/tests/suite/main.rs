//! The integration tests of this crate in one binary (each test binary links tokio, hyper
//! and rustls again): one module per area.
#![allow(clippy::unwrap_used, clippy::panic)]

mod bearer;
mod common;
mod deadline;
mod debug_secrets;
mod fault_matrix;
mod faults;
mod flow;
mod idempotency_readings;
mod merchant;
mod merchant_pool;
mod observer;
mod readings;
#[cfg(feature = "snap")]
mod snap;
#[cfg(feature = "snap")]
mod snap_inbound;
mod soak;
mod token_store;
mod tokens;
