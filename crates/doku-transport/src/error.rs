//! The transport's single error type.
//!
//! The variants are shaped around the one question a caller deciding on a retry
//! must answer: *could the server have seen this request?* A request that never
//! left the process (bad URI, refused scheme, failed connect) is always safe to
//! send again; one that may have reached DOKU is only safe to repeat when DOKU
//! deduplicates it (same `Request-Id`). See
//! [`TransportError::may_have_reached_server`].

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

/// Errors from building a [`Transport`](crate::Transport) or executing a request.
///
/// Sources are kept as typed values (reachable through
/// [`std::error::Error::source`]), never flattened into strings, so callers and
/// logs can walk the full chain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The request URI cannot be sent: it is relative or has no host.
    ///
    /// Nothing was sent.
    #[error("invalid request URI: {reason}")]
    InvalidUri {
        /// What is wrong with the URI.
        reason: &'static str,
    },

    /// The request URI uses a scheme other than `https` or `http`.
    ///
    /// Nothing was sent.
    #[error("unsupported URI scheme `{scheme}`: only https (and http to loopback) is allowed")]
    UnsupportedScheme {
        /// The scheme found in the URI.
        scheme: String,
    },

    /// Plain `http://` to a host that is not loopback, without
    /// [`TransportConfigBuilder::allow_insecure_http`](crate::TransportConfigBuilder::allow_insecure_http).
    ///
    /// Refused so that signatures and bearer tokens are not sent in clear text
    /// by mistake. Nothing was sent.
    #[error("refusing plain http to non-loopback host `{host}` (enable allow_insecure_http to permit it)")]
    InsecureHttp {
        /// The host the request was addressed to.
        host: String,
    },

    /// The [`TransportConfig`](crate::TransportConfig) holds a value the
    /// transport cannot work with (e.g. a zero timeout).
    #[error("invalid transport configuration: {reason}")]
    InvalidConfig {
        /// Which setting is wrong and why.
        reason: &'static str,
    },

    /// The TLS client configuration could not be built (e.g. the installed
    /// rustls `CryptoProvider` supports no safe protocol version).
    #[error("could not build the TLS client configuration")]
    Tls {
        /// The rustls error.
        #[source]
        source: rustls::Error,
    },

    /// No connection could be established: DNS failure, connection refused,
    /// TLS handshake failure, …
    ///
    /// The request was not sent, so it is always safe to retry.
    #[error("could not connect to the server")]
    Connect {
        /// The client error; its source chain holds the I/O or TLS error.
        #[source]
        source: hyper_util::client::legacy::Error,
    },

    /// A deadline passed; `phase` says where the request was at that moment.
    ///
    /// Only [`TimeoutPhase::Connect`] guarantees the request was not sent.
    #[error("timed out {phase} after {elapsed:?}")]
    Timeout {
        /// Where the request was when the deadline passed.
        phase: TimeoutPhase,
        /// Time from the start of the attempt to the timeout being observed.
        elapsed: Duration,
        /// The underlying error, when the timeout was reported by the
        /// connector rather than by the transport's own deadline.
        #[source]
        source: Option<hyper_util::client::legacy::Error>,
    },

    /// Sending the request or awaiting the response headers failed after a
    /// connection was available (e.g. the server closed the connection without
    /// answering).
    ///
    /// The server may have received and acted on the request.
    #[error("the request failed before a response was received")]
    Request {
        /// The client error; its source is usually a [`hyper::Error`].
        #[source]
        source: hyper_util::client::legacy::Error,
    },

    /// The response headers arrived but reading the body failed (connection
    /// reset, truncated body, protocol error).
    ///
    /// The server received and processed the request.
    #[error("reading the response body failed")]
    Body {
        /// The hyper error.
        #[source]
        source: hyper::Error,
    },

    /// The response body is larger than the configured cap
    /// ([`TransportConfigBuilder::max_body_bytes`](crate::TransportConfigBuilder::max_body_bytes)).
    ///
    /// Guards memory against a misbehaving or hostile peer. The server
    /// received and processed the request.
    #[error("response body exceeds the {limit}-byte limit")]
    BodyTooLarge {
        /// The configured cap in bytes.
        limit: usize,
        /// The `Content-Length` the server announced, if it announced one.
        content_length: Option<u64>,
    },
}

