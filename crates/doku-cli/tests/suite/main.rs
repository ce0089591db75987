//! The integration tests of this crate in one binary (each test binary links tokio, hyper
//! and rustls again): one module per area.
#![allow(clippy::unwrap_used, clippy::panic)]

mod api_commands;
mod demo;
mod developer_loop;
mod errors;
mod hostile;
mod listen_simulator;
mod pay_commands;
mod sign_verify;
mod sim_command;
mod snap_commands;
mod walkthrough;
