//! The integration tests of this crate in one binary (each test binary links tokio, hyper
//! and rustls again): one module per area.
#![allow(clippy::unwrap_used, clippy::panic)]

mod from_simulator;
mod hostile;
mod poster;
mod scale;
mod snap;
