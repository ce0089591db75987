//! The [`Transport`]: executes one HTTP request per call.

use std::pin::pin;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::body::read_capped;
use crate::config::TransportConfig;
use crate::deadline::within;
use crate::error::{TimeoutPhase, TransportError};
use crate::response::Response;
use crate::{scheme_policy, tls};

type HyperClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Executes HTTP requests over a shared connection pool.
///
/// One `Transport` holds one pool; clones share it and are cheap (an `Arc`
/// inside), so create one per application and clone it where needed.
///
/// It only executes: it does not retry, sign, or add DOKU headers. Each call
/// to [`send`](Self::send) is one attempt, and its error says whether the
/// server may have seen the request so the caller can decide on a retry.
#[derive(Clone, Debug)]
pub struct Transport {
    client: HyperClient,
    config: TransportConfig,
}

impl Transport {
    /// Builds a transport (TLS configuration and an empty pool).
    ///
    /// Needs no network and no running Tokio runtime; sending does need a
    /// Tokio runtime with the time driver enabled.
    ///
    /// # Errors
    ///
    /// [`TransportError::InvalidConfig`] for a zero timeout or zero body cap;
    /// [`TransportError::Tls`] if the installed rustls `CryptoProvider`
    /// cannot provide a safe TLS configuration.
    pub fn new(config: TransportConfig) -> Result<Self, TransportError> {
        validate(&config)?;

        let mut http = HttpConnector::new();
        // The HTTPS connector wraps this one and needs it to accept https URIs.
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));

        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls::client_config()?)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);

        let client = Client::builder(TokioExecutor::new())
            // Without a pool timer the idle timeout is never enforced.
            .pool_timer(TokioTimer::new())
            // HTTP/2 keep-alive and handshake timers.
            .timer(TokioTimer::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .build(https);

        Ok(Self { client, config })
    }

    /// The configuration this transport was built with.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Checks that `uri` is one this transport would send to, without
    /// sending anything: absolute, `https`, or `http` to a loopback host (or
    /// to any host with [`allow_insecure_http`]).
    ///
    /// Useful to validate a configured base URL at start-up rather than on
    /// the first request.
    ///
    /// [`allow_insecure_http`]: crate::TransportConfigBuilder::allow_insecure_http
    ///
    /// # Errors
    ///
    /// [`TransportError::InvalidUri`], [`TransportError::UnsupportedScheme`]
    /// or [`TransportError::InsecureHttp`].
    pub fn check_uri(&self, uri: &http::Uri) -> Result<(), TransportError> {
        scheme_policy::check(uri, self.config.allow_insecure_http)
    }

    /// Sends `request` and reads the whole response, within the attempt
    /// timeout.
    ///
    /// The request URI must be absolute. `Host` is filled in from the URI.
    /// Any status code is returned as `Ok`; only transport failures are errors.
    ///
    /// # Errors
    ///
    /// See [`TransportError`]; [`TransportError::may_have_reached_server`]
    /// tells whether resending could duplicate an effect.
    pub async fn send(&self, request: http::Request<Bytes>) -> Result<Response, TransportError> {
        self.send_before(request, None).await
    }

    /// [`send`](Self::send), also ended at `deadline` when that comes before the attempt
    /// timeout: for a caller whose own deadline (a whole call's) bounds the attempt, with one
    /// timer for both instead of a second one around this call.
    ///
    /// When `deadline` ends the attempt, the error is the [`TransportError::Timeout`] of the
    /// phase in progress, as for the attempt timeout; the caller, which chose `deadline`, can
    /// tell the two apart by the time.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub async fn send_before(
        &self,
        request: http::Request<Bytes>,
        deadline: Option<Instant>,
    ) -> Result<Response, TransportError> {
        self.check_uri(request.uri())?;

        let start = Instant::now();
        let attempt_deadline = start + self.config.attempt_timeout;
        let deadline = tokio::time::Instant::from_std(
            deadline.map_or(attempt_deadline, |d| d.min(attempt_deadline)),
        );
        // For errors (which name the URL) and the log line: cheap clones (shared bytes), no
        // string copies.
        let uri = request.uri().clone();
        let log = tracing::enabled!(tracing::Level::DEBUG).then(|| request.method().clone());

        let result = async {
            // One timer for the whole attempt: the head, then the body, by the same deadline.
            let mut timer = pin!(tokio::time::sleep_until(deadline));
            let response =
                match within(timer.as_mut(), self.client.request(request.map(Full::new))).await {
                    Some(Ok(response)) => response,
                    Some(Err(source)) => {
                        return Err(TransportError::from_client(source, start.elapsed(), &uri))
                    }
                    None => return Err(timeout(TimeoutPhase::Response, start, &uri)),
                };
            let (parts, body) = response.into_parts();
            let body = match within(
                timer.as_mut(),
                read_capped(body, self.config.max_body_bytes),
            )
            .await
            {
                Some(body) => body?,
                None => return Err(timeout(TimeoutPhase::Body, start, &uri)),
            };
            Ok(Response {
                status: parts.status,
                version: parts.version,
                headers: parts.headers,
                body,
            })
        }
        .await;

        // Never log query strings, headers or bodies: they can carry tokens
        // and personal data.
        let Some(method) = log else {
            return result;
        };
        let elapsed = start.elapsed();
        match &result {
            Ok(r) => tracing::debug!(
                %method, host = uri.host().unwrap_or_default(), path = uri.path(), status = r.status.as_u16(), ?elapsed, body_len = r.body.len(),
                "doku-transport: response received"
            ),
            Err(e) => tracing::debug!(
                %method, host = uri.host().unwrap_or_default(), path = uri.path(), ?elapsed, error = %e,
                may_have_reached_server = e.may_have_reached_server(),
                "doku-transport: request failed"
            ),
        }
        result
    }
}

fn timeout(phase: TimeoutPhase, start: Instant, uri: &http::Uri) -> TransportError {
    TransportError::Timeout {
        url: crate::error::shown_url(uri),
        phase,
        elapsed: start.elapsed(),
        source: None,
    }
}

fn validate(config: &TransportConfig) -> Result<(), TransportError> {
    if config.connect_timeout.is_zero() {
        return Err(TransportError::InvalidConfig {
            reason: "connect timeout must be greater than zero",
        });
    }
    if config.attempt_timeout.is_zero() {
        return Err(TransportError::InvalidConfig {
            reason: "attempt timeout must be greater than zero",
        });
    }
    if config.max_body_bytes == 0 {
        return Err(TransportError::InvalidConfig {
            reason: "max body bytes must be greater than zero",
        });
    }
    Ok(())
}
