//! The integration tests of this crate in one binary (each test binary links tokio, hyper
//! and rustls again): one module per area.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;
mod doku_checkout_samples;
mod doku_samples;
mod samples;
mod snap_samples;
