//! doku-postgres's integration tests, one binary (each starts its own throwaway PostgreSQL).
#![allow(clippy::unwrap_used, clippy::panic)]

mod harness;
mod scale;
mod tokens;
