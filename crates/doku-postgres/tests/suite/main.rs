//! doku-postgres's integration tests, one binary (each starts its own throwaway PostgreSQL).

mod harness;
mod notifications;
