//! Builder methods for the resource bounds ([`crate::limits`]) and the idempotency retention
//! ([`crate::retention`]); kept apart from the protocol settings in `config.rs`.

use std::time::Duration;

use super::SimConfigBuilder;
use crate::setters::setters;

impl SimConfigBuilder {
    setters! {
        /// Open connections at most (default [`crate::DEFAULT_MAX_CONNECTIONS`]). At the cap, the
        /// connection idle longest is closed to make room; when none is idle, new connections wait
        /// in the listen backlog.
        max_connections(max: usize) => config.limits.max_connections;

        /// `SETTINGS_MAX_CONCURRENT_STREAMS` of each HTTP/2 connection (default
        /// [`crate::DEFAULT_H2_MAX_STREAMS`]).
        h2_max_streams(max: u32) => config.limits.h2_max_streams;

        /// Request-body bytes held at once over all requests (default
        /// [`crate::DEFAULT_MAX_INFLIGHT_BODY_BYTES`]); a body that cannot get its share in time is
        /// refused with 503 `simulator_busy`.
        max_inflight_body_bytes(bytes: usize) => config.limits.max_inflight_body_bytes;

        /// Time from accept to a complete request head, and between requests on an HTTP/1.1
        /// connection (default [`crate::DEFAULT_HEADER_READ_TIMEOUT`]); silent connections are
        /// closed after it.
        header_read_timeout(timeout: Duration) => config.limits.header_read_timeout;

        /// Time a connection may stay open with no request in flight (default
        /// [`crate::DEFAULT_IDLE_TIMEOUT`]).
        idle_timeout(timeout: Duration) => config.limits.idle_timeout;

        /// Largest request head, in bytes (default [`crate::DEFAULT_MAX_HEADER_BYTES`], at least
        /// 8192).
        max_header_bytes(bytes: usize) => config.limits.max_header_bytes;

        /// Age after which an idempotency record is forgotten (default
        /// [`crate::DEFAULT_IDEMPOTENCY_MAX_AGE`], by the simulator's clock).
        idempotency_max_age(age: Duration) => config.retention.max_age;

        /// Idempotency records kept at most, the oldest forgotten first (default
        /// [`crate::DEFAULT_IDEMPOTENCY_MAX_RECORDS`]).
        idempotency_max_records(records: usize) => config.retention.max_records;

        /// Bytes of idempotency records kept at most (keys, answer bodies, bookkeeping), the oldest
        /// forgotten first (default [`crate::DEFAULT_IDEMPOTENCY_MAX_BYTES`]).
        idempotency_max_bytes(bytes: usize) => config.retention.max_bytes;
    }
}
