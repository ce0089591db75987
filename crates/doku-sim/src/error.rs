//! The crate's error enum.

/// Why the simulator could not be configured or started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The configuration is unusable (no credentials, mismatched flags, unreadable key file…).
    #[error("invalid simulator configuration: {0}")]
    Config(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A payment could not be triggered (unknown invoice, order already final…).
    #[error("cannot pay: {0}")]
    Pay(String),
    /// No delivery with this id is kept in the delivery history (never scheduled, or
    /// forgotten: the history keeps the latest notifications).
    #[error("no delivery {0} is kept in the delivery history")]
    UnknownDelivery(u64),
    /// Another I/O failure (reading a key file, querying the bound address).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}
