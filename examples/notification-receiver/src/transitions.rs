//! Which notification may change a payment's recorded state: states only move forward.
//!
//! The rule has one home, doku-postgres's [`doku_postgres::notifications::step`] (its table
//! there), so the SQLite store and the PostgreSQL store apply the same one.

pub use doku_postgres::notifications::{step, Step};