/// Where a request was when its deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Establishing the TCP connection (the connector's connect timeout).
    /// The request was not sent.
    Connect,
    /// Waiting for the response headers: the connection may still have been
    /// in progress, or the request may have been sent and be in processing.
    Response,
    /// The response headers were received; the body did not finish in time.
    Body,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "while connecting",
            Self::Response => "waiting for the response",
            Self::Body => "reading the response body",
        })
    }
}

impl TransportError {
    /// Whether the server may have received the request.
    ///
    /// `false` means the request certainly never left this process, so
    /// sending it again cannot double an effect. `true` is conservative: it
    /// covers "certainly received" (a response arrived) as well as "unknown"
    /// (timed out or the connection dropped while waiting for the response).
    pub fn may_have_reached_server(&self) -> bool {
        match self {
            Self::InvalidUri { .. }
            | Self::UnsupportedScheme { .. }
            | Self::InsecureHttp { .. }
            | Self::InvalidConfig { .. }
            | Self::Tls { .. }
            | Self::Connect { .. } => false,
            Self::Timeout { phase, .. } => *phase != TimeoutPhase::Connect,
            Self::Request { .. } | Self::Body { .. } | Self::BodyTooLarge { .. } => true,
        }
    }

    /// Whether this is a timeout, in any phase.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }

    /// Whether no connection could be established (including a connect
    /// timeout). Such a request was never sent.
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            Self::Connect { .. }
                | Self::Timeout {
                    phase: TimeoutPhase::Connect,
                    ..
                }
        )
    }

    /// Classifies an error from `Client::request` (before any response).
    pub(crate) fn from_client(
        source: hyper_util::client::legacy::Error,
        elapsed: Duration,
    ) -> Self {
        if !source.is_connect() {
            return Self::Request { source };
        }
        if is_io_timeout(&source) {
            Self::Timeout {
                phase: TimeoutPhase::Connect,
                elapsed,
                source: Some(source),
            }
        } else {
            Self::Connect { source }
        }
    }
}

/// Whether the source chain contains an `io::Error` of kind `TimedOut`, which
/// is how hyper-util's `HttpConnector` reports its connect timeout.
fn is_io_timeout(err: &(dyn StdError + 'static)) -> bool {
    let mut current = err.source();
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
        }
        current = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_send_errors_never_reached_the_server() {
        let errors = [
            TransportError::InvalidUri { reason: "x" },
            TransportError::UnsupportedScheme {
                scheme: "ftp".into(),
            },
            TransportError::InsecureHttp {
                host: "example.com".into(),
            },
            TransportError::InvalidConfig { reason: "x" },
            TransportError::Timeout {
                phase: TimeoutPhase::Connect,
                elapsed: Duration::from_secs(1),
                source: None,
            },
        ];
        for e in errors {
            assert!(!e.may_have_reached_server(), "{e:?}");
        }
    }

    #[test]
    fn post_send_errors_may_have_reached_the_server() {
        let errors = [
            TransportError::BodyTooLarge {
                limit: 1,
                content_length: None,
            },
            TransportError::Timeout {
                phase: TimeoutPhase::Response,
                elapsed: Duration::from_secs(1),
                source: None,
            },
            TransportError::Timeout {
                phase: TimeoutPhase::Body,
                elapsed: Duration::from_secs(1),
                source: None,
            },
        ];
        for e in errors {
            assert!(e.may_have_reached_server(), "{e:?}");
        }
    }

    #[test]
    fn connect_timeout_is_both_timeout_and_connect() {
        let e = TransportError::Timeout {
            phase: TimeoutPhase::Connect,
            elapsed: Duration::from_secs(1),
            source: None,
        };
        assert!(e.is_timeout());
        assert!(e.is_connect());
        let e = TransportError::Timeout {
            phase: TimeoutPhase::Response,
            elapsed: Duration::from_secs(1),
            source: None,
        };
        assert!(e.is_timeout());
        assert!(!e.is_connect());
    }

    #[test]
    fn io_timeout_is_found_in_the_source_chain() {
        /// A layer of error wrapping, as hyper and hyper-util add around an I/O error.
        #[derive(Debug)]
        struct Wrap<E>(E);
        impl<E> fmt::Display for Wrap<E> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("wrap")
            }
        }
        impl<E: StdError + 'static> StdError for Wrap<E> {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.0)
            }
        }
        let timed_out = Wrap(Wrap(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "connect timeout",
        )));
        assert!(is_io_timeout(&timed_out));
        let refused = Wrap(Wrap(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused,
        )));
        assert!(!is_io_timeout(&refused));
    }
}
