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
    /// by mistake. Nothing was sent. The message names the setting that allows it
    /// (`TransportConfigBuilder::allow_insecure_http(true)`); a program built on this
    /// crate may name its own switch for it instead.
    #[error("refusing plain http:// to `{host}`, which is not this machine: signatures and bearer tokens would cross the network unencrypted (use https://, or allow it for a test server on a trusted network with TransportConfigBuilder::allow_insecure_http(true))")]
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
    /// The request was not sent, so it is always safe to retry. The message names
    /// the URL tried and, in plain words, the cause when it is a common one
    /// ([`ConnectFailure`]).
    #[error("could not connect to {url}{failure}")]
    Connect {
        /// The URL tried: scheme, host, port and path (never the query).
        url: String,
        /// What went wrong, when it is one of the common causes.
        failure: ConnectFailure,
        /// The client error; its source chain holds the I/O or TLS error.
        #[source]
        source: hyper_util::client::legacy::Error,
    },

    /// A deadline passed; `phase` says where the request was at that moment.
    ///
    /// Only [`TimeoutPhase::Connect`] guarantees the request was not sent.
    #[error("{url}: timed out {phase} after {elapsed:?}")]
    Timeout {
        /// The URL tried: scheme, host, port and path (never the query).
        url: String,
        /// Where the request was when the deadline passed.
        phase: TimeoutPhase,
        /// Time from the start of the attempt to the timeout being observed.
        elapsed: Duration,
        /// The underlying error, when the timeout was reported by the
        /// connector rather than by the transport's own deadline (boxed: keeps the
        /// error small).
        #[source]
        source: Option<Box<hyper_util::client::legacy::Error>>,
    },

    /// Sending the request or awaiting the response headers failed after a
    /// connection was available (e.g. the server closed the connection without
    /// answering).
    ///
    /// The server may have received and acted on the request.
    #[error("{url}: the request failed before a response was received")]
    Request {
        /// The URL tried: scheme, host, port and path (never the query).
        url: String,
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

/// Why a connection could not be established, in plain words ([`TransportError::Connect`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectFailure {
    /// The host answered that nothing listens on that port.
    Refused,
    /// The host name did not resolve.
    UnknownHost,
    /// `https://` to a server that answered in plain HTTP (e.g. a local simulator, which
    /// speaks `http://`).
    PlainHttpServer,
    /// The server's TLS certificate was refused (expired, for another name, not from a trusted
    /// authority).
    Certificate,
    /// The TLS handshake failed for another reason.
    Tls,
    /// Another cause; the source chain has the details.
    Other,
}

impl fmt::Display for ConnectFailure {
    /// The cause as the end of a sentence (`": connection refused …"`), empty for
    /// [`ConnectFailure::Other`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Refused => ": connection refused (is the server running, on this port?)",
            Self::UnknownHost => ": the host name does not resolve",
            Self::PlainHttpServer => {
                ": the server answered in plain HTTP, not HTTPS (use an http:// URL for it; a local doku-sim speaks http://)"
            }
            Self::Certificate => ": the server's TLS certificate was refused",
            Self::Tls => ": the TLS handshake failed",
            Self::Other => "",
        })
    }
}

/// `uri` as shown in errors: scheme, host, port and path; never the query, which can carry
/// personal data.
pub(crate) fn shown_url(uri: &http::Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("?");
    let authority = uri.authority().map_or("", |a| a.as_str());
    format!("{scheme}://{authority}{}", uri.path())
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

    /// Classifies an error from `Client::request` (before any response) to `uri`.
    pub(crate) fn from_client(
        source: hyper_util::client::legacy::Error,
        elapsed: Duration,
        uri: &http::Uri,
    ) -> Self {
        let url = shown_url(uri);
        if !source.is_connect() {
            return Self::Request { url, source };
        }
        if is_io_timeout(&source) {
            Self::Timeout {
                url,
                phase: TimeoutPhase::Connect,
                elapsed,
                source: Some(Box::new(source)),
            }
        } else {
            Self::Connect {
                url,
                failure: connect_failure(&source),
                source,
            }
        }
    }
}

/// The common cause of a failed connect, read from the error's source chain: an I/O error's
/// kind, the rustls error inside an I/O error, or hyper-util's `dns error`.
fn connect_failure(err: &(dyn StdError + 'static)) -> ConnectFailure {
    let tls = |e: &rustls::Error| match e {
        // The first bytes were not a TLS record: a plain-HTTP answer (`HTTP/1.1 400 …`).
        rustls::Error::InvalidMessage(_) => ConnectFailure::PlainHttpServer,
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => {
            ConnectFailure::Certificate
        }
        _ => ConnectFailure::Tls,
    };
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return ConnectFailure::Refused;
            }
            // `io::Error::source` skips the error it wraps: go into it directly.
            if let Some(inner) = io.get_ref() {
                current = Some(inner);
                continue;
            }
        }
        if let Some(inner) = e.downcast_ref::<rustls::Error>() {
            return tls(inner);
        }
        if e.to_string() == "dns error" {
            return ConnectFailure::UnknownHost;
        }
        current = e.source();
    }
    ConnectFailure::Other
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
                url: "https://x/".into(),
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
                url: "https://x/".into(),
                phase: TimeoutPhase::Response,
                elapsed: Duration::from_secs(1),
                source: None,
            },
            TransportError::Timeout {
                url: "https://x/".into(),
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
            url: "https://x/".into(),
            phase: TimeoutPhase::Connect,
            elapsed: Duration::from_secs(1),
            source: None,
        };
        assert!(e.is_timeout());
        assert!(e.is_connect());
        let e = TransportError::Timeout {
            url: "https://x/".into(),
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

    fn transport() -> crate::Transport {
        crate::Transport::new(crate::TransportConfig::default()).unwrap()
    }

    fn get(url: &str) -> http::Request<bytes::Bytes> {
        http::Request::get(url).body(bytes::Bytes::new()).unwrap()
    }

    /// A refused connection names the URL (without its query) and the cause in plain words.
    #[tokio::test]
    async fn a_refused_connection_names_the_url_and_the_cause() {
        let addr = {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            listener.local_addr().unwrap()
        };
        let url = format!("http://{addr}/adv-core-api/partner/v1.0/token?secret=no");
        let err = transport().send(get(&url)).await.unwrap_err();
        let TransportError::Connect { failure, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*failure, ConnectFailure::Refused);
        assert_eq!(
            err.to_string(),
            format!("could not connect to http://{addr}/adv-core-api/partner/v1.0/token: connection refused (is the server running, on this port?)")
        );
    }

    /// `https://` to a server speaking plain HTTP says so, not in rustls's words.
    #[tokio::test]
    async fn https_to_a_plain_http_server_says_so() {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            }
        });
        let err = transport()
            .send(get(&format!("https://{addr}/x")))
            .await
            .unwrap_err();
        let TransportError::Connect { failure, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*failure, ConnectFailure::PlainHttpServer, "{err:?}");
        assert!(!err.may_have_reached_server());
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("could not connect to https://{addr}/x: the server answered in plain HTTP, not HTTPS (use an http:// URL")),
            "{text}"
        );
    }

    #[test]
    fn plain_http_to_another_host_names_the_setting_that_allows_it() {
        let text = TransportError::InsecureHttp {
            host: "10.0.0.5".into(),
        }
        .to_string();
        assert!(text.contains("`10.0.0.5`"), "{text}");
        assert!(
            text.contains("TransportConfigBuilder::allow_insecure_http(true)"),
            "{text}"
        );
        assert!(!text.contains("enable allow_insecure_http"), "{text}");
    }
}
