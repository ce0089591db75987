//! Transport settings and their defaults.

use std::time::Duration;

/// Settings for a [`Transport`](crate::Transport).
///
/// Build one with [`TransportConfig::builder`], or take
/// [`TransportConfig::default`]:
///
/// | setting | default | why |
/// |---|---|---|
/// | connect timeout | 10 s | a TCP connect that takes longer is almost certainly lost |
/// | attempt timeout | 30 s | bounds one request (connect, send, headers, body); hyper has no request timeout |
/// | body cap | 4 MiB | Partner API responses are small JSON; the cap bounds memory if a peer misbehaves |
/// | pool idle timeout | 90 s | drops idle connections before typical load balancers silently do |
/// | max idle per host | 32 | enough for concurrent calls to one DOKU host |
/// | insecure http | off | plain http only to loopback (a local simulator) |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    pub(crate) connect_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) pool_idle_timeout: Option<Duration>,
    pub(crate) pool_max_idle_per_host: usize,
    pub(crate) allow_insecure_http: bool,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(30),
            max_body_bytes: 4 * 1024 * 1024,
            pool_idle_timeout: Some(Duration::from_secs(90)),
            pool_max_idle_per_host: 32,
            allow_insecure_http: false,
        }
    }
}

impl TransportConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> TransportConfigBuilder {
        Self::default().into_builder()
    }

    /// A builder starting from these settings: a layer above can change one setting and keep
    /// every other, including settings added after it was written.
    pub fn into_builder(self) -> TransportConfigBuilder {
        TransportConfigBuilder { config: self }
    }

    /// Maximum time to establish a TCP connection.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Maximum time for one attempt, from the call to
    /// [`Transport::send`](crate::Transport::send) to the last body byte.
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// Largest response body accepted, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// How long an idle pooled connection is kept; `None` keeps it
    /// indefinitely.
    pub fn pool_idle_timeout(&self) -> Option<Duration> {
        self.pool_idle_timeout
    }

    /// Maximum idle connections kept per host.
    pub fn pool_max_idle_per_host(&self) -> usize {
        self.pool_max_idle_per_host
    }

    /// Whether plain `http://` is allowed to non-loopback hosts.
    pub fn allows_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }
}

/// Builds a [`TransportConfig`]; every setting starts at its default.
///
/// Values are checked by [`Transport::new`](crate::Transport::new), which
/// refuses zero timeouts and a zero body cap.
#[derive(Debug, Clone)]
#[must_use]
pub struct TransportConfigBuilder {
    config: TransportConfig,
}

impl TransportConfigBuilder {
    /// Maximum time to establish a TCP connection (default 10 s).
    ///
    /// A connect that times out is reported as
    /// [`TimeoutPhase::Connect`](crate::TimeoutPhase::Connect): the request
    /// was not sent.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Maximum time for one attempt: waiting for a connection, sending,
    /// receiving headers and reading the whole body (default 30 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.config.attempt_timeout = timeout;
        self
    }

    /// Largest response body accepted, in bytes (default 4 MiB).
    ///
    /// A larger body fails with
    /// [`TransportError::BodyTooLarge`](crate::TransportError::BodyTooLarge),
    /// early when `Content-Length` announces it.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.config.max_body_bytes = limit;
        self
    }

    /// How long an idle pooled connection is kept (default 90 s); `None`
    /// keeps idle connections until the server closes them.
    pub fn pool_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.config.pool_idle_timeout = timeout;
        self
    }

    /// Maximum idle connections kept per host (default 32); `0` disables
    /// connection reuse.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.config.pool_max_idle_per_host = max;
        self
    }

    /// Allow plain `http://` to hosts that are not loopback (default off).
    ///
    /// Only for test environments behind a trusted network: over plain HTTP
    /// the signature headers and bearer token can be read and replayed.
    /// Loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) are always allowed.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.config.allow_insecure_http = allow;
        self
    }

    /// Finishes the configuration.
    pub fn build(self) -> TransportConfig {
        self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_documented_values() {
        let c = TransportConfig::default();
        assert_eq!(c.connect_timeout(), Duration::from_secs(10));
        assert_eq!(c.attempt_timeout(), Duration::from_secs(30));
        assert_eq!(c.max_body_bytes(), 4 * 1024 * 1024);
        assert_eq!(c.pool_idle_timeout(), Some(Duration::from_secs(90)));
        assert_eq!(c.pool_max_idle_per_host(), 32);
        assert!(!c.allows_insecure_http());
        assert_eq!(TransportConfig::builder().build(), c);
    }

    #[test]
    fn builder_sets_every_field() {
        let c = TransportConfig::builder()
            .connect_timeout(Duration::from_secs(1))
            .attempt_timeout(Duration::from_secs(2))
            .max_body_bytes(3)
            .pool_idle_timeout(None)
            .pool_max_idle_per_host(4)
            .allow_insecure_http(true)
            .build();
        assert_eq!(c.connect_timeout(), Duration::from_secs(1));
        assert_eq!(c.attempt_timeout(), Duration::from_secs(2));
        assert_eq!(c.max_body_bytes(), 3);
        assert_eq!(c.pool_idle_timeout(), None);
        assert_eq!(c.pool_max_idle_per_host(), 4);
        assert!(c.allows_insecure_http());
        assert_eq!(
            c.clone().into_builder().build(),
            c,
            "into_builder keeps every setting"
        );
    }
}
