//! The integration tests of this crate in one binary (each test binary links tokio, hyper
//! and rustls again): one module per area.
#![allow(clippy::unwrap_used, clippy::panic)]

mod binary;
mod checkout;
mod common;
mod deliveries;
mod doku_shapes;
mod flow;
mod health;
mod hostile;
mod hostile_attacks;
mod hostile_cases;
mod in_process;
mod notification_urls;
mod pages;
mod protocol;
mod snap;
