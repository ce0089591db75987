//! The one error type of doku-postgres.

use std::time::Duration;

/// A boxed error source (the driver's own error, kept for its chain).
type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong with the database. Every variant fails closed: the operation it interrupted did
/// not happen, and nothing was sent to DOKU on its account.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection settings cannot be used (a malformed connection string).
    #[error("PostgreSQL connection settings: {0}")]
    Config(String),

    /// No connection to the database (refused, unknown host, authentication, timeout).
    #[error("cannot connect to PostgreSQL at {target}")]
    Connect {
        /// Host(s) and port(s) tried, never the password.
        target: String,
        /// The driver's error.
        #[source]
        source: Source,
    },

    /// A statement failed (the database answered an error, or the connection broke under it).
    #[error("PostgreSQL: {what} failed")]
    Query {
        /// What was being done, e.g. `"reading the shared token"`.
        what: &'static str,
        /// The driver's error.
        #[source]
        source: Source,
    },

    /// A statement or a wait took longer than its bound.
    #[error("PostgreSQL: {what} took longer than {after:?}")]
    Timeout {
        /// What was being done.
        what: &'static str,
        /// The bound that passed.
        after: Duration,
    },
}

impl Error {
    pub(crate) fn query(what: &'static str, source: tokio_postgres::Error) -> Self {
        Self::Query {
            what,
            source: Box::new(source),
        }
    }
}
