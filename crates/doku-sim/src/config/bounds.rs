//! Builder methods for the resource bounds ([`crate::limits`]) and the idempotency retention
//! ([`crate::retention`]); kept apart from the protocol settings in `config.rs`.

use std::time::Duration;

use super::SimConfigBuilder;

impl SimConfigBuilder {
    /// Open connections at most (default [`crate::DEFAULT_MAX_CONNECTIONS`]). At the cap, the
    /// connection idle longest is closed to make room; when none is idle, new connections wait
    /// in the listen backlog.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.config.limits.max_connections = max;
        self
    }

    /// `SETTINGS_MAX_CONCURRENT_STREAMS` of each HTTP/2 connection (default
    /// [`crate::DEFAULT_H2_MAX_STREAMS`]).
    pub fn h2_max_streams(mut self, max: u32) -> Self {
        self.config.limits.h2_max_streams = max;
        self
    }

    /// Request-body bytes held at once over all requests (default
    /// [`crate::DEFAULT_MAX_INFLIGHT_BODY_BYTES`]); a body that cannot get its share in time is
    /// refused with 503 `simulator_busy`.
    pub fn max_inflight_body_bytes(mut self, bytes: usize) -> Self {
        self.config.limits.max_inflight_body_bytes = bytes;
        self
    }

    /// Time from accept to a complete request head, and between requests on an HTTP/1.1
    /// connection (default [`crate::DEFAULT_HEADER_READ_TIMEOUT`]); silent connections are
    /// closed after it.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.limits.header_read_timeout = timeout;
        self
    }

    /// Time a connection may stay open with no request in flight (default
    /// [`crate::DEFAULT_IDLE_TIMEOUT`]).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.config.limits.idle_timeout = timeout;
        self
    }

    /// Largest request head, in bytes (default [`crate::DEFAULT_MAX_HEADER_BYTES`], at least
    /// 8192).
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.config.limits.max_header_bytes = bytes;
        self
    }

    /// Age after which an idempotency record is forgotten (default
    /// [`crate::DEFAULT_IDEMPOTENCY_MAX_AGE`], by the simulator's clock).
    pub fn idempotency_max_age(mut self, age: Duration) -> Self {
        self.config.retention.max_age = age;
        self
    }

    /// Idempotency records kept at most, the oldest forgotten first (default
    /// [`crate::DEFAULT_IDEMPOTENCY_MAX_RECORDS`]).
    pub fn idempotency_max_records(mut self, records: usize) -> Self {
        self.config.retention.max_records = records;
        self
    }

    /// Bytes of idempotency records kept at most (keys, answer bodies, bookkeeping), the oldest
    /// forgotten first (default [`crate::DEFAULT_IDEMPOTENCY_MAX_BYTES`]).
    pub fn idempotency_max_bytes(mut self, bytes: usize) -> Self {
        self.config.retention.max_bytes = bytes;
        self
    }
}
